"""Reads for people and partnerships."""

from django.db.models import QuerySet

from .models import ApiToken, Membership, Partnership, Sector, User


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.all()


def partnership_list() -> QuerySet[Partnership]:
    return Partnership.objects.all()


def partnership_list_coordinated_by(*, user: User) -> QuerySet[Partnership]:
    if not user.is_authenticated:
        return Partnership.objects.none()
    if user.is_staff:
        return Partnership.objects.all()
    return Partnership.objects.filter(pk__in=user.coordinated_partnership_ids)


def partnership_coordinators(*, partnership: Partnership) -> QuerySet[User]:
    return User.objects.filter(
        memberships__partnership=partnership, memberships__role=Membership.Role.COORDINATOR
    ).select_related("sector")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def user_get_by_email(*, email: str) -> User | None:
    """The account with this e-mail address (case-insensitive), or None."""
    email = (email or "").strip()
    return User.objects.filter(email__iexact=email).first() if email else None
