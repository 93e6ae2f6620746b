"""The one NinjaAPI: a router per app, JSON errors that name the field."""

import ninja.parser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from accounts.auth import AUTHENTICATED


class Parser(ninja.parser.Parser):
    """JSON bodies. An empty body (or an empty form, as some clients send on a bare POST) is an
    empty object, so payloads whose fields are all optional may be left out."""

    FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

    def parse_body(self, request):
        if not request.body.strip():
            return {}
        if request.content_type in self.FORM_TYPES and not request.POST and not request.FILES:
            return {}
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


class CrossroadsAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        from .openapi import CrossroadsOpenAPISchema

        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return CrossroadsOpenAPISchema(self, path_prefix)


api = CrossroadsAPI(
    parser=Parser(),
    title="Crossroads API",
    version="1.0.0",
    description=(
        "Professional-development sessions and referral pathways for place-based partnerships. "
        "Authenticate with a personal token (`Authorization: Bearer <token>`) or the browser session (with CSRF)."
    ),
    auth=AUTHENTICATED,
    urls_namespace="api",
)


LOCATIONS = ("body", "query", "path", "header", "cookie", "form")


def _field_name(loc) -> str:
    """("body", "payload", "subject") -> "subject". Only the leading location (and the parameter's name
    "payload") are dropped, so a field that is itself called `body` or `query` keeps its name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc: DjangoValidationError):
    errors = django_validation_errors(exc)
    first_field, first_messages = next(iter(errors.items()))
    detail = first_messages[0] if first_field == "__all__" else f"{first_field}: {first_messages[0]}"
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


@api.exception_handler(NinjaValidationError)
def on_ninja_validation_error(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(error.get("msg", "Invalid value."))
    first_field, first_messages = next(iter(errors.items())) if errors else ("__all__", ["Invalid input."])
    return api.create_response(request, {"detail": f"{first_field}: {first_messages[0]}", "errors": errors}, status=422)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(Ratelimited)
def on_rate_limited(request, exc):
    from core.ratelimit import too_many_requests

    return too_many_requests(request, exc)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    message = exc.message if exc.message != "Unauthorized" else "Authentication required."
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="crossroads"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _register_routers() -> None:
    from accounts.api import router as accounts_router
    from certificates.api import router as certificates_router
    from events.api import router as events_router
    from networking.api import router as networking_router
    from notifications.api import router as notifications_router
    from referrals.api import router as referrals_router
    from registrations.api import router as registrations_router
    from reporting.api import router as reporting_router

    api.add_router("/", accounts_router)
    api.add_router("/", events_router)
    api.add_router("/", registrations_router)
    api.add_router("/", referrals_router)
    api.add_router("/", notifications_router)
    api.add_router("/", certificates_router)
    api.add_router("/", networking_router)
    api.add_router("/", reporting_router)

    from resources.api import router as resources_router

    api.add_router("/", resources_router)


_register_routers()
