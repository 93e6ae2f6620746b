"""The candidates of a "where can I refer?" answer in one statement, on PostgreSQL.

selectors.where_can_i_refer reads six things from the where index and the directory: the pathways I may use
that fit (the pool), the practitioner roles held at the pool's services, the best second steps of two-step
routes, the pathways that do not fit now (the closest few), and the alternatives those pathways name (with
their links). Through the ORM that is six statements, each scanning the need's index rows again and each
built, compiled, sent and planned in turn, with the pool's few hundred service ids sent back twice.

Here it is one statement of common table expressions: the rows I may use are read once (`mine`), the pool's
services stay in the database, and each part comes back as rows of one UNION ALL, marked with their kind and
their order. The conditions are the same as the ORM's (selectors._fit_conditions, _constraint_conditions,
_may_use_q, _seconds_queryset, _alternatives_orm) and tests/referrals/test_where_sql.py checks that both
give the same answer; other databases use the ORM.

The SQL is put together from table and column names (the models' own, quoted) and placeholders only: every
value is a parameter (hence the file-wide S608 exemption).
"""
# ruff: noqa: S608

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection

from . import vocabulary
from .models import Attribute, Pathway, Service, ServiceArea, WhereIndexEntry
from .where_index import place_tokens


@dataclass
class Candidates:
    """What an answer is built from, as the ORM or the one statement read it (column values in
    selectors.INDEX_COLUMNS order, `misses` after them for `near`)."""

    pool: list[list]
    held: list[tuple]  # (service id, practitioner role id)
    seconds: list[list]  # second steps, best first, at most the cap asked for
    near: list[list]
    alternative_ids: list  # in order (name, id)
    alternative_links: list[tuple] = field(default_factory=list)  # (alternative, pathway's target, note)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _db_type(model, name: str) -> str:
    f = model._meta.get_field(name)
    return f.rel_db_type(connection) if f.is_relation else f.db_type(connection)


