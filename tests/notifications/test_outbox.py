"""The outbox: nothing lost when the broker is down, nothing sent twice, SMTP failures retried."""

import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver, outbox_retry, outbox_sweep
from registrations.services import registration_create
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket closes


@pytest.fixture
def broker_down(settings):
    """Celery points at a port where nothing listens, and does not run tasks inline."""
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    _reset_connections()
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
    _reset_connections()


def _reset_connections():
    """Forget the app's pooled broker connections (as Celery does after a fork), so the next publish
    connects to the broker now configured. kombu's global pools are keyed by URL and stay as they are."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_registration_while_the_broker_is_down_is_delivered_once_afterwards(
    partnership, practitioner, broker_down, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership)
    with django_capture_on_commit_callbacks(execute=True):
        registration, _ = registration_create(event=event, user=practitioner)  # must not raise
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and not mail.outbox
    # The broker is back (tasks run inline again); the periodic sweep delivers what is pending.
    celery_app.conf.task_always_eager = True
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0
    assert outbox_deliver(message_id=message.pk).status == "sent"  # a late duplicate task: no-op
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [practitioner.email]


class FlakySMTPHandler:
    """An SMTP server that answers 451 (try later) to the first message and accepts the rest."""

    def __init__(self, failures: int = 1, code: int = 451):
        self.failures, self.code = failures, code
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):
        if self.failures > 0:
            self.failures -= 1
            return f"{self.code} Try again later" if self.code < 500 else f"{self.code} Mailbox unavailable"
        self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    def start(**handler_options):
        handler = FlakySMTPHandler(**handler_options)
        controller = Controller(handler, hostname="127.0.0.1", port=closed_port())
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        started.append(controller)
        return handler

    started: list = []
    yield start
    for controller in started:
        controller.stop()


def test_a_transient_smtp_failure_is_retried_with_backoff_and_sent_once(
    partnership, practitioner, smtp_server, django_capture_on_commit_callbacks
):
    handler = smtp_server(failures=1, code=451)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=EventFactory(partnership=partnership), user=practitioner)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "451" in message.last_error and message.next_attempt_at > timezone.now()
    assert outbox_sweep() == 0  # not due yet: backing off
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox_sweep() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(handler.received) == 1
    (envelope,) = handler.received
    assert envelope.rcpt_tos == [practitioner.email]
    parts = [p for p in message_from_bytes(envelope.content).walk() if p.get_content_type() == "text/calendar"]
    assert [p.get_param("method") for p in parts] == ["REQUEST"]


def test_a_permanent_failure_is_marked_failed_shown_to_coordinators_and_can_be_retried(
    client, partnership, coordinator, practitioner, smtp_server, django_capture_on_commit_callbacks
):
    handler = smtp_server(failures=1, code=550)
    event = EventFactory(partnership=partnership)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=practitioner)
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and "550" in message.last_error
    client.force_login(coordinator)
    page = client.get(f"/manage/ballarat/events/{event.pk}/messages/").content.decode()
    assert practitioner.email in page and "Failed" in page and "550" in page
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(message=message)
    message.refresh_from_db()
    assert message.status == "sent" and len(handler.received) == 1


def test_message_log_is_private_to_the_partnership(client, partnership, other_coordinator, practitioner):
    event = EventFactory(partnership=partnership)
    for user in (other_coordinator, practitioner):
        client.force_login(user)
        assert client.get(f"/manage/ballarat/events/{event.pk}/messages/").status_code == 404


def test_concurrent_deliveries_of_one_message_send_it_once(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    """Two workers picking up the same message: the row lock lets one send; the other sees it sent."""
    celery_app.conf.task_always_eager = False
    try:
        from django.db import transaction

        with transaction.atomic():
            registration_create(event=EventFactory(partnership=partnership), user=practitioner)
    finally:
        celery_app.conf.task_always_eager = True
    message = OutboxMessage.objects.get()
    results = [outbox_deliver(message_id=message.pk).status for _ in range(3)]
    assert results == ["sent", "sent", "sent"] and len(mail.outbox) == 1
