"""Pages: a session's resources (add, remove, name presenters), downloads, and a partnership's library."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Partnership
from accounts.selectors import user_get_by_email
from core.pages import page_of
from events.permissions import partnership_event_get_managed

from . import files, selectors, services
from .forms import LibraryFilterForm, PresenterForm, ResourceFileForm, ResourceLinkForm

LIBRARY_PER_PAGE = 20


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def event_resources(request, event_id: int):
    """The session's resources for its coordinators and presenters: add a file or a link, remove one;
    coordinators also name the presenters here."""
    event = selectors.event_get_for_managing_resources(user=request.user, event_id=event_id)
    if event is None:
        raise Http404
    file_form = ResourceFileForm(prefix="file")
    link_form = ResourceLinkForm(prefix="link")
    if request.method == "POST":
        kind = request.POST.get("kind")
        form = ResourceLinkForm(request.POST, prefix="link") if kind == "link" else None
        if form is None:
            form = ResourceFileForm(request.POST, request.FILES, prefix="file")
        if form.is_valid():
            data = form.cleaned_data
            common = {"event": event, "by": request.user, "title": data["title"], "description": data["description"]}
            try:
                if kind == "link":
                    services.resource_add_link(url=data["url"], visibility=data["visibility"], **common)
                else:
                    services.resource_add_file(upload=data["file"], visibility=data["visibility"], **common)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "The resource is added.")
                return redirect("event-resources", event_id=event.pk)
        if kind == "link":
            link_form = form
        else:
            file_form = form
    can_name = request.user.is_coordinator_of(event.partnership_id)
    return render(
        request,
        "resources/manage.html",
        {
            "event": event,
            "resources": selectors.resource_list_for_event(event=event, user=request.user, see_all=True),
            "file_form": file_form,
            "link_form": link_form,
            "can_name_presenters": can_name,
            "presenters": selectors.presenter_list(event=event) if can_name else [],
            "presenter_form": PresenterForm(prefix="presenter"),
        },
    )


@login_required
@require_POST
def resource_delete(request, resource_id: int):
    resource = selectors.resource_get_managed(user=request.user, resource_id=resource_id)
    if resource is None:
        raise Http404
    event_id = resource.event_id
    services.resource_delete(resource=resource)
    messages.success(request, f"“{resource.title}” is removed.")
    return redirect("event-resources", event_id=event_id)


@login_required
@require_POST
def event_presenters(request, slug: str, event_id: int):
    """Coordinators name a presenter (by e-mail) or un-name one (`remove`: their user id)."""
    _, event = partnership_event_get_managed(user=request.user, slug=slug, event_id=event_id, related=("partnership",))
    back = reverse("event-resources", kwargs={"event_id": event.pk})
    remove = request.POST.get("remove")
    if remove is not None:
        if remove.isdigit() and services.presenter_remove(event=event, user_id=int(remove)):
            messages.success(request, "The presenter is removed.")
        else:
            messages.error(request, "That person does not present this session.")
        return redirect(back)
    form = PresenterForm(request.POST, prefix="presenter")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Presenter's e-mail: {error}")
        return redirect(back)
    try:
        presenter = services.presenter_add(
            event=event, user=user_get_by_email(email=form.cleaned_data["email"]), by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{presenter.user.full_name or presenter.user.email} can now add resources.")
    return redirect(back)


def resource_file(request, resource_id: int):
    """A resource's file, for whoever may see it (public ones for anyone; attendees-only ones need a
    sign-in). Never from MEDIA_URL."""
    resource = selectors.resource_get_visible(user=request.user, resource_id=resource_id)
    if resource is None or not resource.is_file:
        if resource is None and not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise Http404
    return files.file_response(resource)


def resource_library(request, slug: str):
    """Every public resource of the partnership's past sessions, searchable by words and topic."""
    partnership = get_object_or_404(Partnership, slug=slug)
    topics = list(selectors.library_topics(partnership=partnership))
    filters = LibraryFilterForm(request.GET or None, topics=topics)
    values = filters.cleaned_data if filters.is_valid() else {}
    found = selectors.resource_library(partnership=partnership, q=values.get("q"), topic=values.get("topic"))
    page, query = page_of(request, found, LIBRARY_PER_PAGE)
    return render(
        request,
        "resources/library.html",
        {"partnership": partnership, "filters": filters, "resources": page, "page_query": query},
    )
