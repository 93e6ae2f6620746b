import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import places
from referrals.models import ChangeSuggestion, Directory, HsdsImport, Pathway, Service
from tests.referrals import hsds_schemas
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory, need, role

pytestmark = pytest.mark.django_db
FICTIONAL = "Demonstration data."


def text(response) -> str:
    return response.content.decode()


# --- Public pages ----------------------------------------------------------------------------------


def test_directory_search_filters_and_marks_demo_data(demo, client):
    page = client.get("/directory/")
    assert page.status_code == 200
    assert FICTIONAL in text(page)
    assert "40 services" in text(page)
    found = client.get("/directory/?q=speech&need=speech-language&age_years=2&place=3350")
    body = text(found)
    assert "Paediatric Speech Pathology" in body
    assert "Bacchus Marsh" not in body  # Moorabool only
    assert "Housing Entry Point" not in body
    assert "Printable directory" in body


def test_directory_search_query_count_does_not_grow(directory, client):
    def count(n: int) -> int:
        for i in range(n):
            ServiceFactory(directory=directory, name=f"Service {n}-{i}", needs=["housing"], lgas=[places.BALLARAT])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/directory/?need=housing").status_code == 200
        return len(queries)

    assert count(3) == count(15)


def test_service_page_lists_inbound_and_outbound_pathways(demo, client):
    gp = demo["services"]["gp-sturt"]
    body = text(client.get(gp.get_absolute_url()))
    assert "Referral pathways in" in body and "From Maternal and child health nurse" in body
    assert "Referral pathways out" in body
    clinic = demo["services"]["childrens-clinic"]
    body = text(client.get(clinic.get_absolute_url()))
    assert "From General practitioner (GP)" in body
    assert "To Child Development Assessment Service" in body
    assert FICTIONAL in body
    assert "Log in to suggest a change" in body


def test_pathway_card_is_one_printable_page_with_everything_needed(demo, client):
    pathway = Pathway.objects.get(source_role__code="mch-nurse", target_service=demo["services"]["ch-speech"])
    body = text(client.get(pathway.get_absolute_url()))
    for fact in (
        "Maternal and child health nurse → Paediatric Speech Pathology",
        "How to refer",
        "https://example.org/lakeside/referral",
        "hearing test",
        "Urgent",
        "Seen within 30 days",
        "About 120 days",
        "Talk Together Speech Pathology",  # an alternative
        "Lakeside Community Health intake criteria",
        "<svg",  # the QR code to the online version
        FICTIONAL,
    ):
        assert fact in body, fact
    assert 'class="pathway-card"' in body


def test_where_page_shows_the_ranked_answer(demo, client):
    page = client.get("/directory/where/")
    assert page.status_code == 200 and "Find pathways" in text(page)
    answer = client.get(
        "/directory/where/?role=mch-nurse&need=speech-language&age_years=2&age_extra_months=0&place=3350&urgency=routine"
    )
    body = text(answer)
    assert "Eligible now" in body and "Two-step routes" in body and "Alternatives" in body
    assert "Paediatric Speech Pathology" in body
    assert "Ballarat Children&#x27;s Clinic — paediatricians" in body
    assert "for a maternal and child health nurse: speech and language, 2 years, 3350 (City of Ballarat)" in body
    assert "Stale: check before referring" in body  # Buninyong's GP pathway is overdue
    assert "3350 is outside the catchment (Moorabool Shire)." in body


def test_where_page_asks_again_when_the_form_is_incomplete(demo, client):
    body = text(client.get("/directory/where/?role=mch-nurse"))
    assert "This field is required." in body
    assert "Eligible now" not in body


def test_print_directory_and_hsds_profile(demo, client):
    body = text(client.get(reverse("directory-print", args=["ballarat"])))
    assert "Ballarat region service directory" in body and "Health" in body and "Community services" in body
    assert "Paediatric Speech Pathology" in body and FICTIONAL in body
    assert "application_process" in text(client.get("/directory/hsds/"))


