from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from registrations.models import Registration
from reporting.models import Feedback
from tests.events.factories import EventFactory, RegistrationFactory

MELBOURNE = ZoneInfo("Australia/Melbourne")


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MELBOURNE)


def past_event(partnership, start: datetime, **fields):
    """A published session that has ended (published before it started)."""
    fields.setdefault("published_at", start - timedelta(days=30))
    return EventFactory(partnership=partnership, start=start, end=start + timedelta(hours=2), **fields)


def attended(event, user=None, **fields) -> Registration:
    """A confirmed registration marked attended (the factory's own, not through the services)."""
    kwargs = {"user": user} if user is not None else {}
    return RegistrationFactory(
        event=event,
        status=Registration.Status.CONFIRMED,
        attendance=Registration.Attendance.ATTENDED,
        attendance_marked_at=timezone.now(),
        **kwargs,
        **fields,
    )


def no_show(event, user=None, **fields) -> Registration:
    kwargs = {"user": user} if user is not None else {}
    return RegistrationFactory(
        event=event,
        status=Registration.Status.CONFIRMED,
        attendance=Registration.Attendance.NO_SHOW,
        **kwargs,
        **fields,
    )


class FeedbackFactory(DjangoModelFactory):
    """A response written straight to the database (tests of the figures); services are tested on their own."""

    class Meta:
        model = Feedback
        skip_postgeneration_save = True

    registration = factory.SubFactory(RegistrationFactory, attendance=Registration.Attendance.ATTENDED)
    rating = 4
    would_recommend = True
    most_useful = "Hearing how the kindergarten handles referrals."
    do_differently = "Call the maternal and child health nurse before referring."
    new_contacts = 2
    comments = ""

    @factory.post_generation
    def sectors_connected(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sectors_connected.set(extracted)
