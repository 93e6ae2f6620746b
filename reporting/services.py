"""Writes for feedback: the invitation (a secret link, through the outbox), answers, and quotes.

- `feedback_invite_attendees` runs in the transaction that finalises a session's attendance (see
  receivers.py): each attendee gets one invitation, recorded in the outbox with the change.
- `feedback_submit` takes one answer per attendee (a database rule; the registration row is locked
  while it decides) and lets it be changed for EDIT_DAYS after it was first given.
- `feedback_submit_with_link` is the same for someone holding the e-mailed link, who need not be
  logged in: the link is for one registration only and expires (`FeedbackRequest.usable_until`).
- `feedback_quote_select`: coordinators pick which answer to quote, only if the respondent agreed.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector, User
from events.models import Event
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue
from registrations.models import Registration
from registrations.selectors import registrations_attended
from registrations.services import registration_lock

from .models import EDIT_DAYS, LINK_DAYS, MAX_NEW_CONTACTS, Feedback, FeedbackRequest, hash_token, new_feedback_token

FEEDBACK_NOT_ATTENDED = "Only people who attended the session can give feedback on it."
FEEDBACK_EDIT_CLOSED = f"Feedback can be changed for {EDIT_DAYS} days after it is first given; this answer is final."
FEEDBACK_LINK_EXPIRED = "This feedback link has expired."
RATING_RANGE = "Choose a rating from 1 to 5."
NEW_CONTACTS_RANGE = f"Give a number from 0 to {MAX_NEW_CONTACTS}."
TEXT_TOO_LONG = "Keep it under 2,000 characters."
QUOTE_NEEDS_CONSENT = "This person did not agree to be quoted."
QUOTE_EMPTY = "That answer is empty: choose another one."
QUOTE_FIELD_UNKNOWN = "Choose one of: most_useful, do_differently, comments (or nothing)."
MAX_TEXT = 2000
TEXT_FIELDS = ("most_useful", "do_differently", "comments")


def feedback_link(raw_token: str) -> str:
    return f"{settings.SITE_URL}{reverse('feedback-answer', kwargs={'token': raw_token})}"


def is_attendee(registration: Registration) -> bool:
    """Confirmed and marked attended: the people who may give feedback."""
    return (
        registration.status == Registration.Status.CONFIRMED
        and registration.attendance == Registration.Attendance.ATTENDED
    )


@transaction.atomic
def feedback_request_create(*, registration: Registration) -> tuple[FeedbackRequest, str] | None:
    """A new invitation and its secret token (shown once, in the e-mail). None if one exists already."""
    if FeedbackRequest.objects.filter(registration=registration).exists():
        return None
    if not is_attendee(registration):
        raise ValidationError({"registration": FEEDBACK_NOT_ATTENDED})
    raw = new_feedback_token()
    now = timezone.now()
    request = FeedbackRequest.objects.create(
        registration=registration,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(days=LINK_DAYS),
    )
    return request, raw


def _invitation_email(registration: Registration, link: str, expires_at) -> dict:
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "user": registration.user,
        "feedback_url": link,
        "expires_at": timezone.localtime(expires_at, event.zone),
        "edit_days": EDIT_DAYS,
        "site_url": settings.SITE_URL,
        "my_sessions_url": f"{settings.SITE_URL}{reverse('my-sessions')}",
    }
    return {
        "subject": f"How was it? Two minutes of feedback on {event.title}",
        "body_text": render_to_string("reporting/email/feedback_invite.txt", context),
        "body_html": render_to_string("reporting/email/feedback_invite.html", context),
    }


@transaction.atomic
def feedback_invite(*, registration: Registration) -> OutboxMessage | None:
    """Invite one attendee (once): a feedback request and its e-mail, in the caller's transaction."""
    if registration.user is None or not is_attendee(registration):
        return None
    made = feedback_request_create(registration=registration)
    if made is None:
        return None
    request, raw = made
    return outbox_enqueue(
        kind=OutboxMessage.Kind.NOTICE,
        to_email=registration.user.email,
        user=registration.user,
        event=registration.event,
        registration=registration,
        reply_to=registration.event.partnership.contact_email,
        dedupe_key=f"feedback:{registration.pk}",
        **_invitation_email(registration, feedback_link(raw), request.expires_at),
    )


@transaction.atomic
def feedback_invite_attendees(*, event: Event) -> int:
    """Invite every attendee of the session who has an account, no invitation and no answer yet."""
    attendees = (
        registrations_attended(event=event)
        .filter(
            feedback_request__isnull=True,
            feedback__isnull=True,  # answered already (through the API)
        )
        .select_related("user", "event", "event__partnership", "event__venue")
        .order_by("pk")
    )
    return sum(1 for registration in attendees if feedback_invite(registration=registration) is not None)


