"""Reports and feedback in real Chromium: the coordinator's dashboard for last year (sector mix, returning
practitioners, a CSV and the PDF downloaded), and a practitioner answering from the e-mailed link on a phone."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import Sector
from registrations.services import attendance_finalise, attendance_mark
from reporting.models import Feedback
from tests.accounts.factories import UserFactory
from tests.reporting.factories import FeedbackFactory, attended, local, no_show, past_event

pytestmark = pytest.mark.browser


@pytest.fixture
def last_year(partnership):
    """Three sessions last year: four people, two of whom came back; picked quote from one who agreed."""
    year = timezone.localdate().year - 1
    medical, education, community = (
        Sector.objects.get(slug=slug) for slug in ("medical", "education-and-care", "community-services")
    )
    ana = UserFactory(full_name="Ana Medic", sector=medical, organisation="Ballarat Health Services")
    ben = UserFactory(full_name="Ben Teacher", sector=education, organisation="Sebastopol Kindergarten")
    cal = UserFactory(full_name="Cal Worker", sector=community, organisation="Uniting Ballarat")
    dee = UserFactory(full_name="Dee Teacher", sector=education, organisation="Delacombe Primary School")
    cohosts = ["City of Ballarat", "Grampians Public Health Unit"]
    march = past_event(partnership, local(year, 3, 5), title="Referral pathways", cohosts=cohosts)
    june = past_event(partnership, local(year, 6, 4), title="Child safety", cohosts=cohosts)
    sept = past_event(partnership, local(year, 9, 3), title="Family violence", cohosts=cohosts)
    first = attended(march, ana)
    attended(march, ben)
    attended(march, cal)
    attended(june, ana)
    attended(june, dee)
    no_show(june, cal)
    attended(sept, ana)
    attended(sept, ben)
    FeedbackFactory(
        registration=first,
        rating=5,
        most_useful="Finally meeting the kinder teachers I refer to.",
        consent_quote=True,
        quote_field="most_useful",
        sectors_connected=[education, community],
    )
    return year


def test_coordinator_reads_last_years_report_and_downloads_the_csv_and_pdf(ui, coordinator, last_year):
    page = ui.page
    ui.log_in_as(coordinator)
    ui.visit("/manage/ballarat/")
    with ui.navigation():
        page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    with ui.navigation():
        page.get_by_role("link", name="Last calendar year").click()
    expect(page.locator(".lead")).to_contain_text(f"1 January {last_year} – 31 December {last_year}")

    # The sector mix of each session: a chart (an image with a text alternative) and the same numbers in a table.
    expect(page.get_by_role("img", name="Attendance by sector, per session")).to_be_visible()
    mix = page.get_by_role("table", name="Attendance by sector")
    expect(mix.get_by_role("row")).to_have_count(5)  # header, three sessions, total
    expect(mix.get_by_role("row", name=re.compile("Referral pathways"))).to_have_text(
        re.compile(r"5 Mar \d{4}\s*Referral pathways\s*1\s*1\s*1\s*3")
    )
    expect(mix.get_by_role("row", name=re.compile("^Total"))).to_have_text(
        re.compile(r"Total\s*All sessions\s*3\s*3\s*1\s*7")
    )

    # Returning practitioners: Ana came three times and Ben twice; Cal (a no-show in June) and Dee once.
    section = page.get_by_role("region", name="Practitioners and organisations")
    expect(section).to_contain_text("4 different practitioners attended; 2 are returning practitioners")
    people = page.get_by_role("table", name="Practitioners by sessions attended")
    expect(people.get_by_role("row", name=re.compile("^2 "))).to_have_text(re.compile(r"2\s*1\s*0"))
    expect(page.get_by_text("Finally meeting the kinder teachers I refer to.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download CSV\s*:\s*Attendance by sector")).click()
    download = download_info.value
    assert download.suggested_filename == f"ballarat-sector-mix-{last_year}-01-01-to-{last_year}-12-31.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0] == ["Date", "Session", "Medical", "Education and care", "Community services", "Total attended"]
    assert rows[1] == [f"{last_year}-03-05", "Referral pathways", "1", "1", "1", "3"]
    assert rows[-1] == ["Total", "All sessions", "3", "3", "1", "7"]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF report").click()
    report = download_info.value
    assert report.suggested_filename.endswith(".pdf")
    with open(report.path(), "rb") as handle:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(handle).pages).split())
    assert "Ballarat Community Partnership" in text
    assert "Co-hosted with City of Ballarat, Grampians Public Health Unit." in text
    assert "“Finally meeting the kinder teachers I refer to.”" in text

    with ui.navigation():
        page.get_by_role("link", name="Read the feedback").click()
    response = page.get_by_role("article")
    expect(response).to_contain_text("Name not shared")
    expect(response.get_by_label(re.compile("Quote in reports"))).to_have_value("most_useful")
    response.get_by_label(re.compile("Quote in reports")).select_option("")
    with ui.navigation():
        response.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("status")).to_contain_text("Not quoted any more.")
    assert not Feedback.objects.exclude(quote_field="").exists()


def test_practitioner_answers_the_feedback_form_from_the_email_link(phone_ui, partnership, coordinator, practitioner):
    now = timezone.localtime(timezone.now(), partnership.zone)
    event = past_event(partnership, now - timedelta(days=1), title="Early intervention for development concerns")
    registration = attended(event, practitioner)
    attendance_mark(registration=registration, attended=True, by=coordinator)
    mail.outbox.clear()
    attendance_finalise(event=event, by=coordinator)  # commits: the invitation goes out through the outbox

    (message,) = [m for m in mail.outbox if m.to == [practitioner.email] and "feedback" in m.subject.lower()]
    link = re.search(r"(https?://\S+/feedback/[\w-]+/)", message.body).group(1)

    ui, page = phone_ui, phone_ui.page  # not logged in on this phone
    ui.visit(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("How was the session?")
    expect(page.get_by_text("Early intervention for development concerns")).to_be_visible()
    page.get_by_role("group", name=re.compile("Overall, how would you rate")).get_by_label("4 — Good").check()
    page.get_by_label("What was the most useful part?").fill("The speech pathologist's red flags checklist.")
    page.get_by_label("How many new contacts did you make?").fill("3")
    page.get_by_role("group", name="Which sectors did you connect with?").get_by_label("Education and care").check()
    page.get_by_role("group", name=re.compile("Would you recommend")).get_by_label("Yes").check()
    page.get_by_label("You may quote my answers in reports, without my name").check()
    with ui.navigation():
        page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: your feedback is in.")
    expect(page.get_by_role("button", name="Save my changes")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    feedback = Feedback.objects.get(registration=registration)
    assert (feedback.rating, feedback.would_recommend, feedback.new_contacts) == (4, True, 3)
    assert feedback.consent_quote and not feedback.consent_name
    assert [s.slug for s in feedback.sectors_connected.all()] == ["education-and-care"]
