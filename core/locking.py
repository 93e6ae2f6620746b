"""A short wait for row locks: a queue too long for the event's lock is a clean 503, never a timeout.

On PostgreSQL, `lock_timeout_set()` limits how long the rest of the transaction waits for any lock
(`SET LOCAL lock_timeout`, settings.LOCK_TIMEOUT_MS, 3 s by default). Past that PostgreSQL cancels the
statement with SQLSTATE 55P03; the transaction rolls back whole (nothing half-written) and
`LockTimeoutMiddleware` answers 503 with Retry-After instead of a 500 — or, with no limit at all,
instead of the request outliving gunicorn's worker timeout. SQLite has no row locks: its IMMEDIATE
transactions wait `OPTIONS["timeout"]` seconds for the write lock and raise "database is locked",
answered the same way.
"""

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

LOCK_NOT_AVAILABLE = "55P03"
BUSY = "Many people are registering right now. Please try again in a few seconds."


def lock_timeout_set() -> None:
    """Limit lock waits for the rest of this transaction. Call inside transaction.atomic."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(settings.LOCK_TIMEOUT_MS)}ms"])


def is_lock_timeout(error: BaseException) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def retry_after_seconds() -> int:
    return max(1, round(settings.LOCK_TIMEOUT_MS / 1000))


class LockTimeoutMiddleware:
    """503 + Retry-After (JSON under /api/, a page elsewhere) for a request that waited too long for a lock."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_lock_timeout(exception):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": BUSY}, status=503)
        else:
            response = HttpResponse(render_to_string("core/busy.html", {"message": BUSY}, request=request), status=503)
        response["Retry-After"] = str(retry_after_seconds())
        response["Cache-Control"] = "no-store"
        return response
