"""The hand-built dataset the figures, views, API and PDF tests share (expected values in test_selectors.py)."""

from datetime import date

import pytest

from accounts.models import Sector
from events.models import Event
from registrations.models import Registration
from registrations.services import user_delete_account
from reporting.periods import Period
from tests.accounts.factories import UserFactory
from tests.events.factories import RegistrationFactory

from .factories import FeedbackFactory, attended, local, no_show, past_event

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


def sector(slug: str) -> Sector:
    return Sector.objects.get(slug=slug)


@pytest.fixture
def world(partnership, other_partnership):
    """Three sessions held in 2025, and sessions that must not count (cancelled, draft, 2024, elsewhere).

    People (sector, organisation): alice (medical, "Ballarat Health"), bob (education, " ballarat health "),
    carol (community, "Uniting"), dan (medical, no organisation), erin (education, "Sebastopol Kinder"),
    fay (community, "Uniting"), gus (community; deletes his account), and one anonymised registration
    with no sector and no `anonymised_at` ("lone").
    """
    medical, education, community = sector("medical"), sector("education-and-care"), sector("community-services")
    alice = UserFactory(full_name="Alice", sector=medical, organisation="Ballarat Health")
    bob = UserFactory(full_name="Bob", sector=education, organisation=" ballarat health ")
    carol = UserFactory(full_name="Carol", sector=community, organisation="Uniting")
    dan = UserFactory(full_name="Dan", sector=medical, organisation="")
    erin = UserFactory(full_name="Erin", sector=education, organisation="Sebastopol Kinder")
    fay = UserFactory(full_name="Fay", sector=community, organisation="Uniting")
    gus = UserFactory(full_name="Gus", sector=community, organisation="Child and Family Services")

    s1 = past_event(
        partnership, local(2025, 3, 5), title="S1", capacity=4, cohosts=["City of Ballarat", "Grampians PHU"]
    )
    s2 = past_event(partnership, local(2025, 6, 4), title="S2", capacity=3, cohosts=["City of Ballarat"])
    s3 = past_event(partnership, local(2025, 9, 3), title="S3", capacity=5, cohosts=["Uniting", "city of ballarat"])
    cancelled = past_event(partnership, local(2025, 10, 1), title="Cancelled", status=Event.Status.CANCELLED)
    draft = past_event(partnership, local(2025, 11, 5), title="Draft", status=Event.Status.DRAFT)
    earlier = past_event(partnership, local(2024, 12, 4), title="2024")
    elsewhere = past_event(other_partnership, local(2025, 3, 5), title="Geelong")

    # S1 (capacity 4): alice, bob, gus attended; carol no-show → 4 confirmed: full. erin waitlisted, dan cancelled.
    a1, b1, g1 = attended(s1, alice), attended(s1, bob), attended(s1, gus)
    c1 = no_show(s1, carol)
    RegistrationFactory(event=s1, user=erin, status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=s1, user=dan, status=Registration.Status.CANCELLED)
    # S2 (capacity 3): alice, gus, erin attended → full; fay still waitlisted.
    attended(s2, alice)
    attended(s2, gus)
    e2 = attended(s2, erin)
    RegistrationFactory(event=s2, user=fay, status=Registration.Status.WAITLISTED)
    # S3 (capacity 5): alice, dan and "lone" attended; bob no-show → 4 confirmed, not full.
    a3 = attended(s3, alice)
    attended(s3, dan)
    no_show(s3, bob)
    lone = RegistrationFactory(
        event=s3,
        user=None,
        sector=None,
        status=Registration.Status.CONFIRMED,
        attendance=Registration.Attendance.ATTENDED,
    )
    # Not counted anywhere:
    attended(cancelled, carol)
    attended(draft, carol)
    old = attended(earlier, alice)
    attended(elsewhere, alice)
    attended(elsewhere, fay)

    # Feedback.
    a1_fb = FeedbackFactory(
        registration=a1,
        rating=5,
        would_recommend=True,
        new_contacts=3,
        sectors_connected=[education, community],
        most_useful="Meeting the kinder teachers.",
        consent_quote=True,
        quote_field="most_useful",
    )
    FeedbackFactory(registration=b1, rating=4, would_recommend=True, new_contacts=2, sectors_connected=[education])
    FeedbackFactory(registration=g1, rating=3, would_recommend=False, new_contacts=0, consent_name=True)
    FeedbackFactory(registration=e2, rating=2, would_recommend=False, new_contacts=1, sectors_connected=[medical])
    FeedbackFactory(registration=lone, rating=5, would_recommend=True, new_contacts=4, sectors_connected=[community])
    FeedbackFactory(registration=c1, rating=1, would_recommend=False, new_contacts=9)  # a no-show's: ignored
    FeedbackFactory(registration=old, rating=1, comments="Old news.", consent_quote=True, quote_field="comments")
    FeedbackFactory(registration=a3, rating=4, consent_quote=True)  # S3, but see below: alice changes nothing

    # gus deletes his account after the sessions: his S1 and S2 registrations stay, anonymised together.
    user_delete_account(user=gus)
    return locals()
