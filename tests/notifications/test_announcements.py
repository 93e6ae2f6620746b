"""Followers and announcements: one e-mail per publishing action, only to followers, one-click unsubscribe."""

import re
from datetime import time, timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.services import event_create, event_publish, series_create, series_publish, series_update
from notifications import announcements
from notifications.models import Announcement, Follow, OutboxMessage
from notifications.receivers import muted
from notifications.services import outbox_deliver
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _announcements():
    return OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ANNOUNCEMENT)


def _weekly_series(partnership, *, count=10, publish=False, topics=None):
    return series_create(
        partnership=partnership,
        title="Trauma-informed practice",
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        start_date=timezone.localdate() + timedelta(days=7),
        start_time=time(9, 30),
        topics=topics,
        publish=publish,
    )


def _raw(message: OutboxMessage):
    """The e-mail as it would go over SMTP, parsed back by Python's own e-mail parser."""
    from notifications.services import build_email

    return message_from_bytes(build_email(message).message().as_bytes(), policy=policy.default)


@pytest.fixture
def followers(partnership, practitioner, other_practitioner):
    """Two followers of `partnership`; `other_practitioner` follows nothing; one more follows another one."""
    a = announcements.follow_set(user=practitioner, partnership=partnership)
    b = announcements.follow_set(
        user=UserFactory(email="fay@example.org", full_name="Fay Follower"), partnership=partnership
    )
    return [a, b]


# --- One announcement per publishing action -----------------------------------------------------------


def test_publishing_a_series_of_ten_enqueues_one_message_per_follower_and_none_for_others(
    partnership, other_partnership, followers, other_practitioner, django_capture_on_commit_callbacks
):
    elsewhere = announcements.follow_set(user=other_practitioner, partnership=other_partnership)
    unverified = UserFactory(email="unconfirmed@example.org", email_verified=False)
    announcements.follow_set(user=unverified, partnership=partnership)
    series = _weekly_series(partnership)
    with django_capture_on_commit_callbacks(execute=True):
        published = series_publish(series=series)
    assert len(published) == 10
    sent = _announcements()
    assert sorted(sent.values_list("to_email", flat=True)) == sorted(f.user.email for f in followers)
    assert not sent.filter(to_email__in=[other_practitioner.email, unverified.email]).exists()
    assert elsewhere.user.email not in mail.outbox[0].to + mail.outbox[1].to
    assert len(mail.outbox) == 2  # delivered (eager Celery): one e-mail each, not ten
    log = Announcement.objects.get()
    assert log.kind == "sessions" and log.recipients == 2 and len(log.event_ids) == 10
    assert log.subject.startswith("New from Ballarat Community Partnership: Trauma-informed practice (10 sessions")
    body = mail.outbox[0].body
    assert body.count("Register: http") == 10
    for event in published:
        assert f"/events/{event.pk}/" in body


