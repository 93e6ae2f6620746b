"""Waitlist offers: a freed seat is held for the head of the waitlist until a deadline; accept, decline, expiry."""

import re
from datetime import datetime, timedelta
from email import message_from_bytes

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from events.services import event_update
from notifications.models import OutboxMessage
from registrations import offer_links, services
from registrations.models import Registration
from registrations.signals import registration_changed
from tests.accounts.factories import PartnershipFactory, UserFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db
WINDOW, INSTANT = 24, 12


@pytest.fixture
def changes():
    seen = []

    def receiver(sender, registration, change, **kwargs):
        seen.append((registration.user.email, change))

    registration_changed.connect(receiver)
    yield seen
    registration_changed.disconnect(receiver)


@pytest.fixture
def offering(db):
    return PartnershipFactory(slug="offers", offer_window_hours=WINDOW, offer_instant_within_hours=INSTANT)


def full_event(partnership, *, capacity=1, waiting=2, start_in=timedelta(days=10)):
    """An event with `capacity` confirmed people and `waiting` people on the waitlist, in that order."""
    start = (timezone.now() + start_in).replace(second=0, microsecond=0)
    event = EventFactory(partnership=partnership, capacity=capacity, start=start)
    people = [UserFactory(email=f"p{i}@example.org") for i in range(capacity + waiting)]
    for user in people:
        services.registration_create(event=event, user=user)
    return event, people


def row(event, user) -> Registration:
    return event.registrations.get(user=user)


def state(event):
    """(email, status, position) of everyone not cancelled, in roster order."""
    return [
        (r.user.email, r.status, r.waitlist_position)
        for r in event.registrations.exclude(status="cancelled").order_by("status", "waitlist_position", "pk")
    ]


# --- Services -------------------------------------------------------------------------------


def test_with_no_offer_window_a_freed_seat_is_given_at_once_as_before(partnership, changes):
    event, (a, b, c) = full_event(partnership)
    services.registration_cancel(registration=row(event, a), by=a)
    assert state(event) == [("p1@example.org", "confirmed", None), ("p2@example.org", "waitlisted", 1)]
    assert ("p1@example.org", "promoted") in changes


def test_a_freed_seat_is_offered_to_the_head_of_the_waitlist_and_held(offering, changes):
    event, (a, b, c) = full_event(offering)
    before = timezone.now().replace(microsecond=0)
    services.registration_cancel(registration=row(event, a), by=a)
    offered = row(event, b)
    assert offered.status == "offered" and offered.waitlist_position is None
    assert before + timedelta(hours=WINDOW) <= offered.offer_expires_at <= timezone.now() + timedelta(hours=WINDOW)
    assert row(event, c).waitlist_position == 1  # the position people see moves up
    assert ("p1@example.org", "offered") in changes and ("p1@example.org", "promoted") not in changes
    # The held seat counts as taken: a newcomer is waitlisted behind c, and the page says full.
    d, _ = services.registration_create(event=event, user=UserFactory())
    assert (d.status, d.waitlist_position) == ("waitlisted", 2)
    event.refresh_from_db()
    assert (event.confirmed, event.spaces_left, event.is_full) == (1, 0, True)


def test_accept_confirms_and_sends_the_invitation(offering, changes):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    accepted = services.offer_accept(registration=row(event, b))
    assert (accepted.status, accepted.offer_expires_at) == ("confirmed", None)
    assert changes[-1] == ("p1@example.org", "promoted")
    with pytest.raises(ValidationError) as error:
        services.offer_accept(registration=row(event, b))  # a second click: nothing more happens
    assert error.value.message_dict == {"offer": [services.OFFER_NOT_OPEN]}
    assert state(event) == [("p1@example.org", "confirmed", None), ("p2@example.org", "waitlisted", 1)]


def test_decline_passes_the_offer_to_the_next_person_in_order(offering, changes):
    event, (a, b, c, d) = full_event(offering, waiting=3)
    services.registration_cancel(registration=row(event, a), by=a)
    declined = services.offer_decline(registration=row(event, b))
    assert declined.status == "cancelled" and declined.offer_expires_at is None
    assert row(event, c).status == "offered"
    assert (row(event, d).status, row(event, d).waitlist_position) == ("waitlisted", 1)
    assert [c for _, c in changes[-2:]] == ["declined", "offered"]
    with pytest.raises(ValidationError):
        services.offer_accept(registration=row(event, b))


