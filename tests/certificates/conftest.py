from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.services import attendance_mark
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def past_event(partnership):
    start = (timezone.now() - timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    return EventFactory(
        partnership=partnership,
        title="Referral pathways: who does what for families",
        start=start,
        end=start + timedelta(hours=2),
        cohosts=["City of Ballarat", "Grampians Public Health Unit"],
    )


@pytest.fixture
def attended(past_event, coordinator):
    """attended(user=None) -> a registration of past_event marked attended."""

    def make(user=None, **kwargs):
        registration = RegistrationFactory(event=past_event, user=user or UserFactory(), **kwargs)
        return attendance_mark(registration=registration, attended=True, by=coordinator)

    return make
