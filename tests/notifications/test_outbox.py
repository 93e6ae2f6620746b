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


# --- One bad message never blocks another -----------------------------------------------------


def _queue_while_broker_is_down(partnership, count, capture):
    """`count` registrations (one message each) recorded while nothing can be queued."""
    from tests.accounts.factories import UserFactory

    people = [UserFactory() for _ in range(count)]
    event = EventFactory(partnership=partnership)
    with capture(execute=True):
        for person in people:
            registration_create(event=event, user=person)
    return event, people


def test_a_poisoned_message_and_five_good_ones_five_go_once_one_fails_visibly(
    client, partnership, coordinator, broker_down, django_capture_on_commit_callbacks, token_for
):
    """The oldest message cannot be sent (a recipient address with a line break: Django's
    BadHeaderError); the sweep sends the five behind it and marks it failed, with the error."""
    from tests.accounts.factories import UserFactory

    poisoned_user = UserFactory(email="poisoned@example.org")
    event = EventFactory(partnership=partnership)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=poisoned_user)
    OutboxMessage.objects.update(to_email="poisoned@example.org\nBcc: everyone@example.org")
    people = [UserFactory() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        for person in people:
            registration_create(event=event, user=person)
    assert OutboxMessage.objects.filter(status="pending", attempts=0).count() == 6 and not mail.outbox
    celery_app.conf.task_always_eager = True  # the broker is back
    assert outbox_sweep() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)  # once each
    poisoned = OutboxMessage.objects.get(to_email__startswith="poisoned@")
    assert (poisoned.status, poisoned.attempts) == ("failed", 1)
    assert "BadHeaderError" in poisoned.last_error
    assert outbox_sweep() == 0 and len(mail.outbox) == 5  # nothing goes twice
    client.force_login(coordinator)
    page = client.get(f"/manage/ballarat/events/{event.pk}/messages/?status=failed").content.decode()
    assert "poisoned@example.org" in page and "BadHeaderError" in page
    api = client.get(f"/api/events/{event.pk}/messages?status=failed", headers=token_for(coordinator)).json()
    assert [m["attempts"] for m in api["items"]] == [1] and "BadHeaderError" in api["items"][0]["last_error"]


def test_any_exception_while_building_counts_as_an_attempt_backs_off_and_fails_after_the_last(
    partnership, broker_down, django_capture_on_commit_callbacks
):
    """A message whose template cannot be rendered: each sweep counts an attempt and backs off, the
    good messages go meanwhile, and after the last attempt it is failed with the error."""
    from notifications.services import MAX_ATTEMPTS

    event, people = _queue_while_broker_is_down(partnership, 3, django_capture_on_commit_callbacks)
    broken = OutboxMessage.objects.order_by("pk").first()
    OutboxMessage.objects.filter(pk=broken.pk).update(template="notifications/email/no_such_template")
    celery_app.conf.task_always_eager = True
    assert outbox_sweep() == 2
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == ("pending", 1)
    assert "TemplateDoesNotExist" in broken.last_error and broken.next_attempt_at > timezone.now()
    for attempt in range(2, MAX_ATTEMPTS + 1):
        OutboxMessage.objects.filter(pk=broken.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        outbox_sweep()
        broken.refresh_from_db()
        assert broken.attempts == attempt
    assert broken.status == "failed" and "TemplateDoesNotExist" in broken.last_error
    assert len(mail.outbox) == 2


def test_a_title_with_a_line_break_is_sent_with_a_header_safe_subject(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership, title="Speech\r\nBcc: everyone@example.org\u2028and language")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=practitioner)
    (sent,) = mail.outbox
    assert "\n" not in sent.subject and "\r" not in sent.subject and "\u2028" not in sent.subject
    assert "Speech Bcc: everyone@example.org and language" in sent.subject
    assert sent.to == [practitioner.email] and not sent.bcc
    headers = sent.message().as_bytes().split(b"\r\n\r\n" if b"\r\n\r\n" in sent.message().as_bytes() else b"\n\n")[0]
    assert not [line for line in headers.splitlines() if line.lower().startswith(b"bcc")]


def test_a_message_for_a_deleted_account_fails_at_once_and_is_not_retried(
    partnership, practitioner, broker_down, django_capture_on_commit_callbacks
):
    from registrations.services import user_delete_account

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=EventFactory(partnership=partnership), user=practitioner)
    user_delete_account(user=practitioner)
    celery_app.conf.task_always_eager = True
    outbox_sweep()
    message = OutboxMessage.objects.order_by("pk").first()
    assert (message.status, message.attempts) == ("failed", 1) and "deleted" in message.last_error
    assert not mail.outbox


# --- A short lock: the registration records facts; rendering waits for delivery ----------------


def test_registering_renders_nothing_inside_the_lock_and_delivery_renders_from_the_stored_facts(
    partnership, practitioner, other_practitioner, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    from django.test.signals import template_rendered

    from notifications import ical

    rendered, serialised = [], []
    template_rendered.connect(
        lambda sender, template, **kw: rendered.append(template.name), weak=False, dispatch_uid="t"
    )
    real = ical.serialise
    monkeypatch.setattr(ical, "serialise", lambda calendar: serialised.append(1) or real(calendar))
    try:
        event = EventFactory(partnership=partnership, capacity=1)
        with django_capture_on_commit_callbacks(execute=True):
            first, _ = registration_create(event=event, user=practitioner)
            second, _ = registration_create(event=event, user=other_practitioner)  # waitlisted, number 1
        assert rendered == [] and serialised == []
    finally:
        template_rendered.disconnect(dispatch_uid="t")
    invite, waitlisted = OutboxMessage.objects.order_by("pk")
    assert (invite.body_text, invite.body_html, invite.ical) == ("", "", "")
    assert invite.template == "notifications/email/confirmed" and invite.ical_method == "REQUEST"
    assert invite.facts["status"] == "confirmed" and invite.ical_sequence == 0
    assert waitlisted.facts == {"status": "waitlisted", "waitlist_position": 1}
    # Things change before delivery: the waitlisted person is promoted. Each message still says what
    # was true when it was recorded, and the promotion is a message of its own.
    from registrations.services import registration_cancel

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=first, by=practitioner)
    celery_app.conf.task_always_eager = True
    outbox_sweep()
    waitlisted.refresh_from_db()
    assert waitlisted.status == "sent" and "number 1 on the waitlist" in waitlisted.body_text
    invite.refresh_from_db()
    assert invite.status == "sent" and "BEGIN:VCALENDAR" in invite.ical and "SEQUENCE:0" in invite.ical
    promoted = OutboxMessage.objects.get(registration=second, kind="invite")
    assert promoted.status == "sent" and "A place came free" in promoted.subject
    assert "SEQUENCE:1" in promoted.ical  # above the 0 taken when they joined the waitlist


# --- SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL) -------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_message_another_worker_holds_is_skipped_not_waited_for(partnership, broker_down):
    import threading

    from django.db import connection, transaction

    from tests.accounts.factories import UserFactory

    event = EventFactory(partnership=partnership)
    for _ in range(3):
        registration_create(event=event, user=UserFactory())
    held = OutboxMessage.objects.order_by("pk").first()
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert locked.wait(10)
        celery_app.conf.task_always_eager = True
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")  # without SKIP LOCKED the sweep would wait, then raise
        assert outbox_deliver(message_id=held.pk) is None  # held by the other worker: skipped
        assert outbox_sweep() == 2
        assert OutboxMessage.objects.get(pk=held.pk).status == "pending"
    finally:
        release.set()
        worker.join()
    assert outbox_sweep() == 1 and len(mail.outbox) == 3
