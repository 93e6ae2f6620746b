"""Log-in throttling (django-axes): per account and per address, a clear message, reset on success.

Failed attempts are kept in the database (axes' AccessAttempt), so every process sees the same count.
After AXES_FAILURE_LIMIT failures for an account, or from an address, further attempts are refused
for AXES_COOLOFF_TIME with 429 and Retry-After: the log-in page says so in words, a JSON client
(the API, or `Accept: application/json`) gets the API's error shape. A successful log-in clears the
failures of that account and address.
"""

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def login_username(request, credentials=None) -> str:
    """The account an attempt is for, as the log-in form reads it (e-mail, trimmed, lower case)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def locked_out_message() -> str:
    minutes = math.ceil(retry_after_seconds() / 60)
    return (
        f"Too many failed log-in attempts for this account or from this address. "
        f"Please try again in {minutes} minutes, or reset your password."
    )


def lockout_response(request, original_response=None, credentials=None):
    message = locked_out_message()
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "errors": {"__all__": [message]}}, status=429)
    else:
        from .forms import LoginForm

        form = LoginForm(request, initial={"username": login_username(request, credentials)})
        context = {"form": form, "locked_out": message, "next": request.POST.get("next", "")}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(retry_after_seconds())
    return response