def where_candidates(
    query, need_ids: list, today, *, columns: tuple, seconds: int, near: int, alternatives: int
) -> Candidates:
    """Read the candidates for `query` (see the module's docstring) in one statement."""
    E = WhereIndexEntry
    col = {f.attname: connection.ops.quote_name(f.column) for f in E._meta.concrete_fields}
    params: dict = {}  # named, as the fragments are used more than once

    def p(value) -> str:
        name = f"p{len(params)}"
        params[name] = value
        return f"%({name})s"

    # The conditions, named as selectors' (each one never NULL: the columns it reads are NOT NULL or tested
    # for NULL, so NOT of it is what the ORM's exclude means).
    fits = [
        f"{col['target_status']} = {p(Service.Status.ACTIVE)}",
        f"{col['target_capacity']} <> {p(Service.Capacity.CLOSED)}",
    ]
    if query.age_months is not None:
        age = query.age_months
        fits.append(
            f"(({col['low_age']} IS NULL OR {col['low_age']} <= {p(age)}) "
            f"AND ({col['high_age']} IS NULL OR {col['high_age']} >= {p(age)}))"
        )
    if query.place.known:
        fits.append(f"(NOT {col['has_catchment']} OR {col['catchment']} ?| {p(place_tokens(query.place))})")
    meets = []
    if query.free:
        meets.append(f"({col['target_is_free']} OR {col['target_is_bulk_billed']})")
    if query.acco:
        meets.append(col["target_is_acco"])
    if query.interpreter:
        meets.append(col["target_has_interpreter"])
    fits_sql = " AND ".join(fits)
    meets_sql = " AND ".join(meets) or "TRUE"
    misses_sql = " + ".join(f"(CASE WHEN {c} THEN 0 ELSE 1 END)" for c in [*fits, *meets])
    open_to = col["self_referral"] if query.is_family else col["any_professional"]

    entries = _table(E)
    base = f"{col['directory_id']} = {p(query.directory.pk)} AND {col['need_id']} = ANY({p(need_ids)}::uuid[])"
    select = ", ".join(col[c] for c in columns)
    may_use = f"({col['referrers']} @> {p(json.dumps([str(query.role.pk)]))}::jsonb OR {open_to})"

    stale = (
        f"(CASE WHEN {col['last_verified']} IS NULL OR {col['review_due']} < {p(today)} "
        f"OR {col['target_review_due']} < {p(today)} THEN 1 ELSE 0 END)"
    )
    A, Links, Area = Service, Pathway.alternatives.through, ServiceArea
    links, services, areas = _table(Links), _table(A), _table(Area)
    link_pathway, link_service = _column(Links, "pathway"), _column(Links, "service")
    attributes = _table(Attribute)

    alternative_filters = [
        f"s.{_column(A, 'directory')} = {p(query.directory.pk)}",
        f"s.{_column(A, 'status')} = {p(Service.Status.ACTIVE)}",
        f"s.{_column(A, 'capacity_status')} <> {p(Service.Capacity.CLOSED)}",
        f"s.{_column(A, 'id')} NOT IN (SELECT target_service_id FROM eligible)",
    ]
    if query.age_months is not None:
        low, high = _column(A, "minimum_age_months"), _column(A, "maximum_age_months")
        alternative_filters.append(
            f"(s.{low} IS NULL OR s.{low} <= {p(query.age_months)}) "
            f"AND (s.{high} IS NULL OR s.{high} >= {p(query.age_months)})"
        )
    if query.place.known:  # as selectors.catchment_q: no typed catchment, or one that covers the place
        typed = (
            f"SELECT 1 FROM {areas} a WHERE a.{_column(Area, 'service')} = s.{_column(A, 'id')} "
            f"AND a.{_column(Area, 'area_type')} <> {p(Area.AreaType.OTHER)}"
        )
        covers = []
        if query.place.postcode:
            covers.append(
                f"(a.{_column(Area, 'area_type')} = {p(Area.AreaType.POSTCODE)} "
                f"AND a.{_column(Area, 'code')} = {p(query.place.postcode)})"
            )
        if query.place.lgas:
            covers.append(
                f"(a.{_column(Area, 'area_type')} = {p(Area.AreaType.LGA)} "
                f"AND a.{_column(Area, 'code')} = ANY({p(sorted(query.place.lgas))}))"
            )
        alternative_filters.append(f"(NOT EXISTS ({typed}) OR EXISTS ({typed} AND ({' OR '.join(covers)})))")
    if query.free:
        alternative_filters.append(f"(s.{_column(A, 'is_free')} OR s.{_column(A, 'is_bulk_billed')})")
    if query.acco:
        alternative_filters.append(f"s.{_column(A, 'is_acco')}")
    if query.interpreter:
        alternative_filters.append(f"s.{_column(A, 'has_interpreter')}")

    held_service, held_role, held_type = (
        _column(Attribute, "service"),
        _column(Attribute, "taxonomy_term"),
        _column(Attribute, "link_type"),
    )

    # The output: the kind, the index columns (in `columns` order), misses, and the order within the kind.
    slots = [*columns, "misses", "ord"]
    types = {c: _db_type(E, c) for c in columns}
    types.update(misses="integer", ord="bigint", target_name="text")

    def arm(kind: str, values: dict, source: str) -> str:
        cells = [f"'{kind}'"] + [values.get(s) or f"NULL::{types[s]}" for s in slots]
        return f"SELECT {', '.join(cells)} FROM {source}"

    all_columns = {c: c for c in columns}
    without_referrers = {c: c for c in columns if c != "referrers"}  # read only for second steps
    sql = f"""
WITH mine AS (
  SELECT {select}, ({fits_sql}) AS fits, ({meets_sql}) AS meets, {misses_sql} AS misses
  FROM {entries} WHERE {base} AND {may_use}
), pool AS (
  SELECT * FROM mine WHERE fits
), eligible AS (
  SELECT target_service_id FROM pool WHERE meets
), held AS (
  SELECT DISTINCT {held_service} AS service_id, {held_role} AS role_id FROM {attributes}
  WHERE {held_type} = {p(vocabulary.LINK_PRACTITIONER)} AND {held_service} IN (SELECT target_service_id FROM pool)
), seconds AS (
  SELECT *, row_number() OVER (ORDER BY stale, wait, {col["pathway_id"]}) AS ord FROM (
    SELECT {select}, {stale} AS stale, COALESCE({col["typical_wait_days"]}, 0) AS wait
    FROM {entries} WHERE {base} AND {fits_sql} AND {meets_sql}
      AND {col["target_service_id"]} NOT IN (SELECT target_service_id FROM eligible)
      AND ({col["source_service_id"]} IN (SELECT target_service_id FROM pool)
           OR {col["referrers"]} ?| (SELECT COALESCE(array_agg(role_id::text), '{{}}') FROM held)
           OR ({col["any_professional"]} AND EXISTS (SELECT 1 FROM pool)))
    ORDER BY stale, wait, {col["pathway_id"]} LIMIT {p(seconds)}
  ) AS best
), near AS (
  SELECT *, row_number() OVER (ORDER BY misses, target_name, target_service_id, pathway_id) AS ord FROM (
    SELECT * FROM mine
    WHERE NOT (fits AND meets) AND target_service_id NOT IN (SELECT target_service_id FROM eligible)
    ORDER BY misses, target_name, target_service_id, pathway_id LIMIT {p(near)}
  ) AS closest
), mine_links AS MATERIALIZED (
  SELECT {_column(Links, "id")} AS id, {link_service} AS service_id, {link_pathway} AS pathway_id FROM {links}
  WHERE {link_pathway} IN (SELECT pathway_id FROM mine)
), alternatives AS (
  SELECT s.{_column(A, "id")} AS id, row_number() OVER (ORDER BY s.{_column(A, "name")}, s.{_column(A, "id")}) AS ord
  FROM {services} s
  WHERE s.{_column(A, "id")} IN (SELECT {link_service} FROM {links} WHERE {
        link_pathway
    } IN (SELECT pathway_id FROM mine))
    AND {" AND ".join(alternative_filters)}
  ORDER BY ord LIMIT {p(alternatives)}
), alternative_links AS (
  SELECT l.service_id, p.{_column(Pathway, "target_service")} AS target_id,
    p.{_column(Pathway, "alternatives_note")} AS note, l.id AS ord
  FROM mine_links l JOIN {_table(Pathway)} p ON p.{_column(Pathway, "id")} = l.pathway_id
  WHERE l.service_id IN (SELECT id FROM alternatives)
)
{arm("p", without_referrers, "pool")}
UNION ALL {arm("h", {"target_service_id": "service_id", "source_role_id": "role_id"}, "held")}
UNION ALL {arm("s", {**all_columns, "ord": "ord"}, "seconds")}
UNION ALL {arm("n", {**without_referrers, "misses": "misses", "ord": "ord"}, "near")}
UNION ALL {arm("a", {"target_service_id": "id", "ord": "ord"}, "alternatives")}
UNION ALL {
        arm(
            "l",
            {"target_service_id": "service_id", "source_service_id": "target_id", "target_name": "note", "ord": "ord"},
            "alternative_links",
        )
    }
"""  # noqa: E501
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()

    referrers = columns.index("referrers")
    parts: dict[str, list] = {kind: [] for kind in "phsnal"}
    for kind, *values in found:
        parts[kind].append(values)
    for values in parts["s"]:
        if isinstance(values[referrers], str):  # Django reads jsonb as text (its JSONField decodes it)
            values[referrers] = json.loads(values[referrers])
    misses, ord_ = len(columns), len(columns) + 1
    target, source, name, role = (columns.index(c) for c in ("target_service_id", "source_service_id",
                                                                "target_name", "source_role_id"))  # fmt: skip
    return Candidates(
        pool=[v[:misses] for v in parts["p"]],
        held=[(v[target], v[role]) for v in parts["h"]],
        seconds=[v[:misses] for v in sorted(parts["s"], key=lambda v: v[ord_])],
        near=[v[: misses + 1] for v in sorted(parts["n"], key=lambda v: v[ord_])],
        alternative_ids=[v[target] for v in sorted(parts["a"], key=lambda v: v[ord_])],
        alternative_links=[(v[target], v[source], v[name]) for v in sorted(parts["l"], key=lambda v: v[ord_])],
    )
