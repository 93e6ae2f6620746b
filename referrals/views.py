"""Directory pages: search, service pages, pathway cards, "where can I refer?", print, and the
coordinators' pages (curate, suggestions, HSDS upload with a preview)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import partnership_get_managed
from core.qr import qr_svg

from . import places, selectors, services, vocabulary
from .forms import (
    DirectorySearchForm,
    DirectorySettingsForm,
    HsdsUploadForm,
    PathwayForm,
    ServiceForm,
    SuggestionForm,
    WhereForm,
)
from .hsds import age_label, age_text
from .models import ChangeSuggestion, Directory, HsdsImport, Pathway, Service, ServiceArea

PAGE_SIZE = 25


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e.messages)
    else:
        form.add_error(None, error)


def _qr_svg(url: str) -> str:
    return qr_svg(url, scale=3, title="Link to this pathway online")


# --- Public pages --------------------------------------------------------------------------------


def directory_search(request):
    directories = list(selectors.directory_list_visible(user=request.user))
    form = DirectorySearchForm(request.GET or None, directories=directories)
    found = selectors.service_search(user=request.user, directory=directories[0] if len(directories) == 1 else None)
    directory = directories[0] if len(directories) == 1 else None
    if form.is_valid():
        data = form.cleaned_data
        directory = form.directory()
        found = selectors.service_search(
            user=request.user,
            directory=directory,
            q=data["q"],
            need=selectors.term_by_code(vocabulary.NEEDS, data["need"]) if data["need"] else None,
            sector=selectors.term_by_code(vocabulary.SECTORS, data["sector"]) if data["sector"] else None,
            age_months=form.age_months(),
            place=places.resolve_place(data["place"]),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/search.html",
        {
            "form": form,
            "page": page,
            "services": page.object_list,
            "query": query.urlencode(),
            "directory": directory,
            "directories": directories,
            "show_demo": any(d.is_demo for d in directories),
        },
    )


def service_detail(request, service_id: uuid.UUID):
    service = selectors.service_get_visible(user=request.user, service_id=service_id)
    if service is None:
        raise Http404
    inbound, outbound = selectors.service_pathways(service=service)
    return render(
        request,
        "referrals/service_detail.html",
        {
            "service": service,
            "directory": service.directory,
            "inbound": inbound,
            "outbound": outbound,
            "age_range": age_label(service.minimum_age_months, service.maximum_age_months),
            "locations": service.service_at_locations.select_related("location").prefetch_related(
                "location__addresses"
            ),
            "can_curate": selectors.can_curate(request.user, service.directory),
        },
    )


def pathway_detail(request, pathway_id: uuid.UUID):
    """The pathway card: everything needed to refer, on one printable page."""
    pathway = selectors.pathway_get_visible(user=request.user, pathway_id=pathway_id)
    if pathway is None:
        raise Http404
    url = request.build_absolute_uri(pathway.get_absolute_url())
    service = pathway.target_service
    postcodes, lgas = pathway.catchment_postcodes, pathway.catchment_lgas
    if not postcodes and not lgas:
        areas = service.service_areas.exclude(area_type=ServiceArea.AreaType.OTHER)
        postcodes = [a.code for a in areas if a.area_type == ServiceArea.AreaType.POSTCODE]
        lgas = [a.code for a in areas if a.area_type == ServiceArea.AreaType.LGA]
    return render(
        request,
        "referrals/pathway_card.html",
        {
            "pathway": pathway,
            "directory": pathway.directory,
            "service": service,
            "age_range": age_label(*pathway.age_range),
            "catchment": selectors.catchment_text(set(postcodes), set(lgas)),
            "who_may_refer": _who_may_refer(pathway),
            "qr_svg": _qr_svg(url),
            "card_url": url,
            "can_curate": selectors.can_curate(request.user, pathway.directory),
            "printed_on": timezone.localdate(),
        },
    )


def _who_may_refer(pathway: Pathway) -> str:
    who = [pathway.source_label]
    who += [role.name for role in pathway.referrer_roles.all()]
    if pathway.any_professional:
        who.append("any professional")
    if pathway.self_referral:
        who.append("families themselves")
    return ", ".join(dict.fromkeys(who))


def where(request):
    """Where can I refer? The form, and the ranked answer under it."""
    directories = list(selectors.directory_list_visible(user=request.user))
    form = WhereForm(request.GET or None, directories=directories)
    result = None
    if request.GET and form.is_valid():
        result = selectors.where_can_i_refer(form.query())
    return render(
        request,
        "referrals/where.html",
        {
            "form": form,
            "result": result,
            "age_text": age_text(result.query.age_months) if result and result.query.age_months is not None else "",
            "directory": result.query.directory if result else (directories[0] if len(directories) == 1 else None),
            "show_demo": any(d.is_demo for d in directories),
        },
    )


def directory_print(request, slug: str):
    directory = selectors.directory_list_visible(user=request.user).filter(partnership__slug=slug).first()
    if directory is None:
        raise Http404
    return render(
        request,
        "referrals/print_directory.html",
        {
            "directory": directory,
            "groups": selectors.directory_print(directory=directory),
            "today": timezone.localdate(),
        },
    )


def hsds_profile(request):
    return render(
        request,
        "referrals/hsds_profile.html",
        {"taxonomies": vocabulary.TAXONOMIES, "terms": vocabulary.TERMS, "marker": "[Referral facts from Crossroads]"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggest_service(request, service_id: uuid.UUID):
    service = selectors.service_get_visible(user=request.user, service_id=service_id)
    if service is None:
        raise Http404
    return _suggest(request, service=service, fields=services.SERVICE_SUGGESTION_FIELDS)


@login_required
@require_http_methods(["GET", "POST"])
def suggest_pathway(request, pathway_id: uuid.UUID):
    pathway = selectors.pathway_get_visible(user=request.user, pathway_id=pathway_id)
    if pathway is None:
        raise Http404
    return _suggest(request, pathway=pathway, fields=services.PATHWAY_SUGGESTION_FIELDS)


def _suggest(request, *, fields, service=None, pathway=None):
    target = service or pathway
    form = SuggestionForm(request.POST or None, fields=fields, initial={"field": request.GET.get("field")})
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_create(user=request.user, service=service, pathway=pathway, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Thank you: the partnership's coordinators will check your suggestion.")
            return redirect(target.get_absolute_url())
    return render(
        request,
        "referrals/suggest.html",
        {"form": form, "target": target, "directory": target.directory, "is_pathway": pathway is not None},
    )


# --- Coordinators --------------------------------------------------------------------------------


def _directory_of(request, slug: str) -> tuple:
    partnership = partnership_get_managed(user=request.user, slug=slug)
    return partnership, selectors.directory_for_partnership(partnership=partnership)


@login_required
@require_http_methods(["GET", "POST"])
def manage_directory(request, slug: str):
    partnership, directory = _directory_of(request, slug)
    form = DirectorySettingsForm(request.POST or None, instance=directory or Directory(partnership=partnership))
    if request.method == "POST" and form.is_valid():
        services.directory_update(partnership=partnership, **form.cleaned_data)
        messages.success(request, "The directory's settings are saved.")
        return redirect("manage-directory", slug=slug)
    overview = selectors.curation_overview(directory=directory) if directory else None
    return render(
        request,
        "referrals/manage.html",
        {"partnership": partnership, "directory": directory, "overview": overview, "settings_form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request, slug: str):
    partnership, directory = _directory_of(request, slug)
    directory = directory or services.directory_get_or_create(partnership=partnership)
    form = ServiceForm(
        request.POST or None, directory=directory, initial={"status": "active", "capacity_status": "taking"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(directory=directory, changed_by=request.user, **form.values(directory))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{service.name}” is added.")
            return redirect("manage-directory", slug=slug)
    return render(
        request, "referrals/service_form.html", {"partnership": partnership, "directory": directory, "form": form}
    )


def _managed_service(request, slug: str, service_id) -> tuple:
    partnership, directory = _directory_of(request, slug)
    service = get_object_or_404(Service, pk=service_id, directory__partnership=partnership)
    return partnership, service.directory, service


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, slug: str, service_id: uuid.UUID):
    partnership, directory, service = _managed_service(request, slug, service_id)
    form = ServiceForm(
        request.POST or None, directory=directory, service=service, initial=ServiceForm.initial_for(service)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(service=service, changed_by=request.user, **form.values(directory))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{service.name}” is saved.")
            return redirect("manage-directory", slug=slug)
    return render(
        request,
        "referrals/service_form.html",
        {"partnership": partnership, "directory": directory, "form": form, "service": service},
    )


@login_required
@require_POST
def service_verify(request, slug: str, service_id: uuid.UUID):
    _, _, service = _managed_service(request, slug, service_id)
    services.service_verify(service=service, user=request.user)
    messages.success(request, f"“{service.name}” is marked verified today.")
    return redirect(request.POST.get("next") or reverse("manage-directory", kwargs={"slug": slug}))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_new(request, slug: str):
    partnership, directory = _directory_of(request, slug)
    directory = directory or services.directory_get_or_create(partnership=partnership)
    initial = {"is_active": True, "method": Pathway.Method.PHONE, "target_service": request.GET.get("to")}
    form = PathwayForm(request.POST or None, directory=directory, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pathway = services.pathway_create(directory=directory, changed_by=request.user, **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"The pathway {pathway} is added.")
            return redirect("manage-directory", slug=slug)
    return render(
        request, "referrals/pathway_form.html", {"partnership": partnership, "directory": directory, "form": form}
    )


def _managed_pathway(request, slug: str, pathway_id) -> tuple:
    partnership, _ = _directory_of(request, slug)
    pathway = get_object_or_404(
        Pathway.objects.select_related("directory", "target_service", "source_service", "source_role"),
        pk=pathway_id,
        directory__partnership=partnership,
    )
    return partnership, pathway


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request, slug: str, pathway_id: uuid.UUID):
    partnership, pathway = _managed_pathway(request, slug, pathway_id)
    form = PathwayForm(request.POST or None, directory=pathway.directory, initial=PathwayForm.initial_for(pathway))
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_update(pathway=pathway, changed_by=request.user, **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"The pathway {pathway} is saved.")
            return redirect("pathway-edit", slug=slug, pathway_id=pathway.pk)
    return render(
        request,
        "referrals/pathway_form.html",
        {
            "partnership": partnership,
            "directory": pathway.directory,
            "form": form,
            "pathway": pathway,
            "revisions": selectors.pathway_revisions(pathway=pathway),
        },
    )


@login_required
@require_POST
def pathway_verify(request, slug: str, pathway_id: uuid.UUID):
    _, pathway = _managed_pathway(request, slug, pathway_id)
    services.pathway_verify(pathway=pathway, user=request.user)
    messages.success(request, f"The pathway {pathway} is marked verified today.")
    return redirect(request.POST.get("next") or reverse("manage-directory", kwargs={"slug": slug}))


@login_required
def suggestions(request, slug: str):
    partnership, directory = _directory_of(request, slug)
    status = request.GET.get("status", ChangeSuggestion.Status.PENDING)
    if status not in ChangeSuggestion.Status.values:
        status = ChangeSuggestion.Status.PENDING
    found = list(selectors.suggestion_list(directory=directory, status=status)) if directory else []
    labels = {**services.PATHWAY_SUGGESTION_FIELDS, **services.SERVICE_SUGGESTION_FIELDS}
    for suggestion in found:
        suggestion.field_label = labels.get(suggestion.field, suggestion.field)
    return render(
        request,
        "referrals/suggestions.html",
        {
            "partnership": partnership,
            "directory": directory,
            "suggestions": found,
            "status": status,
            "statuses": ChangeSuggestion.Status.choices,
        },
    )


@login_required
@require_POST
def suggestion_decide(request, slug: str, suggestion_id: int):
    partnership, _ = _directory_of(request, slug)
    suggestion = get_object_or_404(ChangeSuggestion, pk=suggestion_id, directory__partnership=partnership)
    decision = request.POST.get("decision")
    note = request.POST.get("note", "")[:2000]
    try:
        if decision == "accept":
            services.suggestion_accept(suggestion=suggestion, user=request.user, note=note)
            messages.success(request, f"Accepted: {suggestion.target} is updated and marked verified today.")
        elif decision == "reject":
            services.suggestion_reject(suggestion=suggestion, user=request.user, note=note)
            messages.success(request, "Rejected.")
        else:
            messages.error(request, "Choose accept or reject.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory-suggestions", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, slug: str):
    partnership, directory = _directory_of(request, slug)
    form = HsdsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        directory = directory or services.directory_get_or_create(partnership=partnership)
        hsds_import = services.hsds_import_start(
            directory=directory, source=form.source, filename=form.cleaned_data["file"].name, user=request.user
        )
        return redirect("directory-import", slug=slug, import_id=hsds_import.pk)
    return render(
        request,
        "referrals/import_upload.html",
        {
            "partnership": partnership,
            "directory": directory,
            "form": form,
            "imports": selectors.import_list(directory=directory)[:20] if directory else [],
        },
    )


def _import_of(request, slug: str, import_id: int):
    partnership, _ = _directory_of(request, slug)
    queryset = HsdsImport.objects.select_related("directory", "uploaded_by").defer("source", "payload")
    return partnership, get_object_or_404(queryset, pk=import_id, directory__partnership=partnership)


def _mappings_from(post, report: dict) -> dict:
    """The preview form's choices: area-<n> for the n-th unknown area, term-<id> for another taxonomy's term."""
    areas = {}
    for index, area in enumerate(report.get("unmatched_areas", [])):
        value = post.get(f"area-{index}")
        if value is not None and value != "choose":
            areas[area["name"]] = "" if value == "unmatched" else value
    terms = {t["id"]: post.get(f"term-{t['id']}", "") for t in report.get("foreign_terms", [])}
    return {"areas": areas, "terms": terms}


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, slug: str, import_id: int):
    """An uploaded file: its progress while a task checks or imports it; then the preview (with the
    mappings to choose) to confirm or discard, or what applying it did."""
    partnership, hsds_import = _import_of(request, slug, import_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "apply":
                hsds_import = services.hsds_import_apply_start(
                    hsds_import=hsds_import,
                    user=request.user,
                    mappings=_mappings_from(request.POST, hsds_import.report),
                )
                messages.success(request, "Importing the file…")
            elif request.POST.get("action") == "discard":
                services.hsds_import_discard(hsds_import=hsds_import)
                messages.success(request, "The file is discarded; nothing was changed.")
                return redirect("directory-import-upload", slug=slug)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("directory-import", slug=slug, import_id=hsds_import.pk)
    report = hsds_import.report or {}
    main = [k for k in ("organization", "service", "location", "service_at_location") if k in report.get("counts", {})]
    needs = list(selectors.taxonomy_terms(vocabulary.NEEDS)) if report.get("foreign_terms") else []
    return render(
        request,
        "referrals/import_detail.html",
        {
            "partnership": partnership,
            "directory": hsds_import.directory,
            "hsds_import": hsds_import,
            "progress": services.hsds_import_progress(hsds_import=hsds_import),
            "report": report,
            "counts": report.get("counts", {}),
            "main_kinds": main,
            "councils": places.LGAS,
            "needs": needs,
            "without_catchment": report.get("without_catchment", [])[:50],
            "listed": {
                action: [e for e in report.get(action, []) if e["kind"] in ("organization", "service", "location")][
                    :200
                ]
                for action in ("created", "updated", "unchanged")
            },
        },
    )


@login_required
def import_progress(request, slug: str, import_id: int):
    """JSON for the progress bar (static/js/progress.js): finished, failed or running, done of total."""
    _, hsds_import = _import_of(request, slug, import_id)
    progress = services.hsds_import_progress(hsds_import=hsds_import)
    if hsds_import.status == HsdsImport.Status.FAILED:
        state = "failed"
    elif hsds_import.is_running:
        state = "running"
    else:
        state = "finished"
    return JsonResponse({**progress, "state": hsds_import.status, "status": state})
