"""Facilitator prompts: the services and referral pathways a table's members represent.

The adapter between table plans and the referral directory (the `referrals` app). A practitioner's
organisation (as typed on their profile) is matched to the directory's organisations by name or
alternate name, ignoring case and spacing. For each table it lists:

- each matched organisation with its listed services ("Ballarat Community Health: Speech pathology, …");
- the active pathways between two organisations at the table ("Referral pathway: GP clinic → Speech
  pathology (Ballarat Community Health)") — a ready-made conversation starter.

`prompts_for(group)` answers for one table; `prompts_for_groups(groups)` for many in two queries
(organisations with their services, then pathways), whatever the number of tables. Without a
directory (the app not installed, no directory for the partnership, or no name that matches) the
answer is empty, and the planner works as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from referrals import selectors as referral_selectors

from .models import Seat, TableGroup

MAX_SERVICES_PER_ORGANISATION = 4
MAX_PATHWAYS_PER_TABLE = 4


def normalise(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def service_label(service: str, organisation: str) -> str:
    """A service's name without its organisation's name in front ("Clinic — general practice" → "general practice")."""
    if organisation and service.casefold().startswith(organisation.casefold()):
        rest = service[len(organisation) :].strip(" —–-:,")
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1].strip()
        if rest:
            return rest
    return service


def prompts_for_groups(groups: Iterable[TableGroup]) -> dict[int, list[str]]:
    """{group id: prompts} for tables whose seats (registration, user) are prefetched or cheap to load."""
    groups = list(groups)
    if not groups:
        return {}
    members: dict[int, list[str]] = {}  # group id -> organisation keys of its people
    partnership_ids = set()
    seats_loaded = all("seats" in getattr(g, "_prefetched_objects_cache", {}) for g in groups)
    if seats_loaded:
        for group in groups:
            members[group.pk] = [
                normalise(s.registration.user.organisation) for s in group.seats.all() if s.registration.user
            ]
    else:
        for group_id, organisation in Seat.objects.filter(
            group__in=groups, registration__user__isnull=False
        ).values_list("group_id", "registration__user__organisation"):
            members.setdefault(group_id, []).append(normalise(organisation))
    for group in groups:
        partnership_ids.add(group.plan.event.partnership_id)
    wanted = {org for orgs in members.values() for org in orgs if org}
    if not wanted:
        return {}

    rows = referral_selectors.service_rows_with_organisation(partnership_ids=partnership_ids)
    org_of_key: dict[str, object] = {}  # organisation key (name or alternate name) -> organization id
    org_name: dict[object, str] = {}
    services_of: dict[object, list[tuple[object, str]]] = {}
    service_org: dict[object, object] = {}
    service_name: dict[object, str] = {}
    for service_id, name, org_id, org, alternate in rows:
        keys = {normalise(org), normalise(alternate)} & wanted
        if not keys:
            continue
        for key in keys:
            org_of_key.setdefault(key, org_id)
        org_name[org_id] = org
        services_of.setdefault(org_id, []).append((service_id, service_label(name, org)))
        service_org[service_id] = org_id
        service_name[service_id] = name
    if not services_of:
        return {}
    pathways = referral_selectors.pathway_pairs_between(service_ids=list(service_org))

    prompts: dict[int, list[str]] = {}
    for group in groups:
        at_table = []
        for key in members.get(group.pk, []):
            org_id = org_of_key.get(key)
            if org_id is not None and org_id not in at_table:
                at_table.append(org_id)
        at_table.sort(key=lambda org_id: (org_name[org_id].casefold(), str(org_id)))
        lines = []
        for org_id in at_table:
            names = [name for _, name in services_of[org_id]]
            shown = ", ".join(names[:MAX_SERVICES_PER_ORGANISATION])
            more = len(names) - MAX_SERVICES_PER_ORGANISATION
            lines.append(f"{org_name[org_id]}: {shown}" + (f" and {more} more" if more > 0 else ""))
        here = set(at_table)
        routes = [
            (source, target)
            for source, target in pathways
            if service_org[source] in here
            and service_org[target] in here
            and service_org[source] != service_org[target]
        ]
        for source, target in routes[:MAX_PATHWAYS_PER_TABLE]:
            lines.append(
                f"Referral pathway: {service_name[source]} ({org_name[service_org[source]]}) → "
                f"{service_name[target]} ({org_name[service_org[target]]})"
            )
        if lines:
            prompts[group.pk] = lines
    return prompts


def prompts_for(group: TableGroup) -> list[str]:
    """The prompts for one table; [] when there is no referral directory to ask."""
    return prompts_for_groups([group]).get(group.pk, [])
