"""Pages: the dashboard, its CSV files, the responses page with quote picking, and the feedback link."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector
from registrations.models import Registration
from reporting import services
from reporting.models import Feedback, FeedbackRequest
from tests.events.factories import RegistrationFactory

from .factories import FeedbackFactory, attended, local, past_event

pytestmark = pytest.mark.django_db
YEAR = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


def dashboard_url(slug="ballarat"):
    return reverse("reports-dashboard", kwargs={"slug": slug})


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- Dashboard ------------------------------------------------------------------------------------
def test_dashboard_shows_the_figures_for_the_period(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(dashboard_url(), YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 January 2025 – 31 December 2025" in html
    figures = {f.label: f.value for f in response.context["figures"]}
    assert figures["Sessions held"] == "3"
    assert figures["Attendances"] == "9"
    assert figures["Returning practitioners"] == "2"
    assert figures["Practitioners"] == "6"
    assert figures["Average rating"] == "3.83 / 5"
    assert 'role="img"' in html and '<title id="chart-sector-mix-title">' in html
    for key in ("sector-mix", "practitioners", "organisations", "feedback", "ratings", "connections", "waitlist"):
        assert f'id="table-{key}"' in html
        assert reverse("reports-csv", kwargs={"slug": "ballarat", "table": key}) + "?date_from=2025-01-01" in html
    assert "Co-hosted with City of Ballarat, Grampians PHU, Uniting." in html
    assert "Meeting the kinder teachers." in html


def test_dashboard_defaults_to_the_last_twelve_months(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.get(dashboard_url())
    today = timezone.localdate(timezone=partnership.zone)
    period = response.context["period"]
    assert period.date_to == today and period.preset == "last-12-months"
    assert period.days in (365, 366)
    assert "No sessions were held in this period." in response.content.decode()


def test_dashboard_presets(client, coordinator, partnership, world):
    client.force_login(coordinator)
    today = timezone.localdate(timezone=partnership.zone)
    response = client.get(dashboard_url(), {"preset": "last-calendar-year"})
    period = response.context["period"]
    assert (period.date_from.isoformat(), period.date_to.isoformat()) == (
        f"{today.year - 1}-01-01",
        f"{today.year - 1}-12-31",
    )
    response = client.get(dashboard_url(), {"preset": "this-financial-year"})
    period = response.context["period"]
    assert period.date_from.month == 7 and period.date_from.day == 1 and period.days in (365, 366)
    assert period.date_from <= today <= period.date_to


def test_dashboard_refuses_backwards_dates_and_shows_the_default(client, coordinator):
    client.force_login(coordinator)
    response = client.get(dashboard_url(), {"date_from": "2025-12-31", "date_to": "2025-01-01"})
    assert response.status_code == 200
    assert "The start date must not be after the end date." in response.content.decode()
    assert response.context["period"].preset == "last-12-months"


def test_reports_are_for_the_partnerships_coordinators_only(client, other_coordinator, practitioner, world):
    for path in (
        dashboard_url(),
        reverse("reports-csv", kwargs={"slug": "ballarat", "table": "sessions"}),
        reverse("reports-pdf", kwargs={"slug": "ballarat"}),
        reverse("reports-feedback", kwargs={"slug": "ballarat"}),
    ):
        assert client.get(path).status_code == 302  # to the login page
        for person in (other_coordinator, practitioner):
            client.force_login(person)
            assert client.get(path).status_code == 404
        client.logout()


def test_the_manage_page_links_to_the_reports(client, coordinator, partnership):
    client.force_login(coordinator)
    html = client.get(reverse("manage-partnership", kwargs={"slug": "ballarat"})).content.decode()
    assert f'href="{dashboard_url()}"' in html


# --- CSV ------------------------------------------------------------------------------------------
def test_csv_of_the_sector_mix_has_the_same_numbers_as_the_page(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(reverse("reports-csv", kwargs={"slug": "ballarat", "table": "sector-mix"}), YEAR)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ballarat-sector-mix-2025-01-01-to-2025-12-31.csv"'
    )
    assert csv_rows(response) == [
        ["Date", "Session", "Medical", "Education and care", "Community services", "Not stated", "Total attended"],
        ["2025-03-05", "S1", "1", "1", "1", "0", "3"],
        ["2025-06-04", "S2", "1", "1", "1", "0", "3"],
        ["2025-09-03", "S3", "2", "0", "0", "1", "3"],
        ["Total", "All sessions", "4", "2", "2", "1", "9"],
    ]


def test_csv_of_practitioners_and_sessions(client, coordinator, world):
    client.force_login(coordinator)
    url = reverse("reports-csv", kwargs={"slug": "ballarat", "table": "practitioners"})
    assert csv_rows(client.get(url, YEAR)) == [
        ["Sessions attended", "Practitioners", "Of whom former members"],
        ["1", "4", "1"],
        ["2", "1", "1"],
        ["3", "1", "0"],
        ["All", "6", "2"],
    ]
    rows = csv_rows(client.get(reverse("reports-csv", kwargs={"slug": "ballarat", "table": "sessions"}), YEAR))
    assert rows[1] == ["2025-03-05", "S1", "4", "4", "3", "1", "25", "1", "yes", "3", "4"]
    assert rows[-1] == ["Total", "3 sessions", "12", "11", "9", "2", "18.2", "2", "2", "6", "3.83"]


def test_csv_neutralises_spreadsheet_formulas(client, coordinator, partnership):
    event = past_event(partnership, local(2025, 4, 2), title='=HYPERLINK("http://evil.example","x")')
    attended(event)
    client.force_login(coordinator)
    rows = csv_rows(client.get(reverse("reports-csv", kwargs={"slug": "ballarat", "table": "sessions"}), YEAR))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","x")'


def test_csv_of_an_unknown_table_or_bad_dates(client, coordinator, world):
    client.force_login(coordinator)
    assert client.get(reverse("reports-csv", kwargs={"slug": "ballarat", "table": "people"})).status_code == 404
    url = reverse("reports-csv", kwargs={"slug": "ballarat", "table": "sessions"})
    assert client.get(url, {"date_from": "2025-02-01", "date_to": "2025-01-01"}).status_code == 400
    assert client.get(url, {"date_from": "1999-12-31"}).status_code == 400


# --- Responses and quotes -------------------------------------------------------------------------
def test_responses_page_hides_names_unless_agreed(client, coordinator, world):
    bob_feedback = world["b1"].feedback
    bob_feedback.consent_name = True
    bob_feedback.save()
    client.force_login(coordinator)
    response = client.get(reverse("reports-feedback", kwargs={"slug": "ballarat"}), YEAR)
    html = response.content.decode()
    assert "6 responses." in html
    assert "Bob" in html
    for name in ("Alice", "Erin", "Dan"):
        assert name not in html
    assert html.count("Name not shared") == 5
    assert html.count("Did not agree to be quoted.") == 4  # alice twice consented (S1 and S3)


def test_responses_page_filters_by_session(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(reverse("reports-feedback", kwargs={"slug": "ballarat"}), {**YEAR, "event": world["s3"].pk})
    assert response.context["page"].paginator.count == 2


def test_a_coordinator_picks_and_unpicks_a_quote(client, coordinator, world):
    feedback = world["a3"].feedback
    Feedback.objects.filter(pk=feedback.pk).update(comments="The best morning of the year.")
    client.force_login(coordinator)
    url = reverse("feedback-quote", kwargs={"slug": "ballarat", "feedback_id": feedback.pk})
    response = client.post(
        url, {f"f{feedback.pk}-quote_field": "comments", "next": "/manage/ballarat/reports/feedback/"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#feedback-{feedback.pk}")
    feedback.refresh_from_db()
    assert feedback.quote_field == "comments" and feedback.quote_selected_by == coordinator
    client.post(url, {f"f{feedback.pk}-quote_field": ""})
    feedback.refresh_from_db()
    assert feedback.quote_field == ""


def test_a_quote_without_consent_cannot_be_picked(client, coordinator, world):
    feedback = world["b1"].feedback  # did not agree
    client.force_login(coordinator)
    url = reverse("feedback-quote", kwargs={"slug": "ballarat", "feedback_id": feedback.pk})
    client.post(url, {f"f{feedback.pk}-quote_field": "most_useful"})
    feedback.refresh_from_db()
    assert feedback.quote_field == ""


def test_quotes_of_another_partnership_are_out_of_reach(client, other_coordinator, world):
    feedback = world["a1"].feedback
    client.force_login(other_coordinator)
    for slug in ("ballarat", "geelong"):
        url = reverse("feedback-quote", kwargs={"slug": slug, "feedback_id": feedback.pk})
        assert client.post(url, {f"f{feedback.pk}-quote_field": ""}).status_code == 404
    feedback.refresh_from_db()
    assert feedback.quote_field == "most_useful"


# --- The feedback link ----------------------------------------------------------------------------
@pytest.fixture
def invitation(partnership, practitioner):
    now = timezone.localtime(timezone.now(), partnership.zone)
    event = past_event(partnership, now - timedelta(days=2), title="Family violence: recognising and responding")
    registration = attended(event, practitioner)
    request, token = services.feedback_request_create(registration=registration)
    return registration, request, reverse("feedback-answer", kwargs={"token": token})


def test_the_link_opens_the_form_without_logging_in(client, invitation):
    _, _, url = invitation
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Family violence: recognising and responding" in html
    assert "Pat Practitioner" not in html  # nothing about the person on a page a link opens
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"  # never to other sites
    assert "noindex" in response["X-Robots-Tag"]


def test_the_form_takes_the_answers_and_can_be_changed(client, invitation):
    registration, _, url = invitation
    education = Sector.objects.get(slug="education-and-care")
    answers = {
        "rating": "4",
        "would_recommend": "yes",
        "most_useful": "The safety planning walkthrough.",
        "do_differently": "Ask about safety at intake.",
        "new_contacts": "3",
        "sectors_connected": [str(education.pk)],
        "comments": "",
        "consent_quote": "on",
    }
    response = client.post(url, answers)
    assert response.status_code == 302 and response["Location"] == url
    feedback = Feedback.objects.get(registration=registration)
    assert (feedback.rating, feedback.would_recommend, feedback.new_contacts, feedback.consent_quote) == (
        4,
        True,
        3,
        True,
    )
    assert not feedback.consent_name
    assert list(feedback.sectors_connected.all()) == [education]
    page = client.get(url).content.decode()
    assert "Thank you: your feedback is in." in page and "Save my changes" in page
    assert "The safety planning walkthrough." in page  # the form shows the answers to change
    client.post(url, {**answers, "would_recommend": "no", "sectors_connected": []})
    feedback.refresh_from_db()
    assert feedback.would_recommend is False and feedback.sectors_connected.count() == 0


def test_the_form_says_what_is_missing(client, invitation):
    _, _, url = invitation
    response = client.post(url, {"rating": "9", "new_contacts": "-1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"rating", "would_recommend", "new_contacts"}
    assert not Feedback.objects.exists()


def test_an_unknown_link_is_a_404(client, invitation):
    assert client.get(reverse("feedback-answer", kwargs={"token": "not-a-token"})).status_code == 404


def test_an_expired_link_says_so(client, invitation):
    _, request, url = invitation
    FeedbackRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "This feedback link has expired" in response.content.decode()
    assert client.post(url, {"rating": "5", "would_recommend": "yes", "new_contacts": "0"}).status_code == 410
    assert not Feedback.objects.exists()


def test_after_the_edit_week_the_answer_is_final(client, invitation):
    registration, _, url = invitation
    FeedbackFactory(registration=registration, submitted_at=timezone.now() - timedelta(days=8))
    response = client.get(url)
    assert response.status_code == 200
    assert "this one is now final" in response.content.decode()
    client.post(url, {"rating": "1", "would_recommend": "no", "new_contacts": "0"})
    assert Feedback.objects.get().rating == 4


def test_the_form_is_closed_to_someone_no_longer_marked_attended(client, invitation):
    registration, _, url = invitation
    Registration.objects.filter(pk=registration.pk).update(attendance=Registration.Attendance.NO_SHOW)
    assert "cannot take feedback from you" in client.get(url).content.decode()
    response = client.post(url, {"rating": "5", "would_recommend": "yes", "new_contacts": "0"})
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_one_link_cannot_answer_for_another_registration(client, invitation, other_practitioner):
    registration, _, url = invitation
    other = RegistrationFactory(
        event=registration.event,
        user=other_practitioner,
        status=Registration.Status.CONFIRMED,
        attendance=Registration.Attendance.ATTENDED,
    )
    client.post(url, {"rating": "5", "would_recommend": "yes", "new_contacts": "0", "registration": other.pk})
    assert list(Feedback.objects.values_list("registration_id", flat=True)) == [registration.pk]
