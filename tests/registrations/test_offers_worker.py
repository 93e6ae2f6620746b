"""The offers' sweep through a real Celery worker consuming from Redis (CI's PostgreSQL + Redis pass)."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from registrations import services
from registrations.models import Registration
from tests.accounts.factories import PartnershipFactory, UserFactory
from tests.events.factories import EventFactory
from tests.notifications.test_worker import real_broker, wait_for  # noqa: F401 - the fixture

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_ends_an_overdue_offer_and_offers_the_seat_to_the_next_person(real_broker):  # noqa: F811
    partnership = PartnershipFactory(offer_window_hours=24)
    event = EventFactory(partnership=partnership, capacity=1, start=timezone.now() + timedelta(days=5))
    first, second, third = (UserFactory(email=f"w{i}@example.org") for i in range(3))
    for user in (first, second, third):  # eager is off: their e-mails wait in Redis for the worker
        services.registration_create(event=event, user=user)
    services.registration_cancel(registration=event.registrations.get(user=first), by=first)
    offered = event.registrations.get(user=second)
    assert offered.status == "offered"
    Registration.objects.filter(pk=offered.pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        # What beat does each minute: the task by the name its PeriodicTask row names.
        celery_app.send_task("registrations.tasks.offers_expire_due_task")
        assert wait_for(lambda: event.registrations.get(user=third).status == "offered", timeout=120)
        assert wait_for(lambda: any(m.to == [third.email] and "accept it by" in m.subject for m in mail.outbox))
        assert wait_for(lambda: any(m.to == [second.email] and "gone to the next" in m.subject for m in mail.outbox))
    assert event.registrations.get(user=second).status == "cancelled"
    assert services.offers_expire_due() == 0  # the worker's run left nothing overdue
