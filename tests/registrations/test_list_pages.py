"""List pages stay fast: a page of rows at a time, a fixed number of queries whatever the size,
and a check-in QR code rendered once per registration (fixed mask, cached) and only where shown."""

from datetime import timedelta

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates import views as certificate_views
from core import qr
from registrations import selectors, views
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def add_my_sessions(partnership, user, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        RegistrationFactory(event=EventFactory(partnership=partnership, start=now + timedelta(days=1 + i)), user=user)
        RegistrationFactory(
            event=EventFactory(partnership=partnership, start=now - timedelta(days=1 + i)),
            user=user,
            attendance="attended",
        )


def test_my_sessions_in_a_fixed_number_of_queries_a_page_at_a_time(client, partnership, practitioner):
    client.force_login(practitioner)
    add_my_sessions(partnership, practitioner, 3)
    small, _ = queries(client, "/my/sessions/")
    add_my_sessions(partnership, practitioner, 40)
    large, page = queries(client, "/my/sessions/")
    assert large == small
    assert (
        page.count('class="qr"') == certificate_views.MY_SESSIONS_PER_PAGE
    )  # a page of upcoming sessions, a QR code each
    assert "Page 1 of 3" in page and "page=2" in page and "past=2" in page
    later, page = queries(client, "/my/sessions/?page=3&past=2")
    assert later == small and page.count('class="qr"') == 43 - 2 * certificate_views.MY_SESSIONS_PER_PAGE


def test_qr_codes_are_rendered_once_with_a_fixed_mask_and_only_for_confirmed_upcoming_sessions(
    client, partnership, practitioner, monkeypatch
):
    now = timezone.now()
    confirmed = RegistrationFactory(event=EventFactory(partnership=partnership), user=practitioner)
    RegistrationFactory(event=EventFactory(partnership=partnership), user=practitioner, status="waitlisted")
    RegistrationFactory(event=EventFactory(partnership=partnership, status="cancelled"), user=practitioner)
    RegistrationFactory(event=EventFactory(partnership=partnership, start=now - timedelta(days=3)), user=practitioner)
    rendered = []
    real = qr.qr_svg
    monkeypatch.setattr(qr, "qr_svg", lambda data, **options: rendered.append(data) or real(data, **options))
    client.force_login(practitioner)
    first = client.get("/my/sessions/").content.decode()
    assert rendered == [selectors.check_in_url(confirmed)]
    second = client.get("/my/sessions/").content.decode()
    assert rendered == [selectors.check_in_url(confirmed)]  # the second time from the cache
    assert first.count("<svg") == second.count("<svg") == 1
    assert f"<title>Check-in code {confirmed.display_code}</title>" in second
    assert (
        segno.make(selectors.check_in_url(confirmed), error="m", mask=qr.MASK).svg_inline(
            scale=4, border=2, title=f"Check-in code {confirmed.display_code}", dark="#000", light="#fff"
        )
        in second
    )


def add_roster(event, n: int, **kwargs) -> None:
    for _ in range(n):
        RegistrationFactory(event=event, user=UserFactory(), **kwargs)


def test_roster_in_a_fixed_number_of_queries_a_page_at_a_time(client, partnership, coordinator):
    event = EventFactory(partnership=partnership, capacity=500)
    client.force_login(coordinator)
    url = f"/manage/{partnership.slug}/events/{event.pk}/roster/"
    add_roster(event, 5)
    small, _ = queries(client, url)
    add_roster(event, 150)
    add_roster(event, 3, status="waitlisted")
    large, page = queries(client, url)
    assert large == small
    assert page.count("<tr>") - 1 == views.ROSTER_PER_PAGE  # the header row, then a page of people
    assert "Page 1 of 2" in page
    assert queries(client, url + "?page=2&status=confirmed")[0] == small
    csv = client.get(url + "?format=csv").content.decode()
    assert csv.count("\n") == 1 + 158  # the export is every row


def test_certificates_page_in_a_fixed_number_of_queries_a_page_at_a_time(client, partnership, coordinator):
    event = EventFactory(partnership=partnership, capacity=500, start=timezone.now() - timedelta(days=1))
    client.force_login(coordinator)
    url = f"/manage/{partnership.slug}/events/{event.pk}/certificates/"
    add_roster(event, 5, attendance="attended")
    small, _ = queries(client, url)
    add_roster(event, 150, attendance="attended")
    large, page = queries(client, url)
    assert large == small
    assert page.count('type="number"') == 100 and "Page 1 of 2" in page


def test_roster_rows_show_each_state_with_its_actions_and_escape_what_people_typed(client, partnership, coordinator):
    """The roster's rows are worked out in the view (labels, one reverse() per kind of URL); each row
    still gets the right actions, its own URLs, the page's CSRF token and escaped text."""
    from django.urls import reverse

    event = EventFactory(partnership=partnership, capacity=500)
    attended = RegistrationFactory(
        event=event, user=UserFactory(full_name="Ana Attended", organisation=""), attendance="attended"
    )
    unmarked = RegistrationFactory(
        event=event, user=UserFactory(full_name="Una <Unmarked>"), source="walk_in", needs="<b>ramp</b>"
    )
    waiting = RegistrationFactory(
        event=event, user=UserFactory(full_name="Wes Waiting"), status="waitlisted", waitlist_position=1
    )
    gone = RegistrationFactory(event=event, user=UserFactory(full_name="Cal Cancelled"), status="cancelled")
    client.force_login(coordinator)
    url = f"/manage/{partnership.slug}/events/{event.pk}/roster/"
    page = client.get(url).content.decode()
    rows = {r.pk: page.split(f"{r.user.full_name}".replace("<", "&lt;").replace(">", "&gt;"), 1)[1].split("</tr>")[0]
            for r in (attended, unmarked, waiting, gone)}  # fmt: skip

    def action(name, r):
        return reverse(name, kwargs={"slug": partnership.slug, "registration_id": r.pk})

    assert 'name="csrfmiddlewaretoken"' in rows[attended.pk]
    assert rows[attended.pk].count('name="csrfmiddlewaretoken"') == 2  # attendance and remove
    assert f'action="{action("roster-attendance", attended)}"' in rows[attended.pk]
    assert "Undo attended" in rows[attended.pk] and '<td data-label="Organisation">—</td>' in rows[attended.pk]
    assert f'action="{reverse("registration-cancel", kwargs={"registration_id": attended.pk})}"' in rows[attended.pk]
    assert f'name="next" value="{url}"' in rows[attended.pk]
    assert ">Attended<" in rows[unmarked.pk] and "(walk-in)" in rows[unmarked.pk]
    assert "&lt;b&gt;ramp&lt;/b&gt;" in rows[unmarked.pk] and "<b>ramp" not in page
    assert "Una &lt;Unmarked&gt;" in page and "Una <Unmarked>" not in page
    assert "Waitlisted #1" in rows[waiting.pk]
    assert f'action="{action("roster-top", waiting)}"' in rows[waiting.pk]
    assert '<td data-label="Attendance">—</td>' in rows[waiting.pk]
    assert "Remove" not in rows[gone.pk] and "Cancelled" in rows[gone.pk] and "<form" not in rows[gone.pk]
