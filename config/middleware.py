"""Refuse NUL characters in API input before anything reaches the database.

PostgreSQL text cannot hold NUL (0x00): without this, a `\\u0000` in a JSON string or `%00` in a query
or path would be a 500. Django's forms already refuse them on the HTML pages.
"""

import json

from django.http import JsonResponse

MESSAGE = "Null characters are not allowed."


def _nul_path(value, path=()):
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return (*path, key)
        found = _nul_path(item, (*path, key))
        if found is not None:
            return found
    return None


def _refuse(field: str) -> JsonResponse:
    return JsonResponse({"detail": f"{field}: {MESSAGE}", "errors": {field: [MESSAGE]}}, status=400)


class RejectNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            if "\x00" in request.path:
                return _refuse("path")
            for key, values in request.GET.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return _refuse(key.replace("\x00", "") or "query")
            if request.content_type == "application/json" and b"\\u0000" in request.body:
                try:
                    found = _nul_path(json.loads(request.body))
                except ValueError:
                    found = None
                if found is not None:
                    return _refuse(".".join(str(p) for p in found) or "body")
        return self.get_response(request)
