"""Rate limits that hold across processes (the cache is Redis in production) and answer 429 with Retry-After.

django-ratelimit counts in the default cache. `limit(request, group=…, rate=…)` counts one request of a
group that several views share (the certificate verification page, its JSON, its badge and the API
operations all count against one limit per address) and raises `Throttled` when it is over; views decorated
with django-ratelimit's `@ratelimit(block=True)` raise its `Ratelimited`. Both become a 429 with
Retry-After: JSON for the API (and `.json` URLs), a short page otherwise.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import _split_rate, is_ratelimited
from django_ratelimit.exceptions import Ratelimited

MESSAGE = "Too many requests. Please wait a moment and try again."

VERIFY_GROUP = "certificate-verification"
VERIFY_RATE = "30/m"


class Throttled(Ratelimited):
    def __init__(self, retry_after: int):
        super().__init__(MESSAGE)
        self.retry_after = retry_after


def client_address(group, request) -> str:
    """The caller's address (a WSGI server always sets REMOTE_ADDR; an in-process client may not)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def limit(request, *, group: str, rate: str, key=client_address) -> None:
    """Count this request in `group`; raise Throttled when the group's limit for this caller is spent."""
    if is_ratelimited(request, group=group, key=key, rate=rate, increment=True):
        raise Throttled(retry_after=_split_rate(rate)[1])


def wants_json(request) -> bool:
    return (
        request.path.startswith("/api/")
        or request.path.endswith(".json")
        or "application/json" in request.headers.get("Accept", "")
    )


def too_many_requests(request, exception=None):
    """RATELIMIT_VIEW, and the API's handler: 429 with Retry-After (the window's length, an upper bound)."""
    retry_after = getattr(exception, "retry_after", None) or 60
    if wants_json(request):
        response = JsonResponse({"detail": MESSAGE}, status=429)
    else:
        response = render(request, "core/too_many.html", {"message": MESSAGE}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RatelimitedMiddleware:
    """Turns Ratelimited (a PermissionDenied, so 403 by default) raised by a page into the 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Ratelimited):
            return too_many_requests(request, exception)
        return None
