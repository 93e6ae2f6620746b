"""The demo directory is written in bulk: the same rows the services write, one call at a time."""

import io
from datetime import timedelta

import pytest

from accounts.demo import COORDINATOR_EMAIL
from accounts.models import Partnership, User
from referrals import demo, services, vocabulary
from referrals.models import Pathway, Service, TaxonomyTerm

pytestmark = pytest.mark.django_db


def _service_rows(service: Service) -> dict:
    """A service and every row that hangs off it, without ids, timestamps or its directory."""
    skip = {"id", "directory_id", "created_at", "last_modified", "organization_id", "access_point_id"}
    return {
        "fields": {k: v for k, v in vars(service).items() if not k.startswith("_") and k not in skip},
        "organization": service.organization.name if service.organization else None,
        "attributes": sorted(
            (a.taxonomy_term_id, a.link_type, a.link_entity, a.value) for a in service.attributes.all()
        ),
        "areas": sorted(
            (a.name, a.description, a.extent, a.extent_type, a.area_type, a.code) for a in service.service_areas.all()
        ),
        "phones": sorted((p.number, p.type, p.location_id, p.organization_id) for p in service.phones.all()),
        "locations": sorted(
            (
                sal.location.name,
                sal.location.location_type,
                sal.location.organization.name if sal.location.organization else None,
                sorted(
                    (a.address_1, a.city, a.state_province, a.postal_code, a.country, a.address_type)
                    for a in sal.location.addresses.all()
                ),
            )
            for sal in service.service_at_locations.select_related("location__organization")
        ),
        "languages": sorted(language.name for language in service.languages.all()),
    }


def _pathway_rows(pathway: Pathway, names: dict) -> dict:
    """A pathway, its links and its revisions, with services named (their ids differ between directories)."""
    skip = {"id", "directory_id", "created_at", "updated_at", "source_service_id", "target_service_id"}

    def named(snapshot: dict) -> dict:
        out = dict(snapshot)
        for key in ("source_service", "target_service"):
            out[key] = names.get(out[key], out[key])
        out["alternatives"] = sorted(names[pk] for pk in out["alternatives"])
        return out

    return {
        "fields": {k: v for k, v in vars(pathway).items() if not k.startswith("_") and k not in skip},
        "ends": (names.get(str(pathway.source_service_id)), names[str(pathway.target_service_id)]),
        "needs": sorted(t.pk for t in pathway.needs.all()),
        "referrer_roles": sorted(t.pk for t in pathway.referrer_roles.all()),
        "alternatives": sorted(s.name for s in pathway.alternatives.all()),
        "revisions": [
            (r.number, named(r.snapshot), r.changed_fields, r.note, r.changed_by_id)
            for r in pathway.revisions.order_by("number")
        ],
    }


def test_the_bulk_demo_directory_is_what_the_services_write_one_by_one():
    from accounts import demo as accounts_demo

    accounts_demo.seed(io.StringIO())
    seeded = demo.seed(io.StringIO())["directory"]
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)

    # The same demo data through the services, one call at a time, in a second directory.
    other = services.directory_get_or_create(
        partnership=Partnership.objects.create(slug="elsewhere", name="Elsewhere", contact_email="e@example.org")
    )
    terms = {(t.taxonomy.key, t.code): t for t in TaxonomyTerm.objects.select_related("taxonomy")}
    organizations = {
        key: services.organization_create(
            directory=other, name=name, description=description, website=f"https://example.org/{key}"
        )
        for key, (name, description) in demo.ORGANIZATIONS.items()
    }
    made = {
        key: services.service_create(
            directory=other,
            changed_by=coordinator,
            **demo._service_fields(facts, organizations, terms, coordinator),
        )
        for key, facts in demo.SERVICES.items()
    }
    for key, facts in demo.SERVICES.items():
        if facts.get("access_point"):
            services.service_update(service=made[key], access_point=made[facts["access_point"]])
    for _key, source, target, needs, facts in demo.PATHWAYS:
        facts = dict(facts)
        verified = demo._days_ago(facts.pop("verified", None))
        source_fields = (
            {"source_role": terms[(vocabulary.REFERRER_ROLES, source.removeprefix("role:"))]}
            if source.startswith("role:")
            else {"source_service": made[source]}
        )
        services.pathway_create(
            directory=other,
            changed_by=coordinator,
            note="Demo data",
            target_service=made[target],
            needs=[terms[(vocabulary.NEEDS, code)] for code in needs],
            referrer_roles=[terms[(vocabulary.REFERRER_ROLES, c)] for c in facts.pop("referrers", [])],
            alternatives=[made[k] for k in facts.pop("alternatives", [])],
            last_verified=verified,
            review_due=verified + timedelta(days=other.review_interval_days) if verified else None,
            wait_as_of=verified,
            **source_fields,
            **facts,
        )

    def directory_rows(directory):
        listed = {s.name: s for s in Service.objects.filter(directory=directory)}
        names = {str(s.pk): name for name, s in listed.items()}
        access = {name: s.access_point.name if s.access_point else None for name, s in listed.items()}
        pathways = sorted(
            (_pathway_rows(p, names) for p in Pathway.objects.filter(directory=directory)),
            key=lambda row: (str(row["ends"]), str(row["fields"]["source_role_id"])),
        )
        return {name: _service_rows(s) for name, s in listed.items()}, access, pathways

    bulk, by_service = directory_rows(seeded), directory_rows(other)
    assert len(bulk[0]) == len(demo.SERVICES) and len(bulk[2]) == len(demo.PATHWAYS)
    assert bulk[0] == by_service[0]
    assert bulk[1] == by_service[1]
    assert bulk[2] == by_service[2]
