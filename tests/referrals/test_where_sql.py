"""Issue 14: on PostgreSQL, "where can I refer?" reads its candidates in one statement (referrals/where_sql.py);
elsewhere through the ORM (selectors._candidates_orm). Both must give the same answer.

A random directory (services with and without catchments, closed and temporarily closed ones, age ranges,
free/ACCO/interpreter flags, practitioner roles, pathways from services and from roles, "any professional"
and self-referral, several needs each, related needs, alternatives with notes, unverified and overdue ones),
asked many random questions: the candidates and the whole API answer are compared, path against path.
"""

import random
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Partnership
from referrals import places, selectors, vocabulary, where_sql
from referrals.api import where_out
from referrals.models import (
    Attribute,
    Directory,
    NeedRelation,
    Organization,
    Pathway,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from referrals.where_index import where_index_rebuild

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

POSTCODES = ["3350", "3351", "3352", "3355", "3356", "3357", "3364"]


def seed(rng: random.Random, services: int = 90, pathways: int = 900) -> Directory:
    partnership = Partnership.objects.create(
        slug="random", name="Random partnership", locality="Ballarat", contact_email="random@example.org"
    )
    directory = Directory.objects.create(partnership=partnership, name="Random directory", is_public=True)
    needs = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.NEEDS).order_by("code"))
    roles = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.REFERRER_ROLES).order_by("code"))
    organization = Organization.objects.create(directory=directory, name="Organisation")
    today = timezone.localdate()
    made = Service.objects.bulk_create(
        [
            Service(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                directory=directory,
                organization=organization,
                name=f"Service {rng.choice('ABC')}{i:03d}",  # some names shared by several services
                status=rng.choice(["active"] * 8 + ["inactive", "temporarily closed"]),
                capacity_status=rng.choice(["taking", "taking", "waitlist", "closed"]),
                minimum_age_months=rng.choice([None, 0, 12, 36]),
                maximum_age_months=rng.choice([None, 72, 144, 216]),
                is_free=rng.random() < 0.4,
                is_bulk_billed=rng.random() < 0.2,
                is_acco=rng.random() < 0.2,
                has_interpreter=rng.random() < 0.3,
                review_due=rng.choice([None, today - timedelta(days=3), today + timedelta(days=90)]),
            )
            for i in range(services)
        ]
    )
    attributes, areas = [], []
    for service in made:
        for role_term in rng.sample(roles, rng.choice([0, 0, 1, 2])):
            attributes.append(
                Attribute(
                    directory=directory,
                    service=service,
                    taxonomy_term=role_term,
                    link_type=vocabulary.LINK_PRACTITIONER,
                )
            )
        if rng.random() < 0.5:
            lga = rng.choice(places.LGAS)
            areas.append(ServiceArea(directory=directory, service=service, name=lga, area_type="lga", code=lga))
        if rng.random() < 0.3:
            code = rng.choice(POSTCODES)
            areas.append(ServiceArea(directory=directory, service=service, name=code, area_type="postcode", code=code))
        if rng.random() < 0.1:
            areas.append(ServiceArea(directory=directory, service=service, name="Somewhere", area_type="other"))
    Attribute.objects.bulk_create(attributes)
    ServiceArea.objects.bulk_create(areas)
    made_pathways = []
    for _ in range(pathways):
        target = rng.choice(made)
        source = rng.choice(made) if rng.random() < 0.3 else None
        if source is not None and source.pk == target.pk:
            source = None
        made_pathways.append(
            Pathway(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                directory=directory,
                source_service=source,
                source_role=None if source else rng.choice(roles),
                target_service=target,
                method="phone",
                how_to_refer="Call intake.",
                typical_wait_days=rng.choice([None, 0, 7, 7, 30, 90]),
                urgent_target_days=rng.choice([None, 2, 7]),
                any_professional=rng.random() < 0.2,
                self_referral=rng.random() < 0.15,
                min_age_months=rng.choice([None, None, 6]),
                catchment_postcodes=rng.choice([[], [], ["3350"], ["3356", "3357"]]),
                last_verified=rng.choice([None, today - timedelta(days=30)]),
                review_due=rng.choice([None, today - timedelta(days=1), today + timedelta(days=60)]),
                alternatives_note=rng.choice(["", "", "When the wait is too long.", "  "]),
            )
        )
    Pathway.objects.bulk_create(made_pathways)
    Needs, Roles, Alternatives = Pathway.needs.through, Pathway.referrer_roles.through, Pathway.alternatives.through
    Needs.objects.bulk_create(
        [Needs(pathway_id=p.pk, taxonomyterm_id=t.pk) for p in made_pathways for t in rng.sample(needs[:5], 2)]
    )
    Roles.objects.bulk_create(
        [Roles(pathway_id=p.pk, taxonomyterm_id=rng.choice(roles).pk) for p in made_pathways if rng.random() < 0.3]
    )
    Alternatives.objects.bulk_create(
        [Alternatives(pathway_id=p.pk, service_id=rng.choice(made).pk) for p in made_pathways if rng.random() < 0.3]
    )
    NeedRelation.objects.create(directory=directory, need=needs[0], related_need=needs[1])
    where_index_rebuild(directory_id=directory.pk)
    return directory


