"""A short wait for row locks: a queue too long for the event's lock is a clean 503, never a timeout.

On PostgreSQL, `lock_timeout_set()` limits how long the rest of the transaction waits for any lock
(`SET LOCAL lock_timeout`, settings.LOCK_TIMEOUT_MS, 3 s by default). Past that PostgreSQL cancels the
statement with SQLSTATE 55P03; the transaction rolls back whole (nothing half-written) and
`LockTimeoutMiddleware` answers 503 with Retry-After instead of a 500 — or, with no limit at all,
instead of the request outliving gunicorn's worker timeout. SQLite has no row locks: its IMMEDIATE
transactions wait `OPTIONS["timeout"]` seconds for the write lock and raise "database is locked",
answered the same way.

The same clean 503 answers PostgreSQL's other "busy, try again" refusals, which also roll the
transaction back whole: a deadlock (40P01), a serialization failure (40001), a statement cancelled by
`statement_timeout` (57014, set with the lock timeout so no statement of a locked section outlives the
worker timeout) and a server out of connections (53300, 57P03). `AtomicWritesMiddleware` asks
`is_busy()` too, for a refusal at the API's COMMIT (deferred foreign-key checks wait for locks there),
which happens after the view and would otherwise be a 500.
"""

import logging

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

LOCK_NOT_AVAILABLE = "55P03"
# PostgreSQL's refusals that mean "busy: try again"; the transaction is rolled back whole.
BUSY_SQLSTATES = {
    LOCK_NOT_AVAILABLE: "lock timeout",
    "40P01": "deadlock",
    "40001": "serialization failure",
    "57014": "statement timeout",
    "53300": "too many connections",
    "57P03": "cannot connect now",
}
# A refused connection has no SQLSTATE on the client side, only the server's message.
BUSY_CONNECT_MESSAGES = (
    "too many clients",
    "remaining connection slots are reserved",
    "database system is starting up",
)
# No statement of a locked section may run this long (well under gunicorn's 30 s worker timeout).
STATEMENT_TIMEOUT_MS = 10_000
BUSY = "Many people are registering right now. Please try again in a few seconds."


def lock_timeout_set() -> None:
    """Limit lock waits (and each statement's time) for the rest of this transaction. Call inside
    transaction.atomic."""
    if connection.vendor == "postgresql":
        statement_ms = int(getattr(settings, "STATEMENT_TIMEOUT_MS", STATEMENT_TIMEOUT_MS))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)",
                [f"{int(settings.LOCK_TIMEOUT_MS)}ms", f"{statement_ms}ms"],
            )


def is_lock_timeout(error: BaseException) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def busy_reason(error: BaseException) -> str | None:
    """Why the database refused, if it is a "busy, try again" refusal (see BUSY_SQLSTATES); else None."""
    if not isinstance(error, OperationalError):
        return None
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate in BUSY_SQLSTATES:
        return BUSY_SQLSTATES[sqlstate]
    text = str(error)
    if any(message in text for message in BUSY_CONNECT_MESSAGES):
        return "too many connections"
    if connection.vendor == "sqlite" and "database is locked" in text:
        return "lock timeout"
    return None


def is_busy(error: BaseException) -> bool:
    return busy_reason(error) is not None


def busy_response(request, error: BaseException) -> HttpResponse:
    """503 + Retry-After: JSON under /api/, a page elsewhere."""
    logger.warning("503 for %s %s: the database was busy (%s)", request.method, request.path, busy_reason(error))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": BUSY}, status=503)
    else:
        response = HttpResponse(render_to_string("core/busy.html", {"message": BUSY}, request=request), status=503)
    response["Retry-After"] = str(retry_after_seconds())
    response["Cache-Control"] = "no-store"
    return response


def retry_after_seconds() -> int:
    return max(1, round(settings.LOCK_TIMEOUT_MS / 1000))


class LockTimeoutMiddleware:
    """503 + Retry-After (JSON under /api/, a page elsewhere) for a request that waited too long for a
    lock, or that the database refused as busy (`is_busy`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        return busy_response(request, exception)
