"""The "where can I refer?" index (WhereIndexEntry): one row per (need, pathway), kept up to date here.

A row holds what eligibility and ranking read — who may refer, the age range, the catchment that applies,
the target service's status, capacity, flags and dates — so the question is one index scan on
(directory, need) and the database does the filtering (selectors.where_can_i_refer).

Kept right by the signals connected in `connect()` (a pathway saved, its needs or referrer roles changed,
a service saved, a catchment area saved or deleted; deletions cascade), by the services that write
catchments in bulk (services._set_catchment) and the HSDS import (which refreshes its directory once, under
`where_index_deferred()`); rebuilt by `manage.py where_index_rebuild` and migration 0009.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterable, Iterator

from django.apps import apps as global_apps
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Lookup, Q, QuerySet

ACTIVE, TEMPORARILY_CLOSED = "active", "temporarily closed"
LISTED = [ACTIVE, TEMPORARILY_CLOSED]  # Service.Status: only pathways into listed services are indexed
POSTCODE, LGA = "postcode", "lga"  # ServiceArea.AreaType (the typed ones)
BATCH = 2000

PATHWAY_COLUMNS = (
    "id",
    "directory_id",
    "source_service_id",
    "source_role_id",
    "target_service_id",
    "any_professional",
    "self_referral",
    "min_age_months",
    "max_age_months",
    "catchment_postcodes",
    "catchment_lgas",
    "urgent_target_days",
    "typical_wait_days",
    "last_verified",
    "review_due",
    "target_service__status",
    "target_service__capacity_status",
    "target_service__minimum_age_months",
    "target_service__maximum_age_months",
    "target_service__is_acco",
    "target_service__has_interpreter",
    "target_service__is_free",
    "target_service__is_bulk_billed",
    "target_service__name",
    "target_service__assured_date",
    "target_service__review_due",
)


def postcode_token(code: str) -> str:
    return f"p:{code}"


def lga_token(name: str) -> str:
    return f"l:{name}"


def place_tokens(place) -> list[str]:
    """The catchment tokens a place matches: its postcode and its councils."""
    tokens = [postcode_token(place.postcode)] if place.postcode else []
    return tokens + [lga_token(lga) for lga in sorted(place.lgas)]


def _build(apps, pathways: QuerySet) -> list:
    """The index rows (as column values) of these pathways (active ones into listed services), in four queries."""
    Pathway = apps.get_model("referrals", "Pathway")
    ServiceArea = apps.get_model("referrals", "ServiceArea")
    pathways = pathways.filter(is_active=True, target_service__status__in=LISTED).order_by()
    rows = list(pathways.values_list(*PATHWAY_COLUMNS))
    if not rows:
        return []
    ids = pathways.values("pk")
    needs: dict = {}
    for pathway_id, term_id in Pathway.needs.through.objects.filter(pathway_id__in=ids).values_list(
        "pathway_id", "taxonomyterm_id"
    ):
        needs.setdefault(pathway_id, []).append(term_id)
    roles: dict = {}
    for pathway_id, term_id in Pathway.referrer_roles.through.objects.filter(pathway_id__in=ids).values_list(
        "pathway_id", "taxonomyterm_id"
    ):
        roles.setdefault(pathway_id, []).append(str(term_id))
    areas: dict = {}
    typed = ServiceArea.objects.filter(
        service_id__in=pathways.values("target_service_id"), area_type__in=[POSTCODE, LGA]
    ).order_by()
    for service_id, area_type, code in typed.values_list("service_id", "area_type", "code"):
        areas.setdefault(service_id, set()).add(postcode_token(code) if area_type == POSTCODE else lga_token(code))

    entries = []
    for row in rows:
        (pk, directory_id, source_service_id, source_role_id, target_id, any_professional, self_referral,
         min_age, max_age, own_postcodes, own_lgas, urgent, wait, verified, due,
         status, capacity, service_min, service_max, acco, interpreter, free, bulk_billed, name,
         assured, service_due) = row  # fmt: skip
        own = [postcode_token(c) for c in own_postcodes or []] + [lga_token(c) for c in own_lgas or []]
        catchment = sorted(own or areas.get(target_id, ()))
        referrers = sorted({*([str(source_role_id)] if source_role_id else []), *roles.get(pk, ())})
        pathway_needs = needs.get(pk, [])
        for need_id in pathway_needs:
            entries.append(
                {
                    "directory_id": directory_id,
                    "need_id": need_id,
                    "pathway_id": pk,
                    "target_service_id": target_id,
                    "source_service_id": source_service_id,
                    "source_role_id": source_role_id,
                    "referrers": referrers,
                    "any_professional": any_professional,
                    "self_referral": self_referral,
                    "low_age": min_age if min_age is not None else service_min,
                    "high_age": max_age if max_age is not None else service_max,
                    "catchment": catchment,
                    "has_catchment": bool(catchment),
                    "target_status": status,
                    "target_capacity": capacity,
                    "target_is_acco": acco,
                    "target_has_interpreter": interpreter,
                    "target_is_free": free,
                    "target_is_bulk_billed": bulk_billed,
                    "target_name": name,
                    "target_assured_date": assured,
                    "target_review_due": service_due,
                    "urgent_target_days": urgent,
                    "typical_wait_days": wait,
                    "last_verified": verified,
                    "review_due": due,
                    "need_count": len(pathway_needs),
                }
            )
    # In index order: a rebuilt table keeps a need's rows together on disk (fewer pages per question).
    entries.sort(key=lambda e: (e["directory_id"], str(e["need_id"]), e["target_status"], str(e["pathway_id"])))
    return entries


def _write(apps, scope: Q, entry_scope: Q) -> int:
    Pathway = apps.get_model("referrals", "Pathway")
    Entry = apps.get_model("referrals", "WhereIndexEntry")
    Entry.objects.filter(entry_scope).delete()
    entries = _build(apps, Pathway.objects.filter(scope))
    if len(entries) > BATCH and connection.vendor == "postgresql":
        _copy(Entry, entries)  # a rebuild: 100,000 rows in seconds, where INSERTs take a minute
    else:
        Entry.objects.bulk_create([Entry(**values) for values in entries], batch_size=BATCH)
    return len(entries)


def _copy(Entry, entries: list[dict]) -> None:
    """PostgreSQL's COPY for the new rows (JSON columns as text, the rest as psycopg adapts them)."""
    fields = [f for f in Entry._meta.concrete_fields if not f.primary_key]
    json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Entry._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for values in entries:
            copy.write_row(
                [json.dumps(values[f.attname]) if f.attname in json_columns else values[f.attname] for f in fields]
            )


