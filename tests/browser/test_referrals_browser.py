"""The directory in real Chromium: a maternal and child health nurse asks "where can I refer?" and prints a card."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts import demo as accounts_demo
from referrals import demo as referrals_demo

pytestmark = pytest.mark.browser


def test_nurse_finds_where_to_refer_a_two_year_old_with_a_speech_delay_and_prints_the_card(ui, practitioner):
    accounts_demo.seed(io.StringIO())
    referrals_demo.seed(io.StringIO())
    page = ui.page
    ui.log_in_as(practitioner)
    ui.visit("/")
    with ui.navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service directory")
    expect(page.get_by_role("note")).to_contain_text("fictional")
    with ui.navigation():
        page.get_by_role("link", name="Where can I refer?").click()

    page.get_by_label("I am a").select_option(label="Maternal and child health nurse")
    page.get_by_label("The child or family needs help with").select_option(label="Speech and language")
    page.get_by_label("Child's age: years").fill("2")
    page.get_by_label("and months").fill("0")
    page.get_by_label("Family's postcode or suburb").fill("3350")
    with ui.navigation():
        page.get_by_role("button", name="Find pathways").click()

    expect(page.get_by_role("status")).to_contain_text(
        "for a maternal and child health nurse: speech and language, 2 years, 3350"
    )
    eligible = page.get_by_role("region", name="Eligible now")
    expect(eligible.get_by_role("link", name="Paediatric Speech Pathology", exact=True)).to_be_visible()
    expect(eligible.get_by_text("Waitlist").first).to_be_visible()
    routes = page.get_by_role("region", name="Two-step routes")
    expect(routes.get_by_role("link", name="Ballarat Children's Clinic — paediatricians").first).to_be_visible()
    expect(page.get_by_text("3350 is outside the catchment (Moorabool Shire).")).to_be_visible()
    expect(page.get_by_text("Stale: check before referring").first).to_be_visible()

    with ui.navigation():
        eligible.get_by_role("link", name="Paediatric Speech Pathology", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Maternal and child health nurse → Paediatric Speech Pathology"
    )
    expect(page.get_by_role("button", name="Print this card")).to_be_visible()
    expect(page.get_by_text(re.compile("About 120 days"))).to_be_visible()

    # The printed card is one A4 page (Chromium's own print layout, read back with pypdf).
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(pdf.pages) == 1
    printed = " ".join(pdf.pages[0].extract_text().split())
    assert "Paediatric Speech Pathology" in printed and "Demonstration data" in printed


def test_every_directory_page_passes_axe_on_a_phone(phone_ui, practitioner):
    """Each page of the directory, as a coordinator would see it (axe-core runs on every visit)."""
    import json

    from django.urls import reverse

    from referrals.models import ChangeSuggestion, Pathway
    from referrals.services import hsds_import_preview, suggestion_create
    from tests.referrals import hsds_schemas

    accounts_demo.seed(io.StringIO())
    made = referrals_demo.seed(io.StringIO())
    directory, service = made["directory"], made["services"]["ch-speech"]
    pathway = Pathway.objects.filter(target_service=service).first()
    coordinator = directory.partnership.memberships.get().user
    suggestion_create(user=practitioner, service=service, field="capacity_status", proposed_value="closed", note="Rang")
    payload = hsds_schemas.example("service_list.json")
    payload["contents"].append({"id": "x", "name": "Broken", "status": "active"})
    preview = hsds_import_preview(directory=directory, payload=json.loads(json.dumps(payload)), user=coordinator)
    from referrals.models import HsdsImport

    running = HsdsImport.objects.create(directory=directory, status="queued", source=b"[]", filename="big.json")
    ui, page = phone_ui, phone_ui.page
    ui.log_in_as(coordinator)
    for url in (
        reverse("directory") + "?need=speech-language&place=3350",
        service.get_absolute_url(),
        reverse("directory-print", args=["ballarat"]),
        reverse("directory-hsds-profile"),
        reverse("directory-service-suggest", args=[service.pk]),
        reverse("manage-directory", args=["ballarat"]),
        reverse("service-edit", args=["ballarat", service.pk]),
        reverse("pathway-edit", args=["ballarat", pathway.pk]),
        reverse("directory-suggestions", args=["ballarat"]),
        reverse("directory-import-upload", args=["ballarat"]),
        reverse("directory-import", args=["ballarat", running.pk]),  # the progress bar
        reverse("directory-import", args=["ballarat", preview.pk]),  # the preview, with its mappings
    ):
        ui.visit(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    expect(page.get_by_role("region", name="Rejected records")).to_contain_text("Must be a UUID.")
    assert ChangeSuggestion.objects.count() == 1