def test_the_sweep_ends_overdue_offers_and_offers_the_seat_on_once(offering, changes):
    event, (a, b, c, d) = full_event(offering, waiting=3)
    services.registration_cancel(registration=row(event, a), by=a)
    deadline = row(event, b).offer_expires_at
    assert services.offers_expire_due(now=deadline - timedelta(seconds=1)) == 0
    assert row(event, b).status == "offered"
    assert services.offers_expire_due(now=deadline) == 1
    assert row(event, b).status == "cancelled"
    assert ("p1@example.org", "offer_expired") in changes
    nxt = row(event, c)
    assert nxt.status == "offered" and nxt.offer_expires_at == deadline + timedelta(hours=WINDOW)
    assert services.offers_expire_due(now=deadline) == 0  # run twice: nothing more
    assert row(event, c).status == "offered" and row(event, d).waitlist_position == 1
    with pytest.raises(ValidationError) as error:  # the late click after the deadline
        services.offer_accept(registration=row(event, c), now=nxt.offer_expires_at)
    assert error.value.message_dict == {"offer": [services.OFFER_EXPIRED]}


def test_inside_the_instant_period_promotion_is_instant_again(offering, changes):
    event, (a, b, c) = full_event(offering, start_in=timedelta(hours=INSTANT - 1))
    services.registration_cancel(registration=row(event, a), by=a)
    assert row(event, b).status == "confirmed"
    assert changes[-1] == ("p1@example.org", "promoted")


def test_an_offer_never_runs_into_the_instant_period(offering):
    start_in = timedelta(hours=INSTANT + 5)  # a 24-hour window would end after the instant period begins
    event, (a, b, c) = full_event(offering, start_in=start_in)
    services.registration_cancel(registration=row(event, a), by=a)
    offered = row(event, b)
    assert offered.offer_expires_at == event.start - timedelta(hours=INSTANT)
    # At the deadline the sweep finds the instant period: the next person is confirmed at once.
    services.offers_expire_due(now=offered.offer_expires_at)
    assert (row(event, b).status, row(event, c).status) == ("cancelled", "confirmed")


def test_raising_capacity_offers_each_new_seat_in_order(offering):
    event, people = full_event(offering, waiting=3)
    event_update(event=event, capacity=3)
    assert [row(event, p).status for p in people] == ["confirmed", "offered", "offered", "waitlisted"]
    assert row(event, people[3]).waitlist_position == 1
    with pytest.raises(ValidationError):  # below the seats taken, held offers included
        event_update(event=event, capacity=2)


def test_cancelling_an_offered_place_offers_it_on(offering):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    services.registration_cancel(registration=row(event, b), by=b)
    assert row(event, c).status == "offered"


def test_a_walk_in_who_holds_an_offer_takes_the_held_seat(offering, coordinator):
    coordinator.memberships.update(partnership=offering)
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    walked = services.walk_in_add(event=event, by=coordinator, email=b.email, full_name=b.full_name)
    event.refresh_from_db()
    assert (walked.status, walked.offer_expires_at, walked.attendance) == ("confirmed", None, "attended")
    assert event.capacity == 1  # no extra seat: the offer held theirs


def test_the_database_refuses_an_offer_without_a_deadline(offering):
    from django.db import IntegrityError, transaction

    event, (a, b, c) = full_event(offering)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=row(event, b).pk).update(status="offered", waitlist_position=None)


def test_beat_runs_the_sweep_every_minute():
    from django_celery_beat.models import PeriodicTask

    from registrations.tasks import offers_expire_due_task

    task = PeriodicTask.objects.get(task=offers_expire_due_task.name)
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "minutes")


# --- The e-mail ------------------------------------------------------------------------------


def offer_mail(event, user, capture, cancel_who):
    with capture(execute=True):
        services.registration_cancel(registration=row(event, cancel_who), by=cancel_who)
    (sent,) = [m for m in mail.outbox if m.to == [user.email] and "accept it by" in m.subject]
    return sent


