"""The "can't come? cancel my place" link in invitations: signed, single-purpose, no login needed.

The token names one registration of one person (salted for this purpose only, so no other signed
value of the site works here) and stops working once the registration is cancelled or the session
has started.
"""

from core.links import ids_from_token, ids_token

SALT = "crossroads.notifications.cancel-place"


def cancel_token(registration) -> str:
    return ids_token(SALT, r=registration.pk, u=registration.user_id)


def registration_from_token(token: str):
    """The registration the token names, or None (bad signature, another person, or gone)."""
    from registrations.selectors import registration_get

    data = ids_from_token(token, SALT, "r", "u")
    if data is None:
        return None
    return registration_get(registration_id=data["r"], user_id=data["u"])