def test_each_way_of_publishing_is_one_announcement(partnership, followers, django_capture_on_commit_callbacks):
    start = timezone.now() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        event_create(
            partnership=partnership, title="One-off", start=start, end=start + timedelta(hours=1), publish=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        series = _weekly_series(partnership, count=3, publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        series_update(series=series, rrule="FREQ=WEEKLY;COUNT=5")  # two new dates, published with the series
    draft = EventFactory(partnership=partnership, status=Event.Status.DRAFT, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(event=draft)
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(event=draft)  # already published: nothing new to announce
    assert [len(a.event_ids) for a in Announcement.objects.order_by("pk")] == [1, 3, 2, 1]
    assert _announcements().count() == 4 * len(followers)


def test_nothing_is_announced_while_muted_or_without_followers(partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        series_publish(series=_weekly_series(partnership, count=2))
    assert Announcement.objects.get().recipients == 0 and not _announcements().exists()
    announcements.follow_set(user=UserFactory(), partnership=partnership)
    with muted(), django_capture_on_commit_callbacks(execute=True):
        series_publish(series=_weekly_series(partnership, count=2))
    assert Announcement.objects.count() == 1 and not _announcements().exists()


def test_announcement_waits_for_commit_and_a_rolled_back_publish_sends_nothing(
    partnership, followers, django_capture_on_commit_callbacks
):
    series = _weekly_series(partnership, count=2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        series_publish(series=series)
    assert not _announcements().exists()  # nothing written under the publish's locks
    assert len(callbacks) == 1
    callbacks[0]()
    assert _announcements().count() == 2


def test_topic_follow_gets_only_the_sessions_on_its_topics(
    partnership, practitioner, other_practitioner, django_capture_on_commit_callbacks
):
    housing, youth = TopicFactory(name="Housing", slug="housing"), TopicFactory(name="Youth", slug="youth")
    announcements.follow_set(user=practitioner, partnership=partnership, topics=[housing])
    announcements.follow_set(user=other_practitioner, partnership=partnership, topics=[youth])
    with django_capture_on_commit_callbacks(execute=True):
        series_publish(series=_weekly_series(partnership, count=2, topics=[housing]))
    assert list(_announcements().values_list("to_email", flat=True)) == [practitioner.email]


# --- The e-mail: headers, identification, unsubscribe -------------------------------------------------


def test_announcement_email_has_one_click_unsubscribe_headers_and_identifies_the_sender(
    partnership, followers, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        series_publish(series=_weekly_series(partnership, count=2))
    message = _announcements().get(to_email=followers[0].user.email)
    parsed = _raw(message)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(https?://[^>]+)>", str(parsed["List-Unsubscribe"]).strip()).group(1)
    assert link.startswith(settings.SITE_URL + "/unsubscribe/")
    assert parsed["List-Id"] == f'"{partnership.name}" <ballarat.{urlsplit(settings.SITE_URL).hostname}>'
    assert parsed["Reply-To"] == partnership.contact_email
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    for part in (text, html):
        assert partnership.name in part and partnership.contact_email in part
        assert link in part  # the visible link is the header's link
        assert "you follow" in part
    # The other follower's link is another one: specific to the follow.
    other = _raw(_announcements().get(to_email=followers[1].user.email))
    assert other["List-Unsubscribe"] != parsed["List-Unsubscribe"]


def test_one_click_post_unsubscribes_without_login_or_csrf_and_at_once(
    client, partnership, followers, django_capture_on_commit_callbacks
):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        series_publish(series=_weekly_series(partnership, count=2))
    for callback in callbacks:
        callback()  # the announcement is enqueued after the publish commits
    message = _announcements().get(to_email=followers[0].user.email)
    link = urlsplit(str(_raw(message)["List-Unsubscribe"]).strip()[1:-1]).path
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(link)
    assert page.status_code == 200 and b"Unsubscribe from" in page.content  # GET only asks
    assert Follow.objects.filter(pk=followers[0].pk).exists()
    response = strict.post(link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and b"You no longer follow" in response.content
    assert not Follow.objects.filter(pk=followers[0].pk).exists()
    assert Follow.objects.filter(pk=followers[1].pk).exists()  # only that follow
    assert (
        strict.post(link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        series_publish(series=_weekly_series(partnership, count=1))
    latest = Announcement.objects.order_by("-pk").first()
    assert latest.recipients == 1


def test_a_message_waiting_in_the_outbox_is_not_sent_after_unsubscribing(partnership, followers):
    announcements.sessions_announce(partnership_id=partnership.pk, event_ids=[EventFactory(partnership=partnership).pk])
    message = _announcements().get(to_email=followers[0].user.email)
    assert message.status == "pending"
    token = message.facts["unsubscribe_url"].rstrip("/").rsplit("/", 1)[1]
    assert announcements.unsubscribe(token=token) is True
    delivered = outbox_deliver(message_id=message.pk)
    assert delivered.status == "failed" and "stopped following" in delivered.last_error
    assert not mail.outbox


def test_bad_or_forged_unsubscribe_tokens_are_404(client, partnership, followers):
    from django.core import signing

    assert client.get("/unsubscribe/not-a-token/").status_code == 404
    forged = signing.dumps({"f": followers[0].pk, "u": followers[0].user_id, "p": partnership.pk}, salt="another")
    assert client.post(f"/unsubscribe/{forged}/").status_code == 404
    good = announcements.unsubscribe_token(followers[0])
    assert announcements.unsubscribe_lookup(good)[0] == followers[0]
    assert Follow.objects.count() == 2


# --- Manual announcements -----------------------------------------------------------------------------


def test_coordinator_previews_then_sends_and_the_log_counts_recipients(
    client, partnership, coordinator, followers, other_practitioner, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("announcements", args=[partnership.slug])
    injected = client.post(url, {"subject": "Room change\r\nBcc: everyone@example.org", "body": "Hi", "action": "send"})
    assert injected.status_code == 400 and "subject" in injected.content.decode()  # refused at the door
    data = {"subject": "Room change", "body": "We meet upstairs from March.\r\nThanks."}
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Send to 2 followers" in page and "We meet upstairs" in page
    assert not Announcement.objects.exists() and not _announcements().exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {**data, "action": "send"})
    assert sent.status_code == 302
    log = Announcement.objects.get()
    assert (log.kind, log.recipients, log.sent_by) == ("message", 2, coordinator)
    assert log.subject == "Room change"
    assert len(mail.outbox) == 2 and other_practitioner.email not in [m.to[0] for m in mail.outbox]
    parsed = _raw(_announcements().first())
    assert parsed["Bcc"] is None and parsed["Subject"] == log.subject
    assert coordinator.full_name in parsed.get_body(("plain",)).get_content()
    again = client.post(url, {**data, "action": "send"})  # a second click
    assert again.status_code == 400 and announcements.ALREADY_SENT in again.content.decode()
    assert Announcement.objects.count() == 1
    listing = client.get(url).content.decode()
    assert "Room change" in listing and coordinator.full_name in listing


def test_a_huge_announcement_is_a_form_error_naming_the_field(client, partnership, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("announcements", args=[partnership.slug]),
        {"subject": "Hi", "body": "x" * (announcements.BODY_MAX + 1), "action": "send"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert not Announcement.objects.exists()


def test_a_coordinator_of_another_partnership_cannot_announce(client, partnership, other_coordinator, followers):
    client.force_login(other_coordinator)
    url = reverse("announcements", args=[partnership.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"subject": "Hi", "body": "Hello", "action": "send"}).status_code == 404
    assert not Announcement.objects.exists()


def test_announcement_log_page_queries_do_not_grow(client, partnership, coordinator, django_assert_max_num_queries):
    for n in range(30):
        Announcement.objects.create(
            partnership=partnership, kind="message", sent_by=coordinator, subject=f"S{n}", body="b"
        )
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("announcements", args=[partnership.slug]))
    assert response.content.decode().count('<th scope="row">S') == 25


# --- Preferences page and sign-up ---------------------------------------------------------------------


def test_preferences_page_lists_follows_and_stops_one(client, partnership, other_partnership, practitioner):
    housing = TopicFactory(name="Housing", slug="housing")
    client.force_login(practitioner)
    assert client.post("/my/following/", {"partnership": partnership.slug, "topics": ["housing"]}).status_code == 302
    client.post("/my/following/", {"partnership": other_partnership.slug})
    page = client.get("/my/following/").content.decode()
    assert "Ballarat Community Partnership" in page and "only sessions on Housing" in page
    assert "Geelong Partnership" in page and "every new session" in page
    assert list(Follow.objects.get(partnership=partnership).topics.all()) == [housing]
    client.post(f"/my/following/{partnership.slug}/stop/")
    assert list(Follow.objects.values_list("partnership__slug", flat=True)) == ["geelong"]
    assert client.post("/my/following/", {"partnership": "nowhere"}).status_code == 400


def test_preferences_page_queries_do_not_grow(client, practitioner, django_assert_max_num_queries):
    from tests.accounts.factories import PartnershipFactory

    topics = [TopicFactory() for _ in range(3)]
    for _ in range(15):
        announcements.follow_set(user=practitioner, partnership=PartnershipFactory(), topics=topics)
    client.force_login(practitioner)
    with django_assert_max_num_queries(12):
        response = client.get("/my/following/")
    assert response.content.decode().count("Stop following") == 15


def test_sign_up_offers_following_unticked_and_follows_what_was_ticked(client, partnership, other_partnership):
    page = client.get(reverse("signup")).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="follow_partnerships"[^>]*>', page)
    assert len(boxes) == 2 and not any("checked" in box for box in boxes)
    data = {
        "full_name": "Nadia Newcomer",
        "email": "nadia@example.org",
        "password1": "Correct-Horse-Battery-9",
        "password2": "Correct-Horse-Battery-9",
    }
    client.post(reverse("signup"), {**data, "follow_partnerships": [partnership.pk]})
    follow = Follow.objects.get()
    assert (follow.user.email, follow.partnership, follow.source) == ("nadia@example.org", partnership, "sign-up")
    client.post(reverse("signup"), {**data, "email": "noah@example.org"})
    assert Follow.objects.count() == 1  # unticked: no follow


def test_announcements_go_only_to_confirmed_addresses(partnership, django_capture_on_commit_callbacks):
    from accounts.services import user_sign_up, user_verify_email

    user = user_sign_up(
        email="new@example.org", password="Correct-Horse-Battery-9", full_name="New", follow_partnerships=[partnership]
    )
    announcements.sessions_announce(partnership_id=partnership.pk, event_ids=[EventFactory(partnership=partnership).pk])
    assert not _announcements().exists()
    user_verify_email(user=user)
    announcements.sessions_announce(partnership_id=partnership.pk, event_ids=[EventFactory(partnership=partnership).pk])
    assert list(_announcements().values_list("to_email", flat=True)) == ["new@example.org"]


# --- The API ------------------------------------------------------------------------------------------


def test_follow_api_put_list_delete(client, partnership, practitioner, token_for):
    TopicFactory(name="Youth", slug="youth")
    headers = token_for(practitioner)
    put = client.put(
        f"/api/me/follows/{partnership.slug}", {"topics": ["youth"]}, content_type="application/json", headers=headers
    )
    assert put.status_code == 200 and put.json()["topics"] == ["youth"]
    assert [f["partnership"] for f in client.get("/api/me/follows", headers=headers).json()] == ["ballarat"]
    bad = client.put(
        f"/api/me/follows/{partnership.slug}", {"topics": ["nope"]}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 400 and "topics" in bad.json()["errors"]
    assert (
        client.put("/api/me/follows/nowhere", {}, content_type="application/json", headers=headers).status_code == 404
    )
    assert client.delete(f"/api/me/follows/{partnership.slug}", headers=headers).status_code == 204
    assert client.get("/api/me/follows", headers=headers).json() == []
    assert client.delete(f"/api/me/follows/{partnership.slug}", headers=headers).status_code == 204


def test_announcement_api_preview_send_log_and_errors(
    client, partnership, coordinator, other_coordinator, followers, token_for, django_capture_on_commit_callbacks
):
    headers = token_for(coordinator)
    base = f"/api/partnerships/{partnership.slug}/announcements"
    for subject in ("New venue\nfrom May", "New venue\x00"):
        refused = client.post(
            f"{base}/preview", {"subject": subject, "body": "x"}, content_type="application/json", headers=headers
        )
        assert refused.status_code == 400 and "subject" in refused.json()["errors"]
    body = {"subject": "  New venue from May ", "body": "We move to the library."}
    preview = client.post(f"{base}/preview", body, content_type="application/json", headers=headers)
    assert preview.status_code == 200
    assert preview.json()["recipients"] == 2 and preview.json()["subject"] == "New venue from May"
    assert "We move to the library." in preview.json()["body_text"] and not Announcement.objects.exists()
    huge = client.post(base, {**body, "body": "x" * 5001}, content_type="application/json", headers=headers)
    assert huge.status_code == 422 and "body" in huge.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(base, body, content_type="application/json", headers=headers)
    assert (
        sent.status_code == 201 and sent.json()["recipients"] == 2 and sent.json()["sent_by"] == coordinator.full_name
    )
    assert len(mail.outbox) == 2
    log = client.get(base, headers=headers).json()
    assert log["count"] == 1 and log["items"][0]["subject"] == "New venue from May"
    other = token_for(other_coordinator)
    assert client.get(base, headers=other).status_code == 404
    assert client.post(base, body, content_type="application/json", headers=other).status_code == 404
    assert Announcement.objects.count() == 1


def test_the_service_keeps_a_subject_with_line_breaks_or_nuls_to_one_header_line(partnership, coordinator, followers):
    """Callers past the request checks (the shell, admin, other apps) still cannot break the e-mail."""
    sent = announcements.announcement_send(
        partnership=partnership, sender=coordinator, subject="Hello\r\nBcc: all@example.org\x00", body="Body\x00"
    )
    assert sent.subject == "Hello Bcc: all@example.org"
    parsed = _raw(_announcements().first())
    assert parsed["Bcc"] is None and parsed["Subject"] == "Hello Bcc: all@example.org"
    with pytest.raises(ValidationError) as error:
        announcements.announcement_send(partnership=partnership, sender=coordinator, subject="\n", body="x" * 5001)
    assert set(error.value.message_dict) == {"subject", "body"}


def test_the_partnership_page_offers_following_and_keeps_the_topics_of_a_follow(client, partnership, practitioner):
    housing = TopicFactory(name="Housing", slug="housing")
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "to follow Ballarat Community Partnership" in page and "Sign up" in page
    client.force_login(practitioner)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Follow Ballarat Community Partnership</button>" in page
    client.post("/my/following/", {"partnership": partnership.slug, "keep_topics": "1"})
    follow = Follow.objects.get(user=practitioner)
    assert list(follow.topics.all()) == []
    client.post("/my/following/", {"partnership": partnership.slug, "topics": ["housing"]})
    client.post("/my/following/", {"partnership": partnership.slug, "keep_topics": "1"})  # the page's button again
    assert list(follow.topics.all()) == [housing] and Follow.objects.count() == 1
    client.post("/my/following/", {"partnership": partnership.slug})  # the preferences form, nothing ticked
    assert list(follow.topics.all()) == []


def test_a_failure_to_announce_never_undoes_or_breaks_the_publish(
    partnership, followers, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(announcements, "sessions_announce", broken)
    series = _weekly_series(partnership, count=2)
    with django_capture_on_commit_callbacks(execute=True):
        published = series_publish(series=series)  # must not raise
    assert {e.status for e in Event.objects.filter(series=series)} == {"published"} and len(published) == 2
    assert "database gone" in caplog.text


def test_follow_and_announcement_lists_in_the_api_do_not_grow_in_queries(
    client, partnership, coordinator, token_for, django_assert_max_num_queries
):
    from tests.accounts.factories import PartnershipFactory

    topics = [TopicFactory() for _ in range(3)]
    for _ in range(15):
        announcements.follow_set(user=coordinator, partnership=PartnershipFactory(), topics=topics)
    for n in range(15):
        Announcement.objects.create(
            partnership=partnership, kind="message", sent_by=coordinator, subject=f"S{n}", body="b"
        )
    headers = token_for(coordinator)
    with django_assert_max_num_queries(8):
        follows = client.get("/api/me/follows", headers=headers).json()
    assert len(follows) == 15 and all(len(f["topics"]) == 3 for f in follows)
    with django_assert_max_num_queries(8):
        log = client.get(f"/api/partnerships/{partnership.slug}/announcements", headers=headers).json()
    assert log["count"] == 15 and {item["sent_by"] for item in log["items"]} == {coordinator.full_name}