def test_private_directories_are_hidden_from_others(directory, client, coordinator):
    directory.is_public = False
    directory.save()
    service = ServiceFactory(directory=directory)
    pathway = PathwayFactory(directory=directory, target_service=service)
    for url in (service.get_absolute_url(), pathway.get_absolute_url(), reverse("directory-print", args=["ballarat"])):
        assert client.get(url).status_code == 404
    client.force_login(coordinator)
    assert client.get(service.get_absolute_url()).status_code == 200


# --- Suggest a change ------------------------------------------------------------------------------


def test_practitioners_suggest_a_change_and_coordinators_accept_it(directory, client, practitioner, coordinator):
    service = ServiceFactory(directory=directory, name="Speech", capacity_status="taking", assured_date=None)
    url = reverse("directory-service-suggest", args=[service.pk])
    assert client.get(url).status_code == 302  # log in first
    client.force_login(practitioner)
    response = client.post(url, {"field": "capacity_status", "proposed_value": "waitlist", "note": "Intake told me"})
    assert response.status_code == 302 and response["Location"] == service.get_absolute_url()
    suggestion = ChangeSuggestion.objects.get()
    assert (suggestion.suggested_by, suggestion.proposed_value) == (practitioner, "waitlist")
    bad = client.post(url, {"field": "url", "proposed_value": "not a link"})
    assert "Enter a web address" in text(bad)

    client.force_login(coordinator)
    queue = text(client.get(reverse("directory-suggestions", args=["ballarat"])))
    assert "Capacity (taking referrals, waitlist, closed)" in queue and "Intake told me" in queue
    client.post(reverse("directory-suggestion-decide", args=["ballarat", suggestion.pk]), {"decision": "accept"})
    service.refresh_from_db()
    assert (service.capacity_status, service.assured_date) == ("waitlist", timezone.localdate())


def test_pathway_suggestions(directory, client, practitioner):
    pathway = PathwayFactory(directory=directory)
    client.force_login(practitioner)
    url = reverse("directory-pathway-suggest", args=[pathway.pk])
    assert "Typical wait (days)" in text(client.get(url))
    client.post(url, {"field": "typical_wait_days", "proposed_value": "45", "note": ""})
    assert ChangeSuggestion.objects.get().pathway == pathway


# --- Coordinators ----------------------------------------------------------------------------------


def test_the_curate_page_lists_services_pathways_and_what_needs_review(directory, client, coordinator):
    ServiceFactory(directory=directory, name="Fresh")
    ServiceFactory(directory=directory, name="Old", review_due=timezone.localdate() - timedelta(days=1))
    PathwayFactory(directory=directory, last_verified=None, review_due=None)
    client.force_login(coordinator)
    body = text(client.get(reverse("manage-directory", args=["ballarat"])))
    assert "Fresh" in body and "Old" in body
    assert "Review overdue" in body and "Not verified yet" in body
    assert "<strong>1</strong> services and <strong>1</strong> pathways due for review" in body


def test_curate_page_before_the_directory_exists_and_its_settings(partnership, client, coordinator):
    client.force_login(coordinator)
    assert "has no directory yet" in text(client.get(reverse("manage-directory", args=["ballarat"])))
    client.post(
        reverse("manage-directory", args=["ballarat"]),
        {"name": "Our directory", "description": "", "review_interval_days": 180},
    )
    directory = Directory.objects.get()
    assert (directory.name, directory.is_public, directory.review_interval_days) == ("Our directory", False, 180)


