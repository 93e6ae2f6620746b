"""Input is cleaned at the edge, before any view, form, schema or database sees it.

Every request — API or page, path, query string, form fields (urlencoded or multipart), uploaded files'
names and text contents, JSON bodies — is refused with a 400 naming the field when a value holds:

- a control character (NUL, the other C0 and C1 controls, DEL). PostgreSQL cannot store NUL at all,
  and none of the others belongs in anything people type. Tab, newline and carriage return are allowed
  only in multi-line fields;
- a line break (or tab) in a single-line field: every query parameter, and every field named like a
  single-line column of the project's models (titles, names, venues, addresses, sectors, e-mails …),
  worked out from the models themselves, so a new CharField is single-line with no change here;
- a date (ISO `YYYY-MM-DD…`) outside 1900–2199, such as a session in the year 1102.

API callers get the API's error shape (`{"detail": "field: message", "errors": {field: [message]}}`);
pages get a short page that says which field and why.
"""

import json
import re
from functools import lru_cache

from django.http import JsonResponse
from django.shortcuts import render

NUL_MESSAGE = "Null characters are not allowed."
MESSAGE = NUL_MESSAGE  # the original name, kept for callers
CONTROL_MESSAGE = "Control characters are not allowed."
LINE_BREAK_MESSAGE = "Line breaks are not allowed in this field."
MIN_YEAR, MAX_YEAR = 1900, 2199
DATE_MESSAGE = f"Dates must be between {MIN_YEAR} and {MAX_YEAR}."

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile(r"[\t\n\r\u2028\u2029]")
ISO_DATE = re.compile(r"^\s*(\d{4})-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$")
# Single-line whatever a model says (a TextField somewhere is named `name` too).
ALSO_SINGLE_LINE = frozenset({"name", "sector", "venue", "topic", "series", "q", "email", "username"})
TEXT_UPLOADS = (".json", ".csv", ".txt", ".tsv")


@lru_cache(maxsize=1)
def single_line_fields() -> frozenset[str]:
    from django.apps import apps
    from django.conf import settings
    from django.db import models

    single, multi = set(), set()
    base = str(settings.BASE_DIR)
    project = [a for a in apps.get_app_configs() if a.path.startswith(base) and ".venv" not in a.path]
    for app in project:  # the project's own apps, whatever they are called
        for model in app.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.TextField):
                    multi.add(field.name)
                elif isinstance(field, models.CharField):
                    single.add(field.name)
    return frozenset(single - multi) | ALSO_SINGLE_LINE


def _leaf_name(name: str) -> str:
    """`form-0-title` (a formset) and `venue.name` (a JSON path) are both judged as their last part."""
    return re.split(r"[-.]", name)[-1]


def problem(name: str, value: str, *, single_line: bool | None = None) -> str | None:
    """The message for a value that must be refused, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if CONTROL.search(value):
        return CONTROL_MESSAGE
    if single_line is None:
        single_line = _leaf_name(name) in single_line_fields()
    if single_line and LINE_BREAK.search(value):
        return LINE_BREAK_MESSAGE
    date = ISO_DATE.match(value)
    if date and not MIN_YEAR <= int(date.group(1)) <= MAX_YEAR:
        return DATE_MESSAGE
    return None


def _json_problem(value, path=()) -> tuple[str, str] | None:
    if isinstance(value, str):
        name = ".".join(str(p) for p in path) or "body"
        # A string in a list is judged by the list's name (`cohosts.0` → `cohosts`).
        named = [p for p in path if isinstance(p, str)]
        found = problem(named[-1] if named else name, value)
        return (name, found) if found else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and CONTROL.search(key):
            return ".".join(str(p) for p in (*path, key)), NUL_MESSAGE if "\x00" in key else CONTROL_MESSAGE
        found = _json_problem(item, (*path, key))
        if found is not None:
            return found
    return None


def request_problem(request) -> tuple[str, str] | None:
    """(field, message) for the first value of the request that must be refused, or None."""
    if CONTROL.search(request.path) or LINE_BREAK.search(request.path):
        return "path", NUL_MESSAGE if "\x00" in request.path else CONTROL_MESSAGE
    for key, values in request.GET.lists():
        for value in (key, *values):
            found = problem(key, value, single_line=True)
            if found:
                return CONTROL.sub("", key) or "query", found
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return None  # the API answers malformed JSON itself
        return _json_problem(body)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if request.path.startswith("/api/"):
            request.body  # noqa: B018 - read it first: the API's parser reads the body after this
        for key, values in request.POST.lists():
            for value in values:
                found = problem(key, value)
                if found:
                    return CONTROL.sub("", key) or "form", found
        for key, upload in request.FILES.items():
            found = problem(key, upload.name or "", single_line=True)
            if not found and (upload.name or "").lower().endswith(TEXT_UPLOADS):
                found = _upload_problem(upload)
            if found:
                return key, found
    return None


def _upload_problem(upload) -> str | None:
    """A text upload (JSON, CSV) with a control character in it (NUL cannot be stored)."""
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    text = raw.decode("utf-8", errors="replace")
    if "\x00" in text or "\\u0000" in text:
        return NUL_MESSAGE
    if CONTROL.search(text) or re.search(r"\\u00(?:0[0-8bcef]|1[0-9a-f]|7f)", text, re.IGNORECASE):
        return CONTROL_MESSAGE
    return None


def refuse(request, field: str, message: str):
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": f"{field}: {message}", "errors": {field: [message]}}, status=400)
    return render(request, "core/bad_input.html", {"field": field, "message": message}, status=400)


class CleanInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = request_problem(request)
        if found is not None:
            return refuse(request, *found)
        return self.get_response(request)


RejectNullCharactersMiddleware = CleanInputMiddleware  # the original name


class AtomicWritesMiddleware:
    """An API write (POST, PUT, PATCH, DELETE under /api/) runs in one transaction, rolled back if it ends in a
    server error: a failure after something was saved leaves nothing behind (a retrying client makes no
    duplicates). Services keep their own transactions (savepoints inside this one); on_commit side effects
    run after it. Pages' forms call one service each, which is already atomic."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not request.path.startswith("/api/"):
            return self.get_response(request)
        from django.db import OperationalError, transaction

        from core.locking import busy_response, is_busy

        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
        except OperationalError as error:
            # Refused at COMMIT (a deferred foreign-key check past the lock timeout, a deadlock…): the
            # transaction is rolled back whole, so the answer is the same clean 503 as in the view.
            if not is_busy(error):
                raise
            return busy_response(request, error)
        return response


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY, unless the view set its own (see `permissions_policy`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