def test_the_offer_email_has_the_deadline_in_the_partnerships_zone_and_working_links(
    django_capture_on_commit_callbacks,
):
    perth = PartnershipFactory(slug="perth", time_zone="Australia/Perth", offer_window_hours=WINDOW)
    event, (a, b, c) = full_event(perth)
    mail.outbox.clear()
    sent = offer_mail(event, b, django_capture_on_commit_callbacks, a)
    deadline = timezone.localtime(row(event, b).offer_expires_at, perth.zone)
    shown = f"{deadline:%A %-d %B %Y, %-I:%M} {deadline:%p}".replace("AM", "am").replace("PM", "pm")
    assert shown in sent.subject and shown in sent.body and "Australia/Perth" in sent.body
    assert not sent.alternatives or all("calendar" not in m for _, m in sent.alternatives)  # no invite yet
    accept = re.search(r"Accept the place: (\S+)", sent.body).group(1)
    decline = re.search(r"Decline it: (\S+)", sent.body).group(1)
    assert accept.startswith(settings.SITE_URL)
    path = accept[accept.index("/offers/") :]
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and "Accept the place" in page.content.decode()
    assert row(event, b).status == "offered"  # a GET (a link scanner) changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path)
    assert done.status_code == 200 and "You're registered" in done.content.decode()
    assert row(event, b).status == "confirmed"
    invite = mail.outbox[-1]
    assert invite.to == [b.email] and "A place came free" in invite.subject
    parsed = message_from_bytes(invite.message().as_bytes())
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert Calendar.from_ical(part.get_payload(decode=True))["METHOD"] == "REQUEST"
    # The used links now say so plainly, not a 500 or a second change.
    again = client.post(path)
    assert again.status_code == 400 and services.OFFER_NOT_OPEN in again.content.decode()
    later = client.get(decline[decline.index("/offers/") :])
    assert later.status_code == 200 and "already have a place" in later.content.decode()
    assert row(event, b).status == "confirmed"


def test_expiry_sends_a_notice_and_the_next_offer(offering, django_capture_on_commit_callbacks):
    event, (a, b, c) = full_event(offering)
    offer_mail(event, b, django_capture_on_commit_callbacks, a)
    deadline = row(event, b).offer_expires_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.offers_expire_due(now=deadline)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "gone to the next person" in subjects[b.email]
    assert "accept it by" in subjects[c.email]
    assert OutboxMessage.objects.filter(kind="notice", to_email=c.email).count() == 1


# --- The pages ------------------------------------------------------------------------------


def test_decline_page_asks_then_declines_without_logging_in(offering):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    urls = offer_links.offer_urls(row(event, b))
    path = urls["decline_url"][urls["decline_url"].index("/offers/") :]
    client = Client(enforce_csrf_checks=False)
    asked = client.get(path)
    assert asked.status_code == 200 and "Decline the place" in asked.content.decode()
    assert client.post(path).status_code == 200
    assert (row(event, b).status, row(event, c).status) == ("cancelled", "offered")


def test_an_earlier_offers_link_does_not_act_on_a_later_offer(offering):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    old = offer_links.offer_urls(row(event, b))["accept_url"]
    services.offer_decline(registration=row(event, b))
    services.registration_create(event=event, user=b)  # registers again: waitlisted behind nobody
    path = old[old.index("/offers/") :]
    response = Client().post(path)
    assert response.status_code == 400
    assert row(event, b).status == "waitlisted"


def test_an_expired_offer_page_says_so(offering):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    urls = offer_links.offer_urls(row(event, b))
    services.offers_expire_due(now=row(event, b).offer_expires_at)
    page = Client().get(urls["accept_url"][urls["accept_url"].index("/offers/") :]).content.decode()
    assert "no longer open" in page


def test_a_forged_or_foreign_token_is_404(offering):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    from django.core import signing

    forged = signing.dumps({"r": row(event, b).pk, "u": b.pk, "o": 0}, salt="another.purpose")
    assert Client().get(f"/offers/{forged}/accept/").status_code == 404
    assert Client().get("/offers/not-a-token/accept/").status_code == 404