def test_coordinators_add_and_edit_services(directory, client, coordinator):
    client.force_login(coordinator)
    url = reverse("service-new", args=["ballarat"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Speech pathology",
            "new_organization": "Lakeside Community Health",
            "status": "active",
            "capacity_status": "waitlist",
            "minimum_age_months": "0",
            "maximum_age_months": "72",
            "needs": ["speech-language"],
            "practitioner_roles": ["allied-health"],
            "catchment_lgas": [places.BALLARAT],
            "catchment_postcodes": "3351, 3357",
            "phone": "03 5550 0401",
            "address_1": "104 Lydiard Street South",
            "city": "Ballarat Central",
            "postal_code": "3350",
            "is_free": "on",
            "verified": "on",
        },
    )
    assert response.status_code == 302, text(response)
    service = Service.objects.get()
    assert (service.organization.name, service.capacity_status, service.is_free) == (
        "Lakeside Community Health",
        "waitlist",
        True,
    )
    assert sorted(a.code for a in service.service_areas.all()) == ["3351", "3357", places.BALLARAT]
    assert service.assured_by == coordinator

    edit = reverse("service-edit", args=["ballarat", service.pk])
    form = client.get(edit)
    assert 'value="3351, 3357"' in text(form)
    data = {**form.context["form"].initial}
    payload = {k: v for k, v in data.items() if v not in (None, False, "")}
    payload.update(name="Speech pathology (0–6)", organization=str(service.organization_id), review_due="")
    assert client.post(edit, payload).status_code == 302
    service.refresh_from_db()
    assert service.name == "Speech pathology (0–6)"
    assert [t.code for t in service.needs] == ["speech-language"]

    bad = client.post(edit, {**payload, "minimum_age_months": "80", "maximum_age_months": "10"})
    assert "The minimum age is above the maximum age." in text(bad)


def test_coordinators_add_pathways_and_see_their_history(directory, client, coordinator):
    target = ServiceFactory(directory=directory, name="Speech")
    client.force_login(coordinator)
    response = client.post(
        reverse("pathway-new", args=["ballarat"]),
        {
            "source_role": "mch-nurse",
            "target_service": str(target.pk),
            "needs": ["speech-language"],
            "method": "online_form",
            "form_url": "https://example.org/form",
            "typical_wait_days": "120",
            "is_active": "on",
            "note": "First draft",
        },
    )
    assert response.status_code == 302, text(response)
    pathway = Pathway.objects.get()
    edit = reverse("pathway-edit", args=["ballarat", pathway.pk])
    payload = {k: v for k, v in client.get(edit).context["form"].initial.items() if v not in (None, False, "", [])}
    payload.update(target_service=str(target.pk), typical_wait_days="90", note="Shorter now", is_active="on")
    assert client.post(edit, payload).status_code == 302
    history = text(client.get(edit))
    assert "Shorter now: typical_wait_days" in history and "First draft" in history
    both = client.post(edit, {**payload, "source_service": str(target.pk)})
    assert "Choose where referrals come from" in text(both)


def test_mark_verified_buttons(directory, client, coordinator):
    service = ServiceFactory(directory=directory, assured_date=None, review_due=None)
    pathway = PathwayFactory(directory=directory, last_verified=None, review_due=None)
    client.force_login(coordinator)
    client.post(reverse("service-verify", args=["ballarat", service.pk]))
    client.post(reverse("pathway-verify", args=["ballarat", pathway.pk]))
    service.refresh_from_db()
    pathway.refresh_from_db()
    assert service.assured_date == pathway.last_verified == timezone.localdate()