def where_index_rebuild(*, directory_id=None, apps=None) -> int:
    """Rebuild the index (of one directory, or all); returns the rows written. Also run by migration 0009."""
    apps = apps or global_apps
    if directory_id is None:
        return _write(apps, Q(), Q())
    return _write(apps, Q(directory_id=directory_id), Q(directory_id=directory_id))


# --- Keeping it up to date -------------------------------------------------------------------------

_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar("where_index_deferred", default=None)


def where_index_refresh(
    *, pathway_ids: Iterable = (), service_ids: Iterable = (), directory_ids: Iterable = ()
) -> None:
    """Rewrite the rows of these pathways, of the pathways into these services, of these directories.

    Inside `where_index_deferred()` the ids are collected and the rows rewritten once, at its end."""
    pathway_ids, service_ids, directory_ids = set(pathway_ids), set(service_ids), set(directory_ids)
    pending = _deferred.get()
    if pending is not None:
        pending["pathways"] |= pathway_ids
        pending["services"] |= service_ids
        pending["directories"] |= directory_ids
        return
    _refresh(pathway_ids, service_ids, directory_ids)


def _refresh(pathway_ids: set, service_ids: set, directory_ids: set) -> None:
    scope = entry_scope = Q(pk__in=[])
    if pathway_ids:
        scope |= Q(pk__in=sorted(pathway_ids))
        entry_scope |= Q(pathway_id__in=sorted(pathway_ids))
    if service_ids:
        scope |= Q(target_service_id__in=sorted(service_ids))
        entry_scope |= Q(target_service_id__in=sorted(service_ids))
    if directory_ids:
        scope |= Q(directory_id__in=sorted(directory_ids))
        entry_scope |= Q(directory_id__in=sorted(directory_ids))
    if pathway_ids or service_ids or directory_ids:
        _write(global_apps, scope, entry_scope)


