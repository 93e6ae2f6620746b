from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import partnership_get_managed
from events.models import Event
from registrations.models import Registration

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
    done = registration.status == Registration.Status.CANCELLED
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


# --- Followers and announcements ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def following(request):
    """What I follow (the preferences page), and a form to follow a partnership (optionally some topics)."""
    from .announcements import follow_list, follow_set
    from .forms import FollowForm

    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partnership = form.cleaned_data["partnership"]
        topics = None if request.POST.get("keep_topics") else list(form.cleaned_data["topics"])
        follow_set(user=request.user, partnership=partnership, topics=topics)
        messages.success(request, f"You follow {partnership.name}: we e-mail you when it publishes new sessions.")
        return redirect("following")
    return render(
        request,
        "notifications/following.html",
        {"form": form, "follows": list(follow_list(user=request.user))},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def follow_stop(request, slug: str):
    from accounts.selectors import partnership_list

    from .announcements import follow_delete

    partnership = get_object_or_404(partnership_list(), slug=slug)
    follow_delete(user=request.user, partnership=partnership)
    messages.success(request, f"You no longer follow {partnership.name}.")
    return redirect("following")


@csrf_exempt  # RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" without cookies or a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The announcement's unsubscribe link: no login; GET asks (link scanners), POST unsubscribes at once.

    The signed token names one follow; a repeated POST (or one after unfollowing) answers the same page.
    """
    from .announcements import unsubscribe as unsubscribe_now
    from .announcements import unsubscribe_lookup

    found = unsubscribe_lookup(token)
    if found is None:
        raise Http404
    follow, partnership = found
    done = follow is None
    if request.method == "POST":
        unsubscribe_now(token=token)
        done = True
    return render(request, "notifications/unsubscribe.html", {"partnership": partnership, "done": done})


@login_required
@require_http_methods(["GET", "POST"])
def announcements(request, slug: str):
    """A coordinator's announcement to the partnership's followers: write, preview, send; and the log."""
    from . import announcements as service
    from .forms import AnnouncementForm

    partnership = partnership_get_managed(user=request.user, slug=slug)
    form = AnnouncementForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "send":
                announcement = service.announcement_send(
                    partnership=partnership, sender=request.user, subject=data["subject"], body=data["body"]
                )
            else:
                preview = service.announcement_preview(
                    partnership=partnership, sender=request.user, subject=data["subject"], body=data["body"]
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if preview is None:
                messages.success(
                    request, f"Your announcement “{announcement.subject}” is going to {announcement.recipients} people."
                )
                return redirect("announcements", slug=slug)
    page = Paginator(service.announcement_list(partnership=partnership), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/announcements.html",
        {
            "partnership": partnership,
            "form": form,
            "preview": preview,
            "page": page,
            "followers": service.followers_of(partnership=partnership).count() if preview is None else None,
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