def test_hsds_upload_previews_then_imports_and_reports_what_was_rejected(
    directory, client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    payload = hsds_schemas.example("service_list.json")
    payload["contents"].append({"id": "not-a-uuid", "name": "Broken", "status": "active"})
    upload = SimpleUploadedFile("services.json", json.dumps(payload).encode(), content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the check is a Celery task
        response = client.post(reverse("directory-import-upload", args=["ballarat"]), {"file": upload})
    assert len(callbacks) == 1
    hsds_import = HsdsImport.objects.get()
    assert response["Location"] == reverse("directory-import", args=["ballarat", hsds_import.pk])
    preview = text(client.get(response["Location"]))
    assert "Not imported yet" in preview
    assert "Rejected (1)" in preview and "contents[1]" in preview and "Must be a UUID." in preview
    assert "Community Counselling" in preview
    assert not Service.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the import is a Celery task too
        client.post(response["Location"], {"action": "apply"})
    assert Service.objects.get().name == "Community Counselling"
    assert "Imported" in text(client.get(response["Location"]))


def test_hsds_upload_refuses_what_is_not_json(directory, client, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    body = text(client.post(reverse("directory-import-upload", args=["ballarat"]), {"file": upload}))
    assert "This is not a JSON file" in body
    assert not HsdsImport.objects.exists()


def test_discarding_a_preview_changes_nothing(directory, client, coordinator, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("s.json", json.dumps(hsds_schemas.example("service_full.json")).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("directory-import-upload", args=["ballarat"]), {"file": upload})
    client.post(response["Location"], {"action": "discard"})
    assert HsdsImport.objects.get().status == "discarded" and not Service.objects.exists()


def test_other_partnerships_coordinators_get_404(directory, client, other_coordinator, other_partnership):
    service = ServiceFactory(directory=directory)
    DirectoryFactory(partnership=other_partnership)
    client.force_login(other_coordinator)
    for url in (
        reverse("manage-directory", args=["ballarat"]),
        reverse("service-edit", args=["ballarat", service.pk]),
        reverse("directory-suggestions", args=["ballarat"]),
        reverse("directory-import-upload", args=["ballarat"]),
    ):
        assert client.get(url).status_code == 404
    # Their own slug, someone else's service: still 404.
    assert client.get(reverse("service-edit", args=["geelong", service.pk])).status_code == 404
    assert need("housing") and role("gp")


def test_where_page_query_count_does_not_grow_with_the_answer(directory, client):
    def count(n: int) -> int:
        for i in range(n):
            gp = ServiceFactory(directory=directory, name=f"GP {n}-{i}", practitioner_roles=["gp"])
            PathwayFactory(directory=directory, target_service=gp, needs=["speech-language", "development", "housing"])
            paediatrician = ServiceFactory(directory=directory, name=f"Paediatrician {n}-{i}", postcodes=["3356"])
            PathwayFactory(directory=directory, source_role=role("gp"), target_service=paediatrician, alternatives=[gp])
            far = ServiceFactory(directory=directory, name=f"Far {n}-{i}", postcodes=["3460"])
            PathwayFactory(directory=directory, target_service=far, alternatives=[ServiceFactory(directory=directory)])
        url = "/directory/where/?role=mch-nurse&need=speech-language&age_years=2&place=3356&urgency=routine"
        with CaptureQueriesContext(connection) as queries:
            body = text(client.get(url))
        assert "Two-step routes" in body and f"Paediatrician {n}-0" in body
        return len(queries)

    assert count(2) == count(10)


def test_an_imported_non_web_address_is_never_a_link(directory, client):
    service = ServiceFactory(directory=directory, url="javascript:alert(1)")
    body = text(client.get(service.get_absolute_url()))
    assert 'href="javascript:' not in body and "javascript:alert(1)" in body


def test_public_service_pages_and_hsds_name_the_partnership_as_verifier_never_a_person(directory, client, coordinator):
    service = ServiceFactory(directory=directory, assured_date=None, review_due=None)
    client.force_login(coordinator)
    client.post(reverse("service-verify", args=["ballarat", service.pk]))
    client.logout()
    page = text(client.get(reverse("directory-service", args=[service.pk])))
    assert "by the coordinators of Ballarat Community Partnership" in page
    assert coordinator.email not in page
    hsds = client.get(f"/api/hsds/services/{service.pk}")
    assert hsds.status_code == 200
    assert coordinator.email not in hsds.content.decode()
    assert hsds.json()["assurer_email"] == "hello@ballarat.example.org"
