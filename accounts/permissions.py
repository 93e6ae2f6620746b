"""Who may manage a partnership: the one definition every API handler and page uses.

Pages and reads answer 404 both for an unknown partnership and for one the caller does not coordinate
(never a hint that it exists). Writes that name the partnership in their input pass `field`: an unknown
slug is then a 400 naming that field, and one the caller does not coordinate a 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from .models import Partnership, User

ONLY_COORDINATORS = "Only the partnership's coordinators can do this."
UNKNOWN_PARTNERSHIP = "Unknown partnership: {slug}."


def partnership_get_managed(*, user: User | None, slug: str, field: str | None = None) -> Partnership:
    """The partnership `slug` if `user` coordinates it (staff coordinate every partnership)."""
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        if field is not None:
            raise ValidationError({field: UNKNOWN_PARTNERSHIP.format(slug=slug)})
        raise Http404
    if user is None or not user.is_authenticated or not user.is_coordinator_of(partnership):
        if field is not None:
            raise PermissionDenied(ONLY_COORDINATORS)
        raise Http404
    return partnership
