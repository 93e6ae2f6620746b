"""The map (public for public directories), the coordinators' insights (page and CSV), and the
session pages: what a session features, the digest of pathway changes, and the printable cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.permissions import partnership_get_managed
from core import csv as core_csv
from events import selectors as event_selectors
from events.permissions import partnership_event_get_managed
from referrals import selectors as referral_selectors
from referrals.forms import WhereForm
from referrals.views import _qr_svg, _who_may_refer

from . import featured, insights_store
from . import graph as map_graph
from .map_api import parse_highlight
from .map_forms import FeaturedForm, MapFilterForm

LEGEND_SECTORS = [
    ("health", "Health"),
    ("education-and-care", "Education and care"),
    ("community-services", "Community services"),
    ("", "No sector given"),
]


def directory_map(request, slug: str):
    directory = referral_selectors.directory_list_visible(user=request.user).filter(partnership__slug=slug).first()
    if directory is None:
        raise Http404
    form = MapFilterForm(request.GET or None)
    filters = map_graph.GraphFilters()
    where_note = ""
    if form.is_bound and form.is_valid():
        try:
            highlight = parse_highlight(form.cleaned_data["highlight"])
        except ValidationError:
            highlight = set()
        if form.cleaned_data["need"] and form.cleaned_data["role"]:
            data = request.GET.copy()
            data.setdefault("urgency", "routine")
            data["partnership"] = directory.partnership.slug
            where = WhereForm(data, directories=[directory])
            if where.is_valid():
                highlight |= map_graph.where_highlight(where.query())
                where_note = "The routes “Where can I refer?” finds for this role and need are highlighted."
        filters = form.filters(highlight)
    try:  # "Show more" doubles it
        limit = min(max(int(request.GET.get("limit", "")), 1), map_graph.MAX_LIMIT)
    except ValueError:
        limit = map_graph.MAX_DRAWN_SERVICES
    graph = map_graph.graph_build(
        directory=directory,
        filters=filters,
        limit=limit,
        edge_limit=max(map_graph.MAX_DRAWN_EDGES, map_graph.MAX_DRAWN_EDGES * limit // map_graph.MAX_DRAWN_SERVICES),
    )
    more_url = ""
    if graph["more_limit"]:
        query = request.GET.copy()
        query["limit"] = graph["more_limit"]
        more_url = f"?{query.urlencode()}"
    services_count = sum(1 for n in graph["nodes"] if n["kind"] == "service")
    highlighted = sum(1 for e in graph["edges"] if e["highlighted"])
    summary = (
        f"Network map of {directory.name}: {services_count} services and {len(graph['edges'])} referral pathways"
        f"{f', {highlighted} highlighted' if filters.highlight else ''}."
        " The same information is in the table below the map."
    )
    return render(
        request,
        "servicemap/map.html",
        {
            "directory": directory,
            "form": form,
            "graph": graph,
            "rows": map_graph.graph_rows(graph),
            "summary": summary,
            "where_note": where_note,
            "more_url": more_url,
            "legend_sectors": [(code, name, map_graph.SECTOR_COLOURS[code]) for code, name in LEGEND_SECTORS],
            "can_curate": referral_selectors.can_curate(request.user, directory),
        },
    )


def _coordinated_directory(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    directory = referral_selectors.directory_for_partnership(partnership=partnership)
    if directory is None:
        raise Http404
    return partnership, directory


@login_required
def insights(request, slug: str):
    """From the store (insights_store): when they were computed, or that they are being computed."""
    partnership, directory = _coordinated_directory(request, slug)
    stored = insights_store.insights_stored(directory=directory)
    found = stored.data if stored else None
    return render(
        request,
        "servicemap/insights.html",
        {
            "partnership": partnership,
            "directory": directory,
            "stored": stored,
            "insights": found,
            "gaps": found["gaps"][:200] if found else [],
        },
    )


@login_required
def insights_csv(request, slug: str):
    partnership, directory = _coordinated_directory(request, slug)
    stored = insights_store.insights_stored(directory=directory)
    if stored is None:  # being computed: the page says so
        return redirect(reverse("directory-insights", args=[slug]))
    found = stored.data
    rows = [["computed at", stored.computed_at.isoformat(), "", "", "", "", ""]]
    base = request.build_absolute_uri("/").rstrip("/")
    for g in found["gatekeepers"]:
        rows.append(["gatekeeper", g["service"], "", "", "", f"betweenness {g['betweenness']}", base + g["url"]])
    for o in found["orphans"]:
        rows.append(["nobody refers here", o["service"], "", "", "", "", base + o["url"]])
    for d in found["dead_ends"]:
        rows.append(["dead end", d["pathway"], d["need"], "", "", "no alternative when declined", base + d["url"]])
    for gap in found["gaps"]:
        rows.append(["catchment gap", "", gap["need"], gap["postcode"], gap["age_group"], "no eligible service", ""])
    for o in found["overdue"]:
        rows.append(
            [f"overdue {o['kind']}", o["service"], "", "", "", f"review due {o['review_due']}", base + o["url"]]
        )
    header = ["insight", "entry", "need", "postcode", "age group", "detail", "link"]
    return core_csv.csv_response(f"{slug}-network-insights.csv", header, rows, bom=False)


def _coordinated_event(request, slug: str, event_id: int):
    partnership, event = partnership_event_get_managed(
        user=request.user, slug=slug, event_id=event_id, related=("partnership", "series")
    )
    return partnership, event, referral_selectors.directory_for_partnership(partnership=partnership)


@login_required
@require_http_methods(["GET", "POST"])
def event_featured(request, slug: str, event_id: int):
    partnership, event, directory = _coordinated_event(request, slug, event_id)
    if directory is None:
        raise Http404
    featured_services, featured_pathways = featured.featured_for_event(event=event)
    initial = {
        "services": [str(f.service_id) for f in featured_services],
        "pathways": [str(f.pathway_id) for f in featured_pathways],
    }
    form = FeaturedForm(request.POST or None, directory=directory, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            featured.featured_set(
                event=event,
                services=[form.service_objects[k] for k in form.cleaned_data["services"]],
                pathways=[form.pathway_objects[k] for k in form.cleaned_data["pathways"]],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Saved what this session features.")
            return redirect(reverse("event-featured", args=[slug, event.pk]))
    return render(
        request,
        "servicemap/featured.html",
        {
            "partnership": partnership,
            "event": event,
            "form": form,
            "featured_services": featured_services,
            "featured_pathways": featured_pathways,
        },
    )


@login_required
def event_digest(request, slug: str, event_id: int):
    partnership, event, directory = _coordinated_event(request, slug, event_id)
    previous, revisions = (
        featured.revisions_since_previous_session(event=event, directory=directory)
        if directory
        else (event_selectors.event_previous_session(event=event), [])
    )
    groups: dict = {}
    for revision in revisions:
        groups.setdefault(revision.pathway_id, (revision.pathway, []))[1].append(revision)
    return render(
        request,
        "servicemap/digest.html",
        {"partnership": partnership, "event": event, "previous": previous, "groups": list(groups.values())},
    )


@login_required
def event_cards(request, slug: str, event_id: int):
    partnership, event, directory = _coordinated_event(request, slug, event_id)
    _featured_services, featured_pathways = featured.featured_for_event(event=event)
    ids = [f.pathway_id for f in featured_pathways]
    pathways = list(referral_selectors._pathway_queryset().filter(pk__in=ids).order_by("target_service__name", "pk"))
    cards = []
    for pathway in pathways:
        url = request.build_absolute_uri(pathway.get_absolute_url())
        cards.append({"pathway": pathway, "url": url, "qr_svg": _qr_svg(url), "who": _who_may_refer(pathway)})
    return render(
        request,
        "servicemap/cards.html",
        {"partnership": partnership, "event": event, "cards": cards, "printed_on": timezone.localdate()},
    )
