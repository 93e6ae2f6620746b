from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import partnership_get_managed
from events.models import Event

from . import services
from .cancel_links import registration_from_token
from .links import feed_links
from .models import FeedToken, OutboxMessage


@login_required
def calendar_settings(request):
    """The personal (and coordinator) feed URLs, the reset buttons, and the invitations switch."""
    personal = services.feed_token_get_or_create(user=request.user, kind=FeedToken.Kind.PERSONAL)
    feeds = [("My sessions", "personal", feed_links(reverse("personal-feed", kwargs={"token": personal.token})))]
    if request.user.is_staff or request.user.coordinated_partnership_ids:
        coordinator = services.feed_token_get_or_create(user=request.user, kind=FeedToken.Kind.COORDINATOR)
        feeds.append(
            (
                "Sessions I coordinate",
                "coordinator",
                feed_links(reverse("coordinator-feed", kwargs={"token": coordinator.token})),
            )
        )
    return render(request, "notifications/calendar.html", {"feeds": feeds})


@login_required
@require_POST
def calendar_reset(request, kind: str):
    if kind not in FeedToken.Kind.values:
        raise Http404
    services.feed_token_reset(user=request.user, kind=kind)
    messages.success(request, "Your feed has a new address. The old one no longer works: subscribe again.")
    return redirect("calendar-settings")


@login_required
@require_POST
def calendar_invites(request):
    enabled = request.POST.get("calendar_invites") == "on"
    services.calendar_invites_set(user=request.user, enabled=enabled)
    messages.success(
        request, "Calendar invitations are on." if enabled else "Calendar invitations are off: use your feed."
    )
    return redirect("calendar-settings")


@login_required
def message_log(request, slug: str, event_id: int):
    """Every message about a session: to whom, what, and whether it went."""
    partnership = partnership_get_managed(user=request.user, slug=slug)
    event = get_object_or_404(Event, pk=event_id, partnership=partnership)
    log = event.outbox_messages.all()
    status = request.GET.get("status")
    if status in OutboxMessage.Status.values:
        log = log.filter(status=status)
    page = Paginator(log, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/message_log.html",
        {"partnership": partnership, "event": event, "page": page, "status": status or ""},
    )


@login_required
@require_POST
def message_retry(request, slug: str, message_id: int):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    message = get_object_or_404(OutboxMessage, pk=message_id, event__partnership=partnership)
    services.outbox_retry(message=message)
    messages.success(request, f"The message to {message.to_email} will be tried again.")
    return redirect("message-log", slug=slug, event_id=message.event_id)


@require_http_methods(["GET", "POST"])
def cancel_place(request, token: str):
    """The invitation's "can't come? cancel my place" link: a page with one button, no login needed.

    GET only asks (mail scanners follow links); POST cancels, and the seat goes to the waitlist.
    """
    from registrations.services import registration_cancel

    registration = registration_from_token(token)
    if registration is None:
        raise Http404
    event = registration.event
    done = registration.status == "cancelled"
    error = ""
    if request.method == "POST" and not done:
        try:
            registration_cancel(registration=registration, by=registration.user)
        except ValidationError as exc:
            error = " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
        else:
            done = True
    started = event.start <= timezone.now()
    return render(
        request,
        "notifications/cancel_place.html",
        {"registration": registration, "event": event, "done": done, "error": error, "started": started},
        status=400 if error else 200,
    )
