"""Followers and announcements: who asked to hear from a partnership, and what they are sent.

- `follow_set` / `follow_delete`: a person follows a partnership (optionally only some topics) or stops.
  Following is consent (Spam Act 2003): nothing is ever announced to anyone who does not follow.
- A publishing action (events' `sessions_published`) records ONE announcement in its own transaction
  (a series of 10 is one e-mail, not ten); once it commits, `announcement_fan_out` puts one outbox message
  per follower; the periodic sweep finishes any fan-out that never ran (`announcements_resume`).
- `announcement_send`: a coordinator's short message to the followers (the page previews it first).
- Every announcement carries a signed, per-follow unsubscribe link (`unsubscribe_url`) that works
  without logging in, also as RFC 8058 one-click (`List-Unsubscribe` headers, see `services.build_email`).
- `announcement_render` fills the bodies at delivery; a follow deleted meanwhile means nothing is sent.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import partnership_list
from core.links import ids_from_token, ids_token
from events import selectors as event_selectors

from .models import Announcement, Follow, OutboxMessage
from .services import header_safe, outbox_enqueue

logger = logging.getLogger(__name__)
SALT = "crossroads.notifications.unsubscribe"
TEMPLATE = "notifications/email/announcement"
SUBJECT_MAX = 150
BODY_MAX = 5000
SUBJECT_REQUIRED = "Give the announcement a subject."
BODY_REQUIRED = "Write the announcement."
SUBJECT_TOO_LONG = f"Keep the subject to {SUBJECT_MAX} characters."
BODY_TOO_LONG = f"Keep the announcement to {BODY_MAX} characters."
ALREADY_SENT = "This announcement was sent a moment ago; it is not sent twice."
UNKNOWN_TOPIC = "Unknown topic: {slug}."
RESEND_WINDOW = timedelta(minutes=10)


# --- Follows ---------------------------------------------------------------------------------------


def follow_list(*, user) -> QuerySet[Follow]:
    """What `user` follows, with the partnership and topics (two queries, whatever the count)."""
    from events.selectors import topic_list

    return (
        Follow.objects.filter(user=user)
        .select_related("partnership")
        .prefetch_related(Prefetch("topics", queryset=topic_list().order_by("name")))
    )


def followers_of(*, partnership) -> QuerySet[Follow]:
    """The follows that get announcements: active people whose address is confirmed (double opt-in)."""
    return (
        Follow.objects.filter(partnership=partnership, user__is_active=True, user__email_verified=True)
        .select_related("user", "partnership")
        .prefetch_related("topics")
        .order_by("pk")
    )


def topics_from_slugs(slugs: list[str], *, field: str = "topics") -> list:
    """The topics named by slug; an unknown one is a ValidationError naming `field`."""
    from events.selectors import topic_list

    slugs = list(dict.fromkeys(slugs or []))
    found = {t.slug: t for t in topic_list().filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise ValidationError({field: UNKNOWN_TOPIC.format(slug=missing[0])})
    return [found[s] for s in slugs]


@transaction.atomic
def follow_set(*, user, partnership, topics: list | None = None, source: str = "preferences") -> Follow:
    """Follow `partnership` (or change the topics of a follow). `[]`: every new session; `None`: a new
    follow gets every session and an existing one keeps its topics (the partnership page's button)."""
    follow, _ = Follow.objects.get_or_create(user=user, partnership=partnership, defaults={"source": source})
    if topics is not None:
        follow.topics.set(topics)
    return follow


@transaction.atomic
def follow_delete(*, user, partnership) -> bool:
    """Stop following, at once (messages still waiting in the outbox are not sent). True if one was deleted."""
    deleted, _ = Follow.objects.filter(user=user, partnership=partnership).delete()
    return bool(deleted)


def follows_from_sign_up(*, user, partnerships) -> None:
    """The partnerships ticked on the sign-up form (inside the sign-up's transaction)."""
    for partnership in partnerships:
        follow_set(user=user, partnership=partnership, source="sign-up")


# --- The one-click unsubscribe link ------------------------------------------------------------------


def unsubscribe_token(follow: Follow) -> str:
    """Signed for this follow only (its id, person and partnership), salted for this purpose only."""
    return ids_token(SALT, f=follow.pk, u=follow.user_id, p=follow.partnership_id)


def unsubscribe_url(follow: Follow) -> str:
    return f"{settings.SITE_URL}{reverse('unsubscribe', kwargs={'token': unsubscribe_token(follow)})}"


def unsubscribe_lookup(token: str):
    """(follow or None if already gone, partnership) for a good token; None for a bad one."""
    data = ids_from_token(token, SALT, "f", "u", "p")
    if data is None:
        return None
    partnership = partnership_list().filter(pk=data["p"]).first()
    if partnership is None:
        return None
    follow = Follow.objects.filter(pk=data["f"], user_id=data["u"], partnership_id=data["p"]).first()
    return follow, partnership


@transaction.atomic
def unsubscribe(*, token: str) -> bool:
    """The one-click unsubscribe: True if a follow was deleted (False: it was already gone)."""
    found = unsubscribe_lookup(token)
    if found is None or found[0] is None:
        return False
    follow = found[0]
    return follow_delete(user=follow.user, partnership=follow.partnership)


# --- Announcements ----------------------------------------------------------------------------------


def _when(event) -> str:
    return f"{event.local_start:%a %-d %b %Y, %-I:%M %p}".replace("AM", "am").replace("PM", "pm")


def sessions_subject(partnership, events: list) -> str:
    """'New from X: Title (Tue 3 Feb 2026, 9:30 am)', or the series/several-sessions forms."""
    first = events[0]
    if len(events) == 1:
        what = f"{first.title} ({_when(first)})"
    elif len({e.title for e in events}) == 1:
        what = f"{first.title} ({len(events)} sessions from {first.local_start:%-d %b %Y})"
    else:
        what = f"{len(events)} new sessions from {first.local_start:%-d %b %Y}"
    return header_safe(f"New from {partnership.name}: {what}", SUBJECT_MAX)


def _wanted(follow: Follow, events: list) -> list:
    """The sessions this follower asked about (all of them without topics)."""
    topics = {t.pk for t in follow.topics.all()}
    if not topics:
        return events
    return [e for e in events if topics & {t.pk for t in e.topics.all()}]


def _enqueue(announcement: Announcement, follow: Follow, subject: str, event_ids: list[int]) -> OutboxMessage | None:
    return outbox_enqueue(
        kind=OutboxMessage.Kind.ANNOUNCEMENT,
        to_email=follow.user.email,
        user=follow.user,
        subject=subject,
        template=TEMPLATE,
        facts={
            "announcement": announcement.pk,
            "follow": follow.pk,
            "event_ids": event_ids,
            "unsubscribe_url": unsubscribe_url(follow),
        },
        reply_to=follow.partnership.contact_email,
        dedupe_key=f"announce:{announcement.pk}:{follow.pk}",
    )


def sessions_announcement_record(*, partnership, events: list) -> Announcement | None:
    """In the publishing action's transaction: the announcement, to be sent to the followers once it
    commits (`announcement_fan_out`). Recorded with the publish, it is never lost: should the fan-out not
    run (the process stopped after the commit), the periodic outbox sweep does it (`announcements_resume`)."""
    events = sorted(events, key=lambda e: (e.start, e.pk))
    if not events:
        return None
    return Announcement.objects.create(
        partnership=partnership,
        kind=Announcement.Kind.SESSIONS,
        subject=sessions_subject(partnership, events),
        event_ids=[e.pk for e in events],
    )


@transaction.atomic
def announcement_fan_out(*, announcement_id: int) -> Announcement | None:
    """One outbox message per follower who wants any of the sessions still published; once (the row is
    locked and marked, and each message has a dedupe key, so running it twice sends nothing twice)."""
    announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if announcement is None or announcement.fanned_out_at is not None:
        return announcement
    events = sorted(
        event_selectors.event_list_published(event_ids=announcement.event_ids)
        .filter(partnership_id=announcement.partnership_id)
        .select_related("venue")
        .prefetch_related("topics"),
        key=lambda e: (e.start, e.pk),
    )
    sent = 0
    partnership = announcement.partnership
    for follow in followers_of(partnership=partnership) if events else ():
        wanted = _wanted(follow, events)
        if wanted and _enqueue(announcement, follow, sessions_subject(partnership, wanted), [e.pk for e in wanted]):
            sent += 1
    announcement.recipients += sent
    announcement.fanned_out_at = timezone.now()
    announcement.save(update_fields=["recipients", "fanned_out_at"])
    return announcement


def announcement_dispatch(announcement_id: int) -> None:
    """After the publish commits: the fan-out as a Celery task (a worker writes the messages, not the
    coordinator's request; inline on the embedded default). A broker that is down is not an error: the
    periodic sweep sends the announcement later (`announcements_resume`)."""
    from .tasks import announcement_fan_out_task

    try:
        announcement_fan_out_task.delay(announcement_id)
    except Exception:  # kombu raises many kinds of connection errors; none may break the publish
        logger.warning("Announcement %s waits for the sweep: not handed on.", announcement_id, exc_info=True)


# An announcement recorded this long ago and not yet sent to its followers is picked up by the sweep
# (younger ones are most likely being sent right now, just after their commit).
RESUME_AFTER = timedelta(minutes=2)


def announcements_resume(*, now=None) -> list[int]:
    """The periodic sweep: send the announcements whose fan-out never ran. Returns their ids."""
    now = now or timezone.now()
    waiting = list(
        Announcement.objects.filter(fanned_out_at__isnull=True, created_at__lte=now - RESUME_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    for announcement_id in waiting:
        announcement_fan_out(announcement_id=announcement_id)
    return waiting


@transaction.atomic
def sessions_announce(*, partnership_id: int, event_ids: list[int]) -> Announcement | None:
    """Record and send at once (for callers outside a publishing action). None when nothing is left."""
    events = list(event_selectors.event_list_published(event_ids=event_ids).filter(partnership_id=partnership_id))
    if not events:
        return None
    announcement = sessions_announcement_record(partnership=events[0].partnership, events=events)
    return announcement_fan_out(announcement_id=announcement.pk)


def announcement_clean(*, subject: str, body: str) -> tuple[str, str]:
    """The subject made header-safe and the body trimmed; errors name the field."""
    subject = header_safe(subject or "", limit=10 * SUBJECT_MAX)
    body = (body or "").replace("\x00", "").replace("\r\n", "\n").strip()
    errors = {}
    if not subject:
        errors["subject"] = SUBJECT_REQUIRED
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = SUBJECT_TOO_LONG
    if not body:
        errors["body"] = BODY_REQUIRED
    elif len(body) > BODY_MAX:
        errors["body"] = BODY_TOO_LONG
    if errors:
        raise ValidationError(errors)
    return subject, body


def announcement_preview(*, partnership, sender, subject: str, body: str) -> dict:
    """What followers would get (the text e-mail, addressed to the sender as a sample) and to how many."""
    subject, body = announcement_clean(subject=subject, body=body)
    context = _message_context(
        partnership=partnership,
        user=sender,
        announcement=Announcement(partnership=partnership, kind=Announcement.Kind.MESSAGE, sent_by=sender, body=body),
        events=[],
        unsubscribe="(each person's own unsubscribe link)",
    )
    return {
        "subject": subject,
        "body_text": render_to_string(f"{TEMPLATE}.txt", context),
        "recipients": followers_of(partnership=partnership).count(),
    }


@transaction.atomic
def announcement_send(*, partnership, sender, subject: str, body: str) -> Announcement:
    """A coordinator's announcement to every follower, through the outbox; logged with the count."""
    subject, body = announcement_clean(subject=subject, body=body)
    recent = Announcement.objects.select_for_update().filter(
        partnership=partnership,
        kind=Announcement.Kind.MESSAGE,
        subject=subject,
        body=body,
        created_at__gte=timezone.now() - RESEND_WINDOW,
    )
    if recent.exists():  # a second click on "Send", or the form sent again
        raise ValidationError({"subject": ALREADY_SENT})
    announcement = Announcement.objects.create(
        partnership=partnership, kind=Announcement.Kind.MESSAGE, sent_by=sender, subject=subject, body=body
    )
    sent = sum(1 for follow in followers_of(partnership=partnership) if _enqueue(announcement, follow, subject, []))
    announcement.recipients = sent
    announcement.fanned_out_at = timezone.now()
    announcement.save(update_fields=["recipients", "fanned_out_at"])
    return announcement


def announcement_list(*, partnership) -> QuerySet[Announcement]:
    return Announcement.objects.filter(partnership=partnership).select_related("sent_by")


# --- Rendering at delivery ------------------------------------------------------------------------


def _message_context(*, partnership, user, announcement, events, unsubscribe: str) -> dict:
    return {
        "partnership": partnership,
        "user": user,
        "announcement": announcement,
        "events": [{"event": e, "url": f"{settings.SITE_URL}{e.get_absolute_url()}"} for e in events],
        "unsubscribe_url": unsubscribe,
        "preferences_url": f"{settings.SITE_URL}{reverse('following')}",
        "partnership_url": f"{settings.SITE_URL}{partnership.get_absolute_url()}",
        "site_url": settings.SITE_URL,
        "sender_name": announcement.sent_by.full_name if announcement.sent_by_id else "",
    }


def announcement_render(message: OutboxMessage) -> None:
    """The bodies of an announcement, at delivery. Unfollowed meanwhile, or every session gone: not sent."""
    from .messages import Undeliverable

    facts = message.facts or {}
    follow = Follow.objects.select_related("user", "partnership").filter(pk=facts.get("follow")).first()
    if follow is None or follow.user_id != message.user_id:
        raise Undeliverable("The person stopped following before the announcement went out.")
    announcement = Announcement.objects.select_related("sent_by").filter(pk=facts.get("announcement")).first()
    if announcement is None:
        raise Undeliverable("The announcement was deleted.")
    events = []
    if facts.get("event_ids"):
        events = sorted(
            event_selectors.event_list_published(event_ids=facts["event_ids"]).select_related("venue"),
            key=lambda e: (e.start, e.pk),
        )
        if not events:
            raise Undeliverable("Every session announced was cancelled or withdrawn before it went out.")
    context = _message_context(
        partnership=follow.partnership,
        user=follow.user,
        announcement=announcement,
        events=events,
        unsubscribe=facts.get("unsubscribe_url") or unsubscribe_url(follow),
    )
    message.body_text = render_to_string(f"{TEMPLATE}.txt", context)
    message.body_html = render_to_string(f"{TEMPLATE}.html", context)


def list_headers(message: OutboxMessage) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe and RFC 2919 List-Id for an announcement (what bulk senders must send)."""
    url = (message.facts or {}).get("unsubscribe_url", "")
    if not url:
        return {}
    follow = Follow.objects.select_related("partnership").filter(pk=(message.facts or {}).get("follow")).first()
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "bulk",
    }
    if follow is not None:
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "crossroads.invalid"
        name = header_safe(follow.partnership.name, 100).replace('"', "")
        headers["List-Id"] = f'"{name}" <{follow.partnership.slug}.{host}>'
    return headers
