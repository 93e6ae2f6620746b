import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, Series
from tests.events.factories import EventFactory, RegistrationFactory, VenueFactory

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate().year + 1


def series_form(**overrides):
    data = {
        "title": "Collaborating for Systems Improvement",
        "description": "Monthly **PD**",
        "topics": "Referral pathways, Child safety",
        "cohosts": "City of Ballarat\nGrampians Public Health Unit",
        "start_time": "09:30",
        "duration_minutes": "120",
        "default_capacity": "50",
        "start_date": f"{NEXT_YEAR}-01-01",
        "pattern": "weekday",
        "ordinal": "1",
        "weekday": "WE",
        "interval": "1",
        "months": [str(m) for m in range(2, 12)],
        "end": "until",
        "until": f"{NEXT_YEAR}-11-30",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_coordinator_previews_then_creates_a_series_from_the_picker(client, partnership, coordinator):
    client.force_login(coordinator)
    url = "/manage/ballarat/series/new/"
    preview = client.post(url, series_form(action="preview"))
    assert preview.status_code == 200
    assert "Preview: 10 sessions" in preview.content.decode()
    assert not Series.objects.exists()
    created = client.post(url, series_form(publish="on"))
    series = Series.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/manage/ballarat/series/{series.pk}/"
    assert series.rrule == f"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=2,3,4,5,6,7,8,9,10,11;UNTIL={NEXT_YEAR}1130"
    assert series.cohosts == ["City of Ballarat", "Grampians Public Health Unit"]
    assert series.events.filter(status=Event.Status.PUBLISHED).count() == 10
    page = client.get(f"/manage/ballarat/series/{series.pk}/").content.decode()
    assert "Every month on the first Wednesday, February to November" in page
    assert re.search(r'<input type="radio" name="pattern" value="weekday"[^>]*checked', page)


def test_series_form_errors_are_shown_on_the_field(client, partnership, coordinator):
    client.force_login(coordinator)
    response = client.post("/manage/ballarat/series/new/", series_form(pattern="custom", rrule="FREQ=OFTEN"))
    assert response.status_code == 200
    assert "Not a valid recurrence rule" in response.content.decode()
    response = client.post("/manage/ballarat/series/new/", series_form(until=""))
    assert "Choose the last possible date" in response.content.decode()
    assert not Series.objects.exists()


def test_series_edit_asks_for_confirmation_before_moving_registered_sessions(client, partnership, coordinator):
    client.force_login(coordinator)
    client.post("/manage/ballarat/series/new/", series_form(publish="on"))
    series = Series.objects.get()
    RegistrationFactory(event=series.events.order_by("start").first())
    url = f"/manage/ballarat/series/{series.pk}/"
    response = client.post(url, series_form(start_time="13:00", publish="on"))
    assert response.status_code == 200
    assert 'name="confirm_moves"' in response.content.decode()
    assert series.events.order_by("start").first().local_start.hour == 9
    response = client.post(url, series_form(start_time="13:00", publish="on", confirm_moves="on"))
    assert response.status_code == 302
    assert {e.local_start.hour for e in series.events.all()} == {13}


def test_occurrence_edit_page_detaches_the_venue(client, partnership, coordinator):
    client.force_login(coordinator)
    client.post("/manage/ballarat/series/new/", series_form())
    event = Series.objects.get().events.order_by("start").first()
    venue = VenueFactory(partnership=partnership)
    page = client.get(f"/manage/ballarat/events/{event.pk}/edit/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "start": event.local_start.strftime("%Y-%m-%dT%H:%M"),
            "end": event.local_end.strftime("%Y-%m-%dT%H:%M"),
            "venue": venue.pk,
            "sectors": [],
        }
    )
    response = client.post(f"/manage/ballarat/events/{event.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert event.venue == venue and event.detached == ["venue"]


def test_cancel_page_needs_a_reason_and_shows_it(client, partnership, coordinator):
    event = EventFactory(partnership=partnership)
    client.force_login(coordinator)
    response = client.post(f"/manage/ballarat/events/{event.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    client.post(f"/manage/ballarat/events/{event.pk}/cancel/", {"reason": "Storm damage"})
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "Cancelled." in page and "Storm damage" in page


def test_upcoming_page_shows_spaces_and_full_sessions(client, partnership):
    open_event = EventFactory(partnership=partnership, title="Open one", capacity=5)
    full = EventFactory(partnership=partnership, title="Full one", capacity=1)
    RegistrationFactory(event=full)
    EventFactory(partnership=partnership, title="Draft one", status="draft")
    page = client.get("/events/").content.decode()
    assert "Open one" in page and "5 of 5 places left" in page
    assert "Full — join the waitlist" in page
    assert "Draft one" not in page
    assert open_event.get_absolute_url() in page


def test_upcoming_page_filters_by_sector(client, partnership):
    from tests.accounts.factories import sector

    medical = EventFactory(partnership=partnership, title="For doctors")
    medical.sectors.add(sector("medical"))
    EventFactory(partnership=partnership, title="For teachers").sectors.add(sector("education-and-care"))
    page = client.get("/events/?sector=medical").content.decode()
    assert "For doctors" in page and "For teachers" not in page


def test_month_view_places_sessions_on_their_local_day(client, partnership):
    start = timezone.now().replace(hour=22, minute=30, second=0, microsecond=0) + timedelta(days=40)
    event = EventFactory(partnership=partnership, title="Late UTC, next day local", start=start)
    local = event.local_start
    page = client.get(f"/events/month/?month={local:%Y-%m}").content.decode()
    assert "Late UTC, next day local" in page
    assert f"{local:%-I:%M} {local:%p}".lower().replace("am", "a.m.").replace("pm", "p.m.") in page


def test_month_view_opens_on_the_month_of_the_next_session(client, partnership):
    soon = timezone.now() + timedelta(days=75)
    EventFactory(partnership=partnership, title="Cancelled sooner", start=soon - timedelta(days=40), status="cancelled")
    event = EventFactory(partnership=partnership, title="The next session", start=soon)
    response = client.get("/events/month/")
    assert response.context["first"] == event.local_start.date().replace(day=1)
    assert "The next session" in response.content.decode()
    # An explicit month wins; with nothing coming up, this month.
    assert client.get("/events/month/?month=2020-01").context["first"].isoformat() == "2020-01-01"
    event.delete()
    assert client.get("/events/month/").context["first"] == timezone.localdate().replace(day=1)


def test_draft_detail_is_404_for_the_public_and_other_coordinators(client, partnership, other_coordinator):
    draft = EventFactory(partnership=partnership, status="draft")
    assert client.get(f"/events/{draft.pk}/").status_code == 404
    client.force_login(other_coordinator)
    assert client.get(f"/events/{draft.pk}/").status_code == 404
    assert client.get("/manage/ballarat/series/new/").status_code == 404
    assert client.get(f"/manage/ballarat/events/{draft.pk}/edit/").status_code == 404