def questions(rng: random.Random, directory: Directory, count: int):
    needs = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.NEEDS).order_by("code"))[:6]
    roles = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.REFERRER_ROLES).order_by("code"))
    for _ in range(count):
        yield (
            selectors.WhereQuery(
                directory=directory,
                need=rng.choice(needs),
                role=rng.choice(roles),
                age_months=rng.choice([None, 3, 24, 100]),
                place=places.resolve_place(rng.choice(["", "3350", "3357", "Ballarat", "9999"])),
                urgency=rng.choice([selectors.ROUTINE, selectors.URGENT]),
                free=rng.random() < 0.3,
                acco=rng.random() < 0.2,
                interpreter=rng.random() < 0.2,
            ),
            rng.choice([2, 5, 20]),
        )


def without_need(rows):
    """The rows without the need they were read for: a pathway listed for the need and a related one is read
    twice, equal but for that column, and the two may come in either order."""
    need_at = selectors.INDEX_COLUMNS.index("need_id")
    return [[v for i, v in enumerate(row) if i != need_at] for row in rows]


def candidates(read, query, limit):
    related = selectors.related_needs(directory=query.directory, need=query.need)
    need_ids = [query.need.pk, *(t.pk for t in related)]
    return read(
        query,
        need_ids,
        timezone.localdate(),
        columns=selectors.INDEX_COLUMNS,
        seconds=limit * selectors.SECOND_ROWS + 1,
        near=limit * selectors.NEAR_MISS_ROWS,
        alternatives=limit,
    )


def test_one_statement_reads_the_same_candidates_as_the_orm():
    rng = random.Random(14)
    directory = seed(rng)
    checked = 0
    for query, limit in questions(rng, directory, 60):
        fast, orm = (
            candidates(where_sql.where_candidates, query, limit),
            candidates(selectors._candidates_orm, query, limit),
        )
        assert sorted(map(repr, fast.pool)) == sorted(map(repr, orm.pool)), query
        assert set(fast.held) == set(orm.held), query
        assert without_need(fast.seconds) == without_need(orm.seconds), query
        assert without_need(fast.near) == without_need(orm.near), query
        assert fast.alternative_ids == orm.alternative_ids, query
        assert fast.alternative_links == orm.alternative_links, query
        checked += bool(orm.pool) and bool(orm.seconds) and bool(orm.near) and bool(orm.alternative_ids)
    assert checked >= 10  # the questions exercised every part, not only empty answers


def test_one_statement_gives_the_same_answers_as_the_orm(monkeypatch):
    rng = random.Random(2026)
    directory = seed(rng)
    asked = list(questions(rng, directory, 40))
    fast = [where_out(selectors.where_can_i_refer(query, limit=limit)) for query, limit in asked]
    monkeypatch.setattr(where_sql, "where_candidates", selectors._candidates_orm)
    orm = [where_out(selectors.where_can_i_refer(query, limit=limit)) for query, limit in asked]
    for (query, _), one, other in zip(asked, fast, orm, strict=True):
        assert one == other, query
    assert sum(bool(answer["two_step"]) for answer in orm) >= 5
    assert sum(bool(answer["alternatives"]) for answer in orm) >= 5
