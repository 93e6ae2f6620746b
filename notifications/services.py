"""The outbox: record a message with the change that caused it, deliver it after commit, never twice.

- `outbox_enqueue` must run inside the transaction of the change (a registration, a cancellation…):
  if the change rolls back, so does the message. It stores the facts and a template name, not the
  rendered e-mail (rendering waits for delivery, outside the change's locks). After commit it asks
  Celery to deliver it; if the broker is down, the message simply stays pending.
- `outbox_deliver` takes one message in its own transaction (`SELECT … FOR UPDATE SKIP LOCKED`),
  renders, sends and marks it sent: a retried or duplicated task finds it sent (or locked by the
  worker sending it) and does nothing. *Any* exception while building or sending counts as an
  attempt and backs off; permanent SMTP refusals and the last attempt mark it failed, with the
  error, in the session's message log. One bad message never holds up another.
- `outbox_sweep` (Celery beat, every few minutes) delivers whatever is still pending and due, one
  message at a time, and resumes batch work that stopped making progress.
"""

import logging
import re
import smtplib
from datetime import timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.qr import qr_png

from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SWEEP_BATCH = 200
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def header_safe(text: str, limit: int = 250) -> str:
    """A subject fit for a mail header: line breaks (and NULs) collapsed to one space, trimmed."""
    text = _LINE_BREAKS.sub(" ", (text or "").replace("\x00", " "))
    return " ".join(text.split())[:limit]


def outbox_enqueue(
    *,
    kind: str,
    to_email: str,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    ical: str = "",
    ical_method: str = "",
    template: str = "",
    facts: dict | None = None,
    ical_sequence: int | None = None,
    user=None,
    event=None,
    registration=None,
    reply_to: str = "",
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Record a message in the current transaction; deliver it after commit.

    Either the bodies are given, or a `template` and its `facts` (rendered at delivery by
    `notifications.messages.render`). With a `dedupe_key` that was used before, nothing is recorded
    and None is returned.
    """
    if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    message = OutboxMessage(
        kind=kind,
        to_email=to_email,
        subject=header_safe(subject),
        body_text=body_text,
        body_html=body_html,
        ical=ical,
        ical_method=ical_method,
        template=template,
        facts=facts or {},
        ical_sequence=ical_sequence,
        user=user,
        event=event,
        registration=registration,
        reply_to=reply_to,
        dedupe_key=dedupe_key,
    )
    if dedupe_key:
        try:
            with transaction.atomic():  # a savepoint: a concurrent run that won the dedupe race is not an error
                message.save()
        except IntegrityError:
            return None
    else:
        message.save()  # no savepoint: this runs under the registration's lock, every query counts
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id: int) -> None:
    """Hand the message to Celery. A broker that is down is not an error: the sweep delivers it later."""
    from .tasks import outbox_deliver_task

    try:
        outbox_deliver_task.delay(message_id)
    except Exception:  # kombu raises a zoo of connection errors; none may break the request
        logger.warning("Outbox message %s stays pending: the task queue is not reachable.", message_id, exc_info=True)


def _permanent(error: Exception) -> bool:
    """Errors that no retry can mend: refusals (5xx), a gone recipient, a header that can never be sent."""
    from .messages import Undeliverable

    if isinstance(error, (smtplib.SMTPRecipientsRefused, Undeliverable, BadHeaderError)):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    from .messages import render

    render(message)  # a message recorded with a template gets its bodies now
    headers = {"Auto-Submitted": "auto-generated", "X-Crossroads-Message": str(message.pk)}
    if message.kind == OutboxMessage.Kind.ANNOUNCEMENT:
        from .announcements import list_headers

        headers.update(list_headers(message))
    email = EmailMultiAlternatives(
        subject=header_safe(message.subject),
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.ical:
        # RFC 6047: the calendar is an alternative body part with its METHOD as a parameter.
        email.attach_alternative(message.ical, f"text/calendar; method={message.ical_method}")
    if message.kind == OutboxMessage.Kind.REMINDER and message.registration_id and message.body_html:
        qr = _check_in_qr_png(message)
        if qr:
            email.mixed_subtype = "related"
            image = MIMEImage(qr, "png")
            image.add_header("Content-ID", "<check-in-qr>")
            image.add_header("Content-Disposition", "inline", filename="check-in.png")
            email.attach(image)
    return email


def _check_in_qr_png(message: OutboxMessage) -> bytes | None:
    from registrations.models import Registration
    from registrations.selectors import check_in_url

    registration = message.registration
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return None
    return qr_png(check_in_url(registration), scale=6, border=2)


RENDERED = ["body_text", "body_html", "ical"]
DELIVERY_FIELDS = ["status", "attempts", "last_error", "next_attempt_at", "sent_at", *RENDERED]


@transaction.atomic
def outbox_deliver(*, message_id: int) -> OutboxMessage | None:
    """Send one message if it is still pending, in its own transaction. Idempotent.

    A sent or failed message is left alone; one that another worker holds (locked) is skipped and
    None is returned. Any exception while building or sending is an attempt: it backs off, and it
    fails after the last attempt (at once for permanent refusals) with the error recorded.
    """
    message = (
        OutboxMessage.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("registration", "registration__event__partnership")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status != OutboxMessage.Status.PENDING:
        return message
    now = timezone.now()
    message.attempts += 1
    try:
        with transaction.atomic():  # a savepoint: a database error while rendering leaves the row usable
            build_email(message).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 - whatever it is, it must not stop other messages
        if message.template:  # what failed to go is rendered afresh next time
            for name in RENDERED:
                setattr(message, name, "")
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if _permanent(error) or message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        logger.warning("Outbox message %s: attempt %s failed: %s", message.pk, message.attempts, message.last_error)
    else:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.last_error = ""
    message.save(update_fields=DELIVERY_FIELDS)
    return message


def outbox_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Deliver pending messages that are due, each on its own; then resume stalled batch work.

    Returns how many messages were sent.
    """
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in due:
        try:
            message = outbox_deliver(message_id=message_id)
        except Exception:  # the database itself failed for this one: log it, go on with the rest
            logger.exception("Outbox message %s could not be delivered.", message_id)
            continue
        if message is not None and message.status == OutboxMessage.Status.SENT:
            sent += 1
    _resume_stalled_batches()
    return sent


def _resume_stalled_batches() -> None:
    """Tell the apps with batch work that a sweep ran (certificates resumes stalled batches)."""
    from .signals import outbox_swept

    for receiver, result in outbox_swept.send_robust(sender=None):
        if isinstance(result, Exception):
            logger.error("A sweep receiver failed: %s", receiver, exc_info=result)


@transaction.atomic
def outbox_retry(*, message: OutboxMessage) -> OutboxMessage:
    """A coordinator asks for a failed message to be tried again."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboxMessage.Status.FAILED:
        message.status = OutboxMessage.Status.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: dispatch(message.pk))
    return message


@transaction.atomic
def feed_token_get_or_create(*, user, kind: str):
    from .models import FeedToken

    token, _ = FeedToken.objects.get_or_create(user=user, kind=kind)
    return token


@transaction.atomic
def feed_token_reset(*, user, kind: str):
    """A new secret: the old feed URL stops working at once (404)."""
    from .models import FeedToken, new_feed_token

    token, created = FeedToken.objects.select_for_update().get_or_create(user=user, kind=kind)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token"])
    return token


@transaction.atomic
def calendar_invites_set(*, user, enabled: bool):
    user.calendar_invites = enabled
    user.save(update_fields=["calendar_invites"])
    return user
