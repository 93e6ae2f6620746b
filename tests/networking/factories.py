"""Factories and helpers for table plans. Plans are made by the services (the planner), as in the app."""

import factory
from factory.django import DjangoModelFactory

from networking.models import Seat, TableGroup, TablePlan
from tests.accounts.factories import UserFactory, sector
from tests.events.factories import EventFactory, RegistrationFactory


class TablePlanFactory(DjangoModelFactory):
    class Meta:
        model = TablePlan

    event = factory.SubFactory(EventFactory)
    min_size = 6
    max_size = 8
    seed = 1


class TableGroupFactory(DjangoModelFactory):
    class Meta:
        model = TableGroup

    plan = factory.SubFactory(TablePlanFactory)
    number = factory.Sequence(lambda n: n + 1)


class SeatFactory(DjangoModelFactory):
    class Meta:
        model = Seat

    group = factory.SubFactory(TableGroupFactory)
    registration = factory.SubFactory(RegistrationFactory, event=factory.SelfAttribute("..group.plan.event"))


SECTORS = ("medical", "education-and-care", "community-services", "other")


def attendees(event, count: int, *, organisations: int = 9, start: int = 0, consent: bool = True) -> list:
    """`count` confirmed registrations for `event`, across the four sectors and a few organisations.

    People are numbered from `start`; the same number is the same person (email) at every event.
    """
    registrations = []
    for n in range(start, start + count):
        slug = SECTORS[n % len(SECTORS)]
        user = UserFactory(
            email=f"member{n}@example.org",
            full_name=f"Member {n:03d}",
            organisation=f"Organisation {n % organisations}",
            sector=sector(slug),
        )
        registrations.append(RegistrationFactory(event=event, user=user, consent_attendee_list=consent))
    return registrations