@contextlib.contextmanager
def where_index_deferred(*, discard: bool = False) -> Iterator[None]:
    """Collect the refreshes asked for inside (a bulk write, an import) and do them once at the end; with
    `discard`, not at all (a dry run, rolled back)."""
    if _deferred.get() is not None:  # already deferred: the outermost block refreshes
        yield
        return
    token = _deferred.set({"pathways": set(), "services": set(), "directories": set()})
    try:
        yield
        pending = _deferred.get()
    finally:
        _deferred.reset(token)
    if not discard:
        _refresh(pending["pathways"], pending["services"], pending["directories"])


def _pathway_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        where_index_refresh(pathway_ids=[instance.pk])


def _service_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        where_index_refresh(service_ids=[instance.pk])


def _area_changed(sender, instance, raw=False, origin=None, **kwargs):
    """A catchment area saved or deleted. When its service (or directory) is being deleted, the index rows
    go with it (cascade): rewriting them then would bring back rows of pathways about to be deleted."""
    if raw or instance.service_id is None:
        return
    if origin is not None and not (
        isinstance(origin, sender) or (isinstance(origin, QuerySet) and origin.model is sender)
    ):
        return
    where_index_refresh(service_ids=[instance.service_id])


def _pathway_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A pathway's needs or referrer roles changed (from the pathway's side, or a term's)."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            where_index_refresh(pathway_ids=[instance.pk])
        return
    if action == "pre_clear":  # a term's pathways are about to be cleared: remember which
        instance._where_cleared = list(
            sender.objects.filter(taxonomyterm_id=instance.pk).values_list("pathway_id", flat=True)
        )
    elif action == "post_clear":
        where_index_refresh(pathway_ids=getattr(instance, "_where_cleared", ()))
    elif action in {"post_add", "post_remove"} and pk_set:
        where_index_refresh(pathway_ids=pk_set)


class IdSet:
    """Ids for `__in_array`, converted to their SQL form once however many queries use them (an answer sends
    the same few hundred service ids to several queries). Not a list, so the ORM passes it through as it is
    instead of resolving each id again."""

    __slots__ = ("ids", "_literal")

    def __init__(self, ids: Iterable = ()):
        self.ids = list(dict.fromkeys(ids))  # in order, each once
        self._literal: str | None = None

    def __iter__(self):
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def uuid_literal(self) -> str:
        """One PostgreSQL uuid[] literal: cheaper to send and parse than a list of UUIDs."""
        if self._literal is None:
            self._literal = "{" + ",".join(map(str, self.ids)) + "}"
        return self._literal


class InArray(Lookup):
    """`column__in_array=ids` (an IdSet, or any iterable of ids): IN with the ids as one array parameter on
    PostgreSQL (`= ANY(%s)`), so a list of a few hundred ids costs one parameter to send and plan;
    `IN (%s, …)` elsewhere."""

    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs if isinstance(self.rhs, IdSet) else IdSet(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if not self.rhs:
            raise EmptyResultSet  # as `__in=[]`: no query at all
        if connection.vendor == "postgresql":
            db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
            if db_type == "uuid":
                return f"{lhs} = ANY(%s::uuid[])", [*lhs_params, self.rhs.uuid_literal()]
            values = [field.get_db_prep_value(value, connection) for value in self.rhs]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        values = [field.get_db_prep_value(value, connection) for value in self.rhs]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Pathway, Service, ServiceArea

    models.UUIDField.register_lookup(InArray)
    models.ForeignKey.register_lookup(InArray)
    post_save.connect(_pathway_saved, sender=Pathway, dispatch_uid="where_index.pathway")
    post_save.connect(_service_saved, sender=Service, dispatch_uid="where_index.service")
    post_save.connect(_area_changed, sender=ServiceArea, dispatch_uid="where_index.area_saved")
    post_delete.connect(_area_changed, sender=ServiceArea, dispatch_uid="where_index.area_deleted")
    for through in (Pathway.needs.through, Pathway.referrer_roles.through):
        m2m_changed.connect(_pathway_links_changed, sender=through, dispatch_uid=f"where_index.{through.__name__}")
