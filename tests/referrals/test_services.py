from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals import places, services, vocabulary
from referrals.models import ChangeSuggestion, Pathway, PathwayRevision, Service
from tests.referrals.factories import PathwayFactory, ServiceFactory, need, role, term

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_service_create_writes_the_hsds_records_behind_the_form(directory, coordinator):
    organisation = services.organization_create(directory=directory, name="Lakeside Community Health")
    service = services.service_create(
        directory=directory,
        changed_by=coordinator,
        name="Speech pathology",
        organization=organisation,
        minimum_age_months=0,
        maximum_age_months=72,
        needs=[need("speech-language"), need("development")],
        sectors=[term(vocabulary.SECTORS, "health")],
        practitioner_roles=[role("allied-health")],
        catchment_postcodes=["3356", "3350", "3350"],
        catchment_lgas=["city of ballarat"],
        phone="03 5550 0401",
        address={"address_1": "104 Lydiard Street South", "city": "Ballarat Central", "postal_code": "3350"},
        languages=["English", "Arabic"],
        verified=True,
    )
    assert [t.code for t in service.needs] == ["speech-language", "development"]
    assert [t.code for t in service.practitioner_roles] == ["allied-health"]
    assert sorted((a.area_type, a.code) for a in service.service_areas.all()) == [
        ("lga", places.BALLARAT),
        ("postcode", "3350"),
        ("postcode", "3356"),
    ]
    assert service.phones.get().number == "03 5550 0401"
    address = service.service_at_locations.get().location.addresses.get()
    assert (address.address_1, address.postal_code, address.state_province) == (
        "104 Lydiard Street South",
        "3350",
        "VIC",
    )
    assert set(service.languages.values_list("name", flat=True)) == {"English", "Arabic"}
    assert (service.assured_date, service.assured_by, service.assurer_email) == (
        TODAY(),
        coordinator,
        "hello@ballarat.example.org",  # the partnership's address, not the person's
    )
    assert service.review_due == TODAY() + timedelta(days=365)
    assert service.capacity_as_of == TODAY()


def test_service_update_replaces_what_it_is_given_and_keeps_the_rest(directory):
    service = services.service_create(
        directory=directory, name="S", needs=[need("housing")], catchment_postcodes=["3350"], phone="1"
    )
    services.service_update(service=service, needs=[need("financial-hardship")], catchment_lgas=[places.HEPBURN])
    service.refresh_from_db()
    assert [t.code for t in service.needs] == ["financial-hardship"]
    assert sorted(a.code for a in service.service_areas.all()) == ["3350", places.HEPBURN]
    assert service.phones.get().number == "1"


def test_capacity_change_updates_its_as_of_date(directory):
    service = ServiceFactory(directory=directory, capacity_as_of=TODAY() - timedelta(days=90))
    services.service_update(service=service, capacity_status=Service.Capacity.WAITLIST)
    service.refresh_from_db()
    assert (service.capacity_status, service.capacity_as_of) == ("waitlist", TODAY())


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", services.NAME_REQUIRED),
        ({"minimum_age_months": 60, "maximum_age_months": 12}, "minimum_age_months", services.AGE_RANGE_BACKWARDS),
        ({"catchment_postcodes": ["33500"]}, "catchment_postcodes", services.POSTCODE_INVALID.format(value="33500")),
    ],
)
def test_service_rules(directory, fields, field, message):
    with pytest.raises(ValidationError) as error:
        services.service_create(directory=directory, **{"name": "S", **fields})
    assert error.value.message_dict[field] == [message]


def test_terms_must_come_from_the_right_taxonomy(directory):
    with pytest.raises(ValidationError) as error:
        services.service_create(directory=directory, name="S", needs=[role("gp")])
    assert "needs" in error.value.message_dict


def test_service_verify_sets_the_dates_and_who(directory, coordinator):
    directory.review_interval_days = 180
    directory.save()
    service = ServiceFactory(directory=directory, assured_date=None, review_due=None)
    services.service_verify(service=service, user=coordinator)
    service.refresh_from_db()
    assert (service.assured_date, service.review_due, service.assured_by) == (
        TODAY(),
        TODAY() + timedelta(days=180),
        coordinator,
    )


