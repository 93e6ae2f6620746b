"""Referrals benchmark: "where can I refer?" (with two-step routes) and an HSDS page, on a synthetic
directory of 5,000 services and 50,000 pathways.

Prints the median time and SQL query count of each, beside a floor measured in the same run: the same
rows read with `.values()` (and, for the HSDS page, serialised with json.dumps), without the app.
Query counts must not depend on the size of the directory. Timings are taken after ANALYZE (planner
statistics, which PostgreSQL's autovacuum keeps and SQLite only has once analysed); the "where"
median before it is printed too.

    .venv/bin/python benchmarks/referrals.py            # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/referrals.py
    SERVICES=500 PATHWAYS=5000 .venv/bin/python benchmarks/referrals.py   # a quicker run
"""

import json
import os
import random
import time
import uuid

from _setup import count_queries, django_setup, median_ms

SERVICES = int(os.environ.get("SERVICES", "5000"))
PATHWAYS = int(os.environ.get("PATHWAYS", "50000"))
BATCH = 2000


def seed(rng: random.Random) -> dict:
    from accounts.models import Partnership
    from referrals import places, vocabulary
    from referrals.models import Attribute, Directory, Organization, Pathway, Service, ServiceArea, TaxonomyTerm

    partnership = Partnership.objects.create(
        slug="bench", name="Bench partnership", locality="Ballarat", contact_email="bench@example.org"
    )
    directory = Directory.objects.create(partnership=partnership, name="Bench directory")
    needs = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.NEEDS))
    roles = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.REFERRER_ROLES))
    gp = next(r for r in roles if r.code == "gp")
    organizations = Organization.objects.bulk_create(
        [Organization(directory=directory, name=f"Organisation {i}") for i in range(SERVICES // 5)], batch_size=BATCH
    )
    services = Service.objects.bulk_create(
        [
            Service(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                directory=directory,
                organization=rng.choice(organizations),
                name=f"Service {i:05d}",
                description="A synthetic service for the benchmark.",
                status=Service.Status.ACTIVE if rng.random() > 0.05 else Service.Status.INACTIVE,
                capacity_status=rng.choice(["taking", "taking", "waitlist", "closed"]),
                minimum_age_months=rng.choice([None, 0, 0, 12, 36]),
                maximum_age_months=rng.choice([None, 72, 144, 216]),
                is_free=rng.random() > 0.5,
            )
            for i in range(SERVICES)
        ],
        batch_size=BATCH,
    )
    attributes, areas = [], []
    for service in services:
        for term in rng.sample(needs, 2):
            attributes.append(Attribute(directory=directory, service=service, taxonomy_term=term, link_type="need"))
        if rng.random() < 0.3:  # a third are staffed by a role that refers on (GPs, nurses …)
            role = gp if rng.random() < 0.5 else rng.choice(roles)
            attributes.append(
                Attribute(directory=directory, service=service, taxonomy_term=role, link_type="practitioner_role")
            )
        if rng.random() < 0.7:
            lga = rng.choice(places.LGAS)
            areas.append(ServiceArea(directory=directory, service=service, name=lga, area_type="lga", code=lga))
        if rng.random() < 0.2:
            code = rng.choice(["3350", "3351", "3352", "3355", "3356", "3357"])
            areas.append(ServiceArea(directory=directory, service=service, name=code, area_type="postcode", code=code))
    Attribute.objects.bulk_create(attributes, batch_size=BATCH)
    ServiceArea.objects.bulk_create(areas, batch_size=BATCH)

    pathways = []
    for _ in range(PATHWAYS):
        target = rng.choice(services)
        from_service = rng.random() < 0.3
        source_service = rng.choice(services) if from_service else None
        if source_service is not None and source_service.pk == target.pk:
            source_service = None
        pathways.append(
            Pathway(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                directory=directory,
                source_service=source_service,
                source_role=None if source_service else rng.choice(roles),
                target_service=target,
                method=rng.choice(["phone", "online_form", "e_referral", "letter"]),
                how_to_refer="Call intake.",
                information_to_include="The concern, history, consent.",
                typical_wait_days=rng.randint(0, 180),
                urgent_target_days=rng.choice([None, 7, 14]),
                any_professional=rng.random() < 0.2,
                self_referral=rng.random() < 0.1,
                last_verified=None,
            )
        )
    Pathway.objects.bulk_create(pathways, batch_size=BATCH)
    Needs, Roles, Alternatives = Pathway.needs.through, Pathway.referrer_roles.through, Pathway.alternatives.through
    Needs.objects.bulk_create(
        [
            Needs(pathway_id=p.pk, taxonomyterm_id=term.pk)
            for p in pathways
            for term in rng.sample(needs, rng.choice([1, 2, 2, 3]))
        ],
        batch_size=BATCH,
    )
    Roles.objects.bulk_create(
        [Roles(pathway_id=p.pk, taxonomyterm_id=rng.choice(roles).pk) for p in pathways if rng.random() < 0.3],
        batch_size=BATCH,
    )
    Alternatives.objects.bulk_create(
        [Alternatives(pathway_id=p.pk, service_id=rng.choice(services).pk) for p in pathways if rng.random() < 0.2],
        batch_size=BATCH,
    )
    return {"directory": directory}


def main() -> None:
    django_setup()
    from django.db import connection
    from django.test import Client

    from referrals import selectors, vocabulary
    from referrals.models import Pathway, Service
    from referrals.places import resolve_place

    rng = random.Random(20250301)
    started = time.perf_counter()
    state = seed(rng)
    print(f"seeded {SERVICES:,} services and {PATHWAYS:,} pathways in {time.perf_counter() - started:.1f} s")
    directory = state["directory"]
    need = selectors.term_by_code(vocabulary.NEEDS, "speech-language")
    role = selectors.term_by_code(vocabulary.REFERRER_ROLES, "mch-nurse")
    query = selectors.WhereQuery(directory=directory, need=need, role=role, age_months=24, place=resolve_place("3350"))
    client = Client()

    result = selectors.where_can_i_refer(query)
    candidates = Pathway.objects.filter(directory=directory, is_active=True, needs=need).count()
    print(
        f"where can I refer: {candidates:,} candidate pathways for the need; {len(result.eligible)} eligible, "
        f"{len(result.two_step)} two-step routes, {len(result.alternatives)} alternatives shown (20 at most each)"
    )
    assert result.two_step, "the benchmark must exercise two-step routes"

    def where():
        selectors.where_can_i_refer(query)

    def where_api():
        response = client.get(
            "/api/referrals/where?partnership=bench&need=speech-language&role=mch-nurse&age_months=24&place=3350"
        )
        assert response.status_code == 200, response.content[:300]

    def where_floor():
        list(
            Pathway.objects.filter(
                directory=directory, is_active=True, needs=need, target_service__status__in=selectors.LISTED
            ).values(
                "id",
                "source_role_id",
                "source_service_id",
                "target_service_id",
                "min_age_months",
                "max_age_months",
                "typical_wait_days",
                "target_service__name",
                "target_service__capacity_status",
            )
        )

    def hsds_page():
        response = client.get("/api/hsds/services?per_page=20")
        assert response.status_code == 200

    def hsds_page_full():
        response = client.get("/api/hsds/services?per_page=20&full=true")
        assert response.status_code == 200

    def hsds_floor():
        rows = list(
            Service.objects.filter(directory__is_public=True, status="active")
            .order_by("name", "pk")
            .values("id", "organization_id", "name", "description", "url", "email", "status", "last_modified")[:20]
        )
        json.dumps({"total_items": Service.objects.filter(status="active").count(), "contents": rows}, default=str)

    cold_ms = median_ms(where, repeat=3, warmup=1)
    with connection.cursor() as cursor:  # planner statistics, as a maintained database keeps them
        cursor.execute("ANALYZE")
    print(f"where can I refer? before ANALYZE (no planner statistics): {cold_ms:.1f} ms")

    rows = [
        ("where can I refer? (selector)", where, where_floor, 7),
        ("GET /api/referrals/where", where_api, where_floor, 7),
        ("GET /api/hsds/services (page of 20)", hsds_page, hsds_floor, 15),
        ("GET /api/hsds/services?full=true (20)", hsds_page_full, hsds_floor, 15),
    ]
    print(f"\n{'':40} | {'median':>9} {'queries':>7} | {'floor (.values)':>15} {'queries':>7} | {'/ floor':>7}")
    for name, run, floor, repeat in rows:
        run_ms, floor_ms = median_ms(run, repeat=repeat), median_ms(floor, repeat=repeat)
        run_q, floor_q = count_queries(run), count_queries(floor)
        print(
            f"{name:40} | {run_ms:>6.1f} ms {run_q:>7} | {floor_ms:>12.1f} ms {floor_q:>7} | {run_ms / floor_ms:>6.1f}x"
        )


if __name__ == "__main__":
    main()
