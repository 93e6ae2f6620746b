"""Writes for people, tokens and sectors. Each service opens its own transaction."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from .models import ApiToken, Partnership, Sector, User
from .signals import user_signed_up
from .tokens import email_verification_token

EMAIL_TAKEN = "An account with this email address already exists."
TOKEN_NAME_REQUIRED = "Give the token a name, so you can recognise it later."
SECTOR_EXISTS = "A sector called {name} already exists."
SECTOR_NAME_REQUIRED = "A sector needs a name."

# Update last_used_at at most this often, so a busy script does not write on every call.
TOKEN_TOUCH_INTERVAL_SECONDS = 60


def verification_url(*, user: User) -> str:
    path = reverse(
        "verify-email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def user_send_verification(*, user: User) -> None:
    context = {"user": user, "url": verification_url(user=user), "site_url": settings.SITE_URL}
    send_mail(
        subject="Confirm your email for Crossroads",
        message=render_to_string("accounts/email/verify.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def user_sign_up(
    *,
    email: str,
    password: str,
    full_name: str,
    organisation: str = "",
    sector: Sector | None = None,
    role_title: str = "",
    follow_partnerships: list[Partnership] | None = None,
) -> User:
    """A new, unverified account. `follow_partnerships`: the ones whose session announcements the
    person asked for (told to the apps above through `user_signed_up`)."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": EMAIL_TAKEN})
    user = User(
        email=email, full_name=full_name.strip(), organisation=organisation, sector=sector, role_title=role_title
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user_signed_up.send(sender=User, user=user, follow_partnerships=list(follow_partnerships or []))
    transaction.on_commit(lambda: user_send_verification(user=user))
    return user


@transaction.atomic
def user_verify_email(*, user: User) -> User:
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user


PROFILE_FIELDS = ("full_name", "organisation", "sector", "role_title", "calendar_invites")


@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes) or None)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it with the raw secret, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": TOKEN_NAME_REQUIRED})
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)  # 256 bits of randomness
    token = ApiToken(user=user, name=name, token_hash=ApiToken.hash(raw), hint=raw[:8])
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoke()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None. Touches last_used_at now and then."""
    if not raw or not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOKEN_TOUCH_INTERVAL_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def sector_create(*, name: str) -> Sector:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": SECTOR_NAME_REQUIRED})
    slug = slugify(name)[:80]
    if not slug:
        raise ValidationError({"name": SECTOR_NAME_REQUIRED})
    if Sector.objects.filter(slug=slug).exists() or Sector.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": SECTOR_EXISTS.format(name=name)})
    sector = Sector(name=name, slug=slug)
    sector.full_clean()
    sector.save()
    return sector