def test_the_session_page_and_my_sessions_offer_accept_and_decline(offering):
    event, (a, b, c) = full_event(offering)
    services.registration_cancel(registration=row(event, a), by=a)
    client = Client()
    client.force_login(b)
    paths = row(event, b).offer_paths()
    for url in (event.get_absolute_url(), "/my/sessions/"):
        page = client.get(url).content.decode()
        main = page[page.find("<main") :][:3000]
        assert "A place is held for you" in page, (row(event, b).status, main)
        assert paths["accept"] in page and paths["decline"] in page


def test_the_roster_shows_pending_offers_and_their_deadlines(offering, django_assert_max_num_queries):
    from tests.accounts.factories import CoordinatorFactory

    coordinator = CoordinatorFactory(partnership=offering)
    event, people = full_event(offering, capacity=3, waiting=3)
    for person in people[:2]:
        services.registration_cancel(registration=row(event, person), by=person)
    client = Client()
    client.force_login(coordinator)
    url = f"/manage/{offering.slug}/events/{event.pk}/roster/"
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "<strong>2</strong> offers pending" in page
    for person in people[3:5]:
        deadline = timezone.localtime(row(event, person).offer_expires_at, offering.zone)
        assert f"held until {deadline:%a} {deadline.day} {deadline:%b}" in page
    filtered = client.get(url + "?status=offered").content.decode()
    assert people[3].full_name in filtered and people[5].full_name not in filtered
    csv = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("Offer held until")


# --- The API --------------------------------------------------------------------------------


def test_api_accept_and_decline_for_the_signed_in_practitioner(offering, token_for):
    event, (a, b, c, d) = full_event(offering, capacity=2, waiting=2)
    services.registration_cancel(registration=row(event, a), by=a)
    services.registration_cancel(registration=row(event, b), by=b)
    client = Client()
    mine = row(event, c)
    body = client.get(f"/api/registrations/{mine.pk}", headers=token_for(c)).json()
    shown = datetime.fromisoformat(body["offer_expires_at"])
    assert body["status"] == "offered" and shown == mine.offer_expires_at
    assert shown.utcoffset() == timezone.localtime(mine.offer_expires_at, offering.zone).utcoffset()
    # Someone else (even another offered person) cannot answer c's offer.
    assert client.post(f"/api/registrations/{mine.pk}/offer/accept", headers=token_for(d)).status_code == 404
    accepted = client.post(f"/api/registrations/{mine.pk}/offer/accept", headers=token_for(c))
    assert accepted.status_code == 200 and accepted.json()["status"] == "confirmed"
    assert accepted.json()["check_in_code"]
    again = client.post(f"/api/registrations/{mine.pk}/offer/decline", headers=token_for(c))
    assert again.status_code == 400 and again.json()["detail"]
    theirs = row(event, d)
    declined = client.post(f"/api/registrations/{theirs.pk}/offer/decline", headers=token_for(d))
    assert declined.status_code == 200 and declined.json()["status"] == "cancelled"
    counts = client.get(f"/api/events/{event.pk}/roster/counts", headers=token_for(_coordinator(offering))).json()
    assert (counts["confirmed"], counts["offered"], counts["waitlisted"]) == (1, 0, 0)


def _coordinator(partnership):
    from tests.accounts.factories import CoordinatorFactory

    return CoordinatorFactory(partnership=partnership)


def test_cancelling_the_session_ends_its_offers_and_puts_the_people_back_at_the_head_of_the_waitlist(offering):
    from events.services import event_cancel

    event, (a, b, c, d) = full_event(offering, waiting=3)
    services.registration_cancel(registration=row(event, a))
    assert row(event, b).status == "offered"
    event_cancel(event=event, reason="The venue flooded.")
    assert state(event) == [
        ("p1@example.org", "waitlisted", 1),
        ("p2@example.org", "waitlisted", 2),
        ("p3@example.org", "waitlisted", 3),
    ]
    assert row(event, b).offer_expires_at is None
    assert services.offers_expire_due(now=timezone.now() + timedelta(days=30)) == 0
