"""Invitations by e-mail (iMIP, RFC 6047), waitlist notices, reminders and thank-yous, through the outbox."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from events.services import event_cancel, event_update
from notifications.messages import reminders_send_due
from notifications.models import OutboxMessage
from registrations.services import attendance_finalise, attendance_mark, registration_cancel, registration_create
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, OnlineVenueFactory

pytestmark = pytest.mark.django_db


def register(event, user, capture):
    with capture(execute=True):
        registration, _ = registration_create(event=event, user=user)
    return registration


def calendar_part(message):
    """The text/calendar part of a sent e-mail, as the receiving client sees it."""
    parsed = message_from_bytes(message.message().as_bytes())
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            return part, Calendar.from_ical(part.get_payload(decode=True))
    return None, None


def test_a_confirmed_registration_gets_an_invitation_that_parses_as_request(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    venue = OnlineVenueFactory(partnership=partnership)
    event = EventFactory(partnership=partnership, title="Child safety", venue=venue)
    registration = register(event, practitioner, django_capture_on_commit_callbacks)
    (sent,) = mail.outbox
    assert sent.to == [practitioner.email] and "You're registered" in sent.subject
    assert sent.reply_to == [partnership.contact_email]
    assert {mimetype for _, mimetype in sent.alternatives} == {"text/html", "text/calendar; method=REQUEST"}
    part, calendar = calendar_part(sent)
    assert part.get_param("method") == "REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@crossroads"
    assert str(vevent["ORGANIZER"]) == f"mailto:{partnership.contact_email}"  # replies reach a person
    assert vevent["ORGANIZER"].params["CN"] == partnership.name
    assert str(vevent["ATTENDEE"]) == f"mailto:{practitioner.email}"
    assert vevent["SEQUENCE"] == 0
    assert venue.online_url in vevent["LOCATION"]  # a confirmed registrant gets the link
    assert registration.display_code in sent.body
    assert OutboxMessage.objects.get().status == "sent"


def test_reschedule_update_then_cancel_with_rising_sequence_and_the_same_uid(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership)
    register(event, practitioner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, reason="Venue closed")
    invite, update, cancel = [calendar_part(m)[1] for m in mail.outbox]
    assert [c["METHOD"] for c in (invite, update, cancel)] == ["REQUEST", "REQUEST", "CANCEL"]
    uids = {str(c.walk("VEVENT")[0]["UID"]) for c in (invite, update, cancel)}
    assert uids == {f"{event.uid}@crossroads"}
    sequences = [c.walk("VEVENT")[0]["SEQUENCE"] for c in (invite, update, cancel)]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert cancel.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    moved = update.walk("VEVENT")[0]["DTSTART"].dt
    assert moved == event.start + timedelta(days=1)
    assert "has moved" in mail.outbox[1].body and "Venue closed" in mail.outbox[2].body


def test_re_registering_after_cancelling_carries_a_sequence_above_the_cancel(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership)
    registration = register(event, practitioner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration, by=practitioner)
    register(event, practitioner, django_capture_on_commit_callbacks)
    methods = [calendar_part(m)[1]["METHOD"] for m in mail.outbox]
    sequences = [calendar_part(m)[1].walk("VEVENT")[0]["SEQUENCE"] for m in mail.outbox]
    assert methods == ["REQUEST", "CANCEL", "REQUEST"]
    assert sequences[0] < sequences[1] < sequences[2]


def test_waitlisted_people_get_a_plain_email_then_an_invitation_when_promoted(
    partnership, practitioner, other_practitioner, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership, capacity=1)
    seated = register(event, other_practitioner, django_capture_on_commit_callbacks)
    register(event, practitioner, django_capture_on_commit_callbacks)
    waitlisted = mail.outbox[1]
    assert "waitlist (number 1)" in waitlisted.subject and calendar_part(waitlisted)[0] is None
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=seated, by=other_practitioner)
    promoted = [m for m in mail.outbox if m.to == [practitioner.email]][-1]
    assert "A place came free" in promoted.subject
    assert calendar_part(promoted)[1]["METHOD"] == "REQUEST"


def test_invitations_can_be_turned_off_for_feed_subscribers(partnership, django_capture_on_commit_callbacks):
    person = UserFactory(calendar_invites=False)
    register(EventFactory(partnership=partnership), person, django_capture_on_commit_callbacks)
    (sent,) = mail.outbox
    assert "You're registered" in sent.subject and calendar_part(sent)[0] is None


def test_a_rolled_back_registration_leaves_no_message(partnership, practitioner):
    from django.db import transaction

    event = EventFactory(partnership=partnership)
    with pytest.raises(RuntimeError), transaction.atomic():
        registration_create(event=event, user=practitioner)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the request failed after registering")
    assert OutboxMessage.objects.count() == 0 and not mail.outbox


def test_reminders_go_once_per_registration_even_if_the_schedule_runs_twice(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    soon = EventFactory(partnership=partnership, start=timezone.now() + timedelta(days=1, hours=2))
    later = EventFactory(partnership=partnership, start=timezone.now() + timedelta(days=10))
    register(soon, practitioner, django_capture_on_commit_callbacks)
    register(later, practitioner, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due() == 0
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Reminder:") and soon.title in reminder.subject
    parsed = message_from_bytes(reminder.message().as_bytes())
    images = [p for p in parsed.walk() if p.get_content_type() == "image/png"]
    assert images and images[0]["Content-ID"] == "<check-in-qr>"
    assert 'src="cid:check-in-qr"' in reminder.alternatives[0][0]


def test_no_reminders_when_the_partnership_turns_them_off(
    partnership, practitioner, django_capture_on_commit_callbacks
):
    partnership.reminder_days_before = 0
    partnership.save()
    register(EventFactory(partnership=partnership, start=timezone.now() + timedelta(hours=20)), practitioner,
             django_capture_on_commit_callbacks)  # fmt: skip
    assert reminders_send_due() == 0


def test_attendees_get_a_thank_you_after_attendance_is_final(
    partnership, coordinator, practitioner, other_practitioner, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership)
    came = register(event, practitioner, django_capture_on_commit_callbacks)
    register(event, other_practitioner, django_capture_on_commit_callbacks)
    attendance_mark(registration=came, attended=True, by=coordinator)
    event.start, event.end = timezone.now() - timedelta(hours=3), timezone.now() - timedelta(hours=1)
    event.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_finalise(event=event, by=coordinator)
    thanks = [m for m in mail.outbox if m.subject.startswith("Thank you for coming")]
    assert [m.to for m in thanks] == [[practitioner.email]]


def _feed_entry(client, user, event):
    from notifications.services import feed_token_get_or_create

    token = feed_token_get_or_create(user=user, kind="personal")
    calendar = Calendar.from_ical(client.get(f"/calendar/me/{token.token}.ics").content)
    (entry,) = [v for v in calendar.walk("VEVENT") if str(v["UID"]) == f"{event.uid}@crossroads"]
    return entry


def test_the_personal_feed_and_the_invitations_agree_on_each_persons_sequence(
    client, partnership, practitioner, other_practitioner, django_capture_on_commit_callbacks
):
    """Waitlisted (TENTATIVE) → promoted (CONFIRMED) raises the person's SEQUENCE in the feed, and the
    feed always says the SEQUENCE of the last invitation the person got."""
    event = EventFactory(partnership=partnership, capacity=1)
    seated = register(event, other_practitioner, django_capture_on_commit_callbacks)
    register(event, practitioner, django_capture_on_commit_callbacks)
    tentative = _feed_entry(client, practitioner, event)
    assert str(tentative["STATUS"]) == "TENTATIVE"
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=seated, by=other_practitioner)
    confirmed = _feed_entry(client, practitioner, event)
    assert str(confirmed["STATUS"]) == "CONFIRMED" and confirmed["SEQUENCE"] > tentative["SEQUENCE"]
    invitation = [m for m in mail.outbox if m.to == [practitioner.email] and calendar_part(m)[0]][-1]
    assert calendar_part(invitation)[1].walk("VEVENT")[0]["SEQUENCE"] == confirmed["SEQUENCE"]
    # The session moves: the update e-mailed and the feed still agree, and both rose.
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1))
    moved = _feed_entry(client, practitioner, event)
    update = [m for m in mail.outbox if m.to == [practitioner.email] and calendar_part(m)[0]][-1]
    assert calendar_part(update)[1].walk("VEVENT")[0]["SEQUENCE"] == moved["SEQUENCE"] > confirmed["SEQUENCE"]
    # The other person, cancelled, is not in their feed; the event's own SEQUENCE is unchanged by it.
    assert event.sequence <= moved["SEQUENCE"]


def test_every_invitation_carries_a_one_click_cancel_link_that_frees_the_seat(
    client, partnership, practitioner, other_practitioner, django_capture_on_commit_callbacks
):
    event = EventFactory(partnership=partnership, capacity=1)
    registration = register(event, practitioner, django_capture_on_commit_callbacks)
    register(event, other_practitioner, django_capture_on_commit_callbacks)  # waitlisted
    (invitation,) = [m for m in mail.outbox if m.to == [practitioner.email]]
    link = next(line for line in invitation.body.splitlines() if "Cancel my place" in line).split(": ", 1)[1]
    assert link.startswith("http://") and link in invitation.alternatives[0][0]  # also in the HTML part
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")  # no login needed; GET only asks (mail scanners follow links)
    assert page.status_code == 200 and b"Cancel my place" in page.content
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/{path}")
    assert done.status_code == 200 and b"Your place is cancelled" in done.content
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    promoted = [m for m in mail.outbox if m.to == [other_practitioner.email]][-1]
    assert "A place came free" in promoted.subject  # the seat went to the waitlist
    assert client.post(f"/{path}").status_code == 200  # a second click changes nothing
    # The token is single-purpose: tampered, or another signed value of the site, is a 404.
    assert client.get(f"/{path[:-3]}xyz/").status_code == 404
    from django.core import signing

    other = signing.dumps({"r": registration.pk, "u": practitioner.pk})  # the default salt
    assert client.get(f"/my/cancel-place/{other}/").status_code == 404


def test_the_cancel_link_after_the_start_refuses_with_a_message(
    client, partnership, practitioner, django_capture_on_commit_callbacks
):
    from notifications.messages import cancel_url

    event = EventFactory(partnership=partnership)
    registration = register(event, practitioner, django_capture_on_commit_callbacks)
    event.start, event.end = timezone.now() - timedelta(minutes=5), timezone.now() + timedelta(hours=1)
    event.save()
    path = "/" + cancel_url(registration).split("://", 1)[1].split("/", 1)[1]
    assert b"has started" in client.get(path).content
    response = client.post(path)
    assert response.status_code == 400 and b'role="alert"' in response.content
    registration.refresh_from_db()
    assert registration.status == "confirmed"
