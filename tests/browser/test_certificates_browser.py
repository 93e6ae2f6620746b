"""Certificates in Chromium: finalise attendance, watch them issue, download the ZIP; verify one."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.models import Certificate
from tests.browser.conftest import TIMEOUT_MS
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_coordinator_finalises_and_downloads_the_zip_then_a_practitioner_verifies(
    make_ui, partnership, coordinator, practitioner, mailoutbox
):
    start = timezone.now() - timedelta(days=1, hours=3)
    event = EventFactory(partnership=partnership, title="Child safety", start=start, end=start + timedelta(hours=2))
    RegistrationFactory(event=event, user=practitioner, attendance="attended")
    for _ in range(3):
        RegistrationFactory(event=event, attendance="attended")
    RegistrationFactory(event=event)  # never came

    ui = make_ui()
    page = ui.page
    ui.log_in_as(coordinator)
    ui.visit(f"/manage/ballarat/events/{event.pk}/roster/")
    with ui.navigation():
        page.get_by_role("link", name="Finalise attendance…").click()  # a decision first: what will happen
    # In tests the batch runs inline in this request (four PDFs): over 15 s on a loaded machine.
    with ui.navigation(timeout=TIMEOUT_MS * 6):
        page.get_by_role("button", name="Finalise attendance").click(timeout=TIMEOUT_MS * 6)
    expect(page.get_by_role("status").first).to_contain_text("1 marked as no-show")  # on the certificates page
    expect(page.get_by_role("progressbar", name="Progress")).to_be_visible()
    expect(page.get_by_text("Done: 4 of 4 issued.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    assert len(archive.namelist()) == 4

    # The practitioner follows the e-mailed link, downloads the certificate, and checks it is genuine.
    mine = Certificate.objects.get(user=practitioner)
    email = next(m for m in mailoutbox if m.to == [practitioner.email] and "certificate" in m.subject)
    link = re.search(r"https?://\S+/my/certificates/\S+\.pdf", email.body).group(0)
    assert link.endswith(f"/my/certificates/{mine.code}.pdf")
    reader = make_ui()
    reader.log_in_as(practitioner)
    response = reader.context.request.get(link)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    verify_link = re.search(r"https?://\S+/certificates/verify/\S+/", email.body).group(0)
    reader.visit(verify_link)  # where the QR code on the certificate points
    expect(reader.page.get_by_role("status")).to_contain_text("Valid.")
    expect(reader.page.get_by_text(practitioner.full_name)).to_be_visible()
