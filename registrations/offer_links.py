"""The Accept / Decline links of a waitlist offer e-mail: signed, single-purpose, no login needed.

A token names one registration of one person and one offer (its deadline), salted for this purpose
only, so no other signed value of the site works here, and a link from an earlier offer never acts
on a later one. The pages behind it ask first (GET) and act on POST: mail scanners follow links.
"""

from django.conf import settings
from django.urls import reverse

from core.links import ids_from_token, ids_token

SALT = "crossroads.registrations.waitlist-offer"


def offer_token(registration) -> str:
    expires = int(registration.offer_expires_at.timestamp()) if registration.offer_expires_at else 0
    return ids_token(SALT, r=registration.pk, u=registration.user_id, o=expires)


def offer_urls(registration) -> dict[str, str]:
    """The absolute Accept and Decline links of the registration's open offer."""
    token = offer_token(registration)
    return {
        "accept_url": f"{settings.SITE_URL}{reverse('offer-accept', kwargs={'token': token})}",
        "decline_url": f"{settings.SITE_URL}{reverse('offer-decline', kwargs={'token': token})}",
    }


def offer_from_token(token: str):
    """(registration, is_this_offer) for the token, or None (bad signature, another person, or gone).

    is_this_offer is False when the registration no longer has the offer the link was sent for."""
    from .selectors import registration_get

    data = ids_from_token(token, SALT, "r", "u", "o")
    if data is None:
        return None
    registration = registration_get(registration_id=data["r"], user_id=data["u"])
    if registration is None:
        return None
    current = registration.offer_expires_at
    return registration, current is not None and int(current.timestamp()) == data["o"]
