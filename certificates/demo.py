"""Demo certificates: for the two most recent finalised sessions (the latest one is left to finalise)."""

from django.db import transaction

from events.models import Event
from registrations.models import Registration

from .models import Certificate
from .services import certificate_issue


@transaction.atomic
def seed(stdout) -> None:
    finalised = list(
        Event.objects.filter(partnership__slug="ballarat", attendance_finalised_at__isnull=False).order_by("-start")[:2]
    )
    if not finalised or Certificate.objects.filter(event__in=finalised).exists():
        stdout.write("Certificates: already there (or no finalised sessions).")
        return
    count = 0
    for event in finalised:
        for registration in event.registrations.filter(
            status=Registration.Status.CONFIRMED, attendance=Registration.Attendance.ATTENDED, user__isnull=False
        ):
            certificate_issue(registration=registration, notify=False, render=False)
            count += 1
    stdout.write(
        f"Certificates: {count} issued for the two most recent finalised sessions "
        "(each PDF is drawn when it is first opened)."
    )
