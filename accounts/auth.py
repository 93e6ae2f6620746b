"""API authentication: personal tokens (Authorization: Bearer) and the browser session (with CSRF)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie


class TokenAuth(HttpBearer):
    """A personal API token. A token that is unknown or revoked is a 401, never anonymous."""

    openapi_description = "A personal API token, created on the Tokens page or with POST /api/me/tokens."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from accounts.services import api_token_authenticate

        user = api_token_authenticate(raw=token)
        if user is None:
            raise AuthenticationError(message="Invalid or revoked API token.")
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session. CSRF is enforced only for a signed-in session, as Django's own views do."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class Anonymous:
    """Lets an operation run for anonymous callers too; request.user tells who is calling."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(request, "user", None):
            request.user = AnonymousUser()
        return request.user


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTHENTICATED = [token_auth, session_auth]
PUBLIC = [token_auth, session_auth, Anonymous()]