def _clean_answers(
    *, rating, most_useful: str, do_differently: str, new_contacts, comments: str
) -> tuple[int, str, str, int, str]:
    errors = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = RATING_RANGE
    if isinstance(new_contacts, bool) or not isinstance(new_contacts, int) or not 0 <= new_contacts <= MAX_NEW_CONTACTS:
        errors["new_contacts"] = NEW_CONTACTS_RANGE
    texts = {}
    for name, value in (("most_useful", most_useful), ("do_differently", do_differently), ("comments", comments)):
        texts[name] = (value or "").strip()
        if len(texts[name]) > MAX_TEXT:
            errors[name] = TEXT_TOO_LONG
    if errors:
        raise ValidationError(errors)
    return rating, texts["most_useful"], texts["do_differently"], new_contacts, texts["comments"]


@transaction.atomic
def feedback_submit(
    *,
    registration: Registration,
    rating: int,
    would_recommend: bool,
    most_useful: str = "",
    do_differently: str = "",
    new_contacts: int = 0,
    sectors_connected: Iterable[Sector] = (),
    comments: str = "",
    consent_quote: bool = False,
    consent_name: bool = False,
) -> tuple[Feedback, bool]:
    """Give (or change, within EDIT_DAYS of the first answer) an attendee's feedback. Returns (feedback, created).

    The registration row is locked, so two submissions at once make one answer; the one-to-one on the
    registration backs the rule in the database. Withdrawing consent to be quoted unpicks the quote.
    """
    registration = registration_lock(registration=registration)
    if not is_attendee(registration):
        raise ValidationError({"registration": FEEDBACK_NOT_ATTENDED})
    now = timezone.now()
    feedback = Feedback.objects.filter(registration=registration).first()
    if feedback is not None and now >= feedback.editable_until:
        raise ValidationError({"feedback": FEEDBACK_EDIT_CLOSED})
    rating, most_useful, do_differently, new_contacts, comments = _clean_answers(
        rating=rating,
        most_useful=most_useful,
        do_differently=do_differently,
        new_contacts=new_contacts,
        comments=comments,
    )
    created = feedback is None
    if created:
        feedback = Feedback(registration=registration, submitted_at=now)
    feedback.rating = rating
    feedback.most_useful = most_useful
    feedback.do_differently = do_differently
    feedback.new_contacts = new_contacts
    feedback.would_recommend = bool(would_recommend)
    feedback.comments = comments
    feedback.consent_quote = bool(consent_quote)
    feedback.consent_name = bool(consent_name)
    if not feedback.consent_quote or (feedback.quote_field and not getattr(feedback, feedback.quote_field)):
        feedback.quote_field = ""
        feedback.quote_selected_by = None
    feedback.full_clean(exclude=["registration", "sectors_connected"])
    feedback.save()
    feedback.sectors_connected.set(list(sectors_connected))
    return feedback, created


def feedback_link_usable(*, feedback_request: FeedbackRequest, feedback: Feedback | None) -> bool:
    return timezone.now() < feedback_request.usable_until(feedback)


@transaction.atomic
def feedback_submit_with_link(*, feedback_request: FeedbackRequest, **answers) -> tuple[Feedback, bool]:
    """`feedback_submit` for the holder of an e-mailed link, while the link works."""
    feedback = Feedback.objects.filter(registration_id=feedback_request.registration_id).first()
    if not feedback_link_usable(feedback_request=feedback_request, feedback=feedback):
        raise ValidationError({"feedback": FEEDBACK_LINK_EXPIRED})
    return feedback_submit(registration=feedback_request.registration, **answers)


@transaction.atomic
def feedback_request_expire(*, feedback_request: FeedbackRequest) -> FeedbackRequest:
    """Make a link stop working now (staff, e.g. if an e-mail went to the wrong person)."""
    feedback_request.expires_at = timezone.now()
    feedback_request.save(update_fields=["expires_at"])
    return feedback_request


@transaction.atomic
def feedback_quote_select(*, feedback: Feedback, quote_field: str, by: User | None) -> Feedback:
    """Pick the answer to quote anonymously in reports ("" for none). Only with the respondent's consent."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    quote_field = quote_field or ""
    if quote_field and quote_field not in Feedback.QuoteField.values:
        raise ValidationError({"quote_field": QUOTE_FIELD_UNKNOWN})
    if quote_field and not feedback.consent_quote:
        raise ValidationError({"quote_field": QUOTE_NEEDS_CONSENT})
    if quote_field and not getattr(feedback, quote_field).strip():
        raise ValidationError({"quote_field": QUOTE_EMPTY})
    feedback.quote_field = quote_field
    feedback.quote_selected_by = by if quote_field else None
    feedback.save(update_fields=["quote_field", "quote_selected_by", "updated_at"])
    return feedback