# --- Pathways and their history ------------------------------------------------------------------


def _pathway(directory, user, **extra):
    target = ServiceFactory(directory=directory, name="Speech")
    return services.pathway_create(
        directory=directory,
        changed_by=user,
        source_role=role("mch-nurse"),
        target_service=target,
        needs=[need("speech-language")],
        method=Pathway.Method.ONLINE_FORM,
        typical_wait_days=120,
        **extra,
    )


def test_pathway_create_writes_the_first_revision(directory, coordinator):
    pathway = _pathway(directory, coordinator, note="From the intake team")
    revision = pathway.revisions.get()
    assert (revision.number, revision.changed_by, revision.note) == (1, coordinator, "From the intake team")
    assert revision.snapshot["needs"] == ["speech-language"]
    assert revision.snapshot["typical_wait_days"] == 120
    assert pathway.wait_as_of == TODAY()


def test_pathway_update_keeps_a_revision_per_change_with_what_changed(directory, coordinator):
    pathway = _pathway(directory, coordinator)
    services.pathway_update(pathway=pathway, changed_by=coordinator, typical_wait_days=90, note="Shorter wait")
    services.pathway_update(pathway=pathway, changed_by=coordinator, typical_wait_days=90)  # no change: no revision
    services.pathway_update(pathway=pathway, needs=[need("speech-language"), need("development")])
    revisions = list(pathway.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[1].changed_fields == ["typical_wait_days"]
    assert revisions[1].snapshot["typical_wait_days"] == 90
    assert revisions[0].snapshot["typical_wait_days"] == 120
    assert revisions[2].changed_fields == ["needs"]
    assert revisions[2].changed_by is None


def test_pathway_verify_records_a_revision(directory, coordinator):
    pathway = _pathway(directory, coordinator)
    services.pathway_verify(pathway=pathway, user=coordinator)
    pathway.refresh_from_db()
    assert pathway.last_verified == TODAY()
    assert pathway.revisions.order_by("-number").first().note == "Verified"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source_role": None}, "source_service"),
        ({"min_age_months": 50, "max_age_months": 10}, "min_age_months"),
        ({"catchment_postcodes": ["ABC"]}, "catchment_postcodes"),
        ({"source_role": "need"}, "source_role"),
    ],
)
def test_pathway_rules(directory, coordinator, change, field):
    pathway = _pathway(directory, coordinator)
    if change.get("source_role") == "need":
        change = {"source_role": need("housing")}
    with pytest.raises(ValidationError) as error:
        services.pathway_update(pathway=pathway, **change)
    assert field in error.value.message_dict
    assert pathway.revisions.count() == 1


def test_a_pathway_needs_a_need_and_cannot_loop_or_cross_directories(directory, coordinator, other_partnership):
    target = ServiceFactory(directory=directory)
    with pytest.raises(ValidationError) as error:
        services.pathway_create(directory=directory, source_role=role("gp"), target_service=target, needs=[])
    assert error.value.message_dict["needs"] == [services.PATHWAY_NEEDS_REQUIRED]
    with pytest.raises(ValidationError) as error:
        services.pathway_create(
            directory=directory, source_service=target, target_service=target, needs=[need("housing")]
        )
    assert error.value.message_dict["target_service"] == [services.PATHWAY_TO_ITSELF]
    elsewhere = ServiceFactory(directory__partnership=other_partnership)
    with pytest.raises(ValidationError) as error:
        services.pathway_create(
            directory=directory, source_role=role("gp"), target_service=elsewhere, needs=[need("housing")]
        )
    assert error.value.message_dict["target_service"] == [services.OTHER_DIRECTORY]
    assert not Pathway.objects.exists()


# --- Suggestions ---------------------------------------------------------------------------------


