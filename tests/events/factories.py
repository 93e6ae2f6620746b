from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from events.models import Event, Topic, Venue
from registrations.models import Registration
from tests.accounts.factories import PartnershipFactory, UserFactory


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Venue {n}")
    kind = Venue.Kind.IN_PERSON
    address = "1 Sturt Street, Ballarat VIC 3350"


class OnlineVenueFactory(VenueFactory):
    kind = Venue.Kind.ONLINE
    address = ""
    online_url = "https://meet.example.org/secret-room"


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    description = "A session about **referral pathways**."
    start = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))
    capacity = 50
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    waitlist_position = factory.LazyAttribute(
        lambda o: o.event.registrations.filter(status="waitlisted").count() + 1 if o.status == "waitlisted" else None
    )
    check_in_code = factory.Sequence(lambda n: f"T{n:05d}")
    sector = factory.LazyAttribute(lambda o: o.user.sector if o.user else None)
