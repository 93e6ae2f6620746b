"""Demo certificates: for the two most recent finalised sessions (the latest one is left to finalise)."""

from django.db import transaction

from events.models import Event
from registrations.models import Registration

from .models import Certificate
from .services import certificate_build


@transaction.atomic
def seed(stdout) -> None:
    finalised = list(
        Event.objects.filter(partnership__slug="ballarat", attendance_finalised_at__isnull=False).order_by("-start")[:2]
    )
    if not finalised or Certificate.objects.filter(event__in=finalised).exists():
        stdout.write("Certificates: already there (or no finalised sessions).")
        return
    attendees = (
        Registration.objects.filter(
            event__in=finalised,
            status=Registration.Status.CONFIRMED,
            attendance=Registration.Attendance.ATTENDED,
            user__isnull=False,
        )
        .select_related("event", "event__partnership", "user")
        .order_by("event__start", "pk")
    )
    # What certificate_issue(notify=False, render=False) saves, one insert for all: nobody has one yet.
    certificates = Certificate.objects.bulk_create([certificate_build(registration=r) for r in attendees])
    stdout.write(
        f"Certificates: {len(certificates)} issued for the two most recent finalised sessions "
        "(each PDF is drawn when it is first opened)."
    )