def test_accepting_a_service_suggestion_applies_it_and_updates_last_verified(directory, practitioner, coordinator):
    service = ServiceFactory(directory=directory, assured_date=TODAY() - timedelta(days=400))
    suggestion = services.suggestion_create(
        user=practitioner, service=service, field="capacity_status", proposed_value="Waitlist", note="Rang intake."
    )
    assert suggestion.proposed_value == "waitlist"
    services.suggestion_accept(suggestion=suggestion, user=coordinator, note="Confirmed")
    service.refresh_from_db()
    suggestion.refresh_from_db()
    assert service.capacity_status == "waitlist"
    assert (service.assured_date, service.assured_by) == (TODAY(), coordinator)
    assert (suggestion.status, suggestion.decided_by, suggestion.decision_note) == (
        "accepted",
        coordinator,
        "Confirmed",
    )


def test_accepting_a_pathway_suggestion_writes_a_revision(directory, practitioner, coordinator):
    pathway = PathwayFactory(directory=directory, typical_wait_days=30, last_verified=None)
    suggestion = services.suggestion_create(
        user=practitioner, pathway=pathway, field="typical_wait_days", proposed_value="75"
    )
    services.suggestion_accept(suggestion=suggestion, user=coordinator)
    pathway.refresh_from_db()
    assert (pathway.typical_wait_days, pathway.wait_as_of, pathway.last_verified) == (75, TODAY(), TODAY())
    revision = PathwayRevision.objects.get(pathway=pathway)
    assert revision.note == f"Suggestion #{suggestion.pk} accepted: Typical wait (days)"
    assert "typical_wait_days" in revision.changed_fields


def test_something_else_is_applied_by_hand_and_only_marks_the_record_verified(directory, practitioner, coordinator):
    service = ServiceFactory(directory=directory, description="Old", assured_date=None)
    suggestion = services.suggestion_create(user=practitioner, service=service, field="other", note="They moved.")
    services.suggestion_accept(suggestion=suggestion, user=coordinator)
    service.refresh_from_db()
    assert (service.description, service.assured_date) == ("Old", TODAY())


def test_rejecting_changes_nothing_and_a_decision_is_final(directory, practitioner, coordinator):
    service = ServiceFactory(directory=directory, email="old@example.org")
    suggestion = services.suggestion_create(
        user=practitioner, service=service, field="email", proposed_value="new@example.org"
    )
    services.suggestion_reject(suggestion=suggestion, user=coordinator, note="Not confirmed")
    service.refresh_from_db()
    assert service.email == "old@example.org"
    with pytest.raises(ValidationError) as error:
        services.suggestion_accept(suggestion=suggestion, user=coordinator)
    assert error.value.message_dict["status"] == [services.SUGGESTION_NOT_PENDING]
    assert ChangeSuggestion.objects.get().status == "rejected"


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("nonsense", "x", "field"),
        ("description", "", "proposed_value"),
        ("capacity_status", "maybe", "proposed_value"),
        ("url", "not a url", "proposed_value"),
        ("email", "nope", "proposed_value"),
    ],
)
def test_suggestions_are_checked_when_made(directory, practitioner, field, value, error_field):
    service = ServiceFactory(directory=directory)
    with pytest.raises(ValidationError) as error:
        services.suggestion_create(user=practitioner, service=service, field=field, proposed_value=value)
    assert error_field in error.value.message_dict


def test_pathway_suggestion_fields_are_the_pathways(directory, practitioner):
    pathway = PathwayFactory(directory=directory)
    with pytest.raises(ValidationError):
        services.suggestion_create(user=practitioner, pathway=pathway, field="capacity_status", proposed_value="closed")
    with pytest.raises(ValidationError):
        services.suggestion_create(user=practitioner, pathway=pathway, field="typical_wait_days", proposed_value="soon")


def test_directory_update_creates_the_directory_on_first_use(partnership):
    directory = services.directory_update(partnership=partnership, name="Ours", is_public=False)
    assert (directory.name, directory.is_public, directory.partnership) == ("Ours", False, partnership)
    with pytest.raises(ValidationError):
        services.directory_update(partnership=partnership, partnership_id=3)
