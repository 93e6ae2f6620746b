"""The "can't come? cancel my place" link in invitations: signed, single-purpose, no login needed.

The token names one registration of one person (salted for this purpose only, so no other signed
value of the site works here) and stops working once the registration is cancelled or the session
has started.
"""

from django.core import signing

SALT = "crossroads.notifications.cancel-place"


def cancel_token(registration) -> str:
    return signing.dumps({"r": registration.pk, "u": registration.user_id}, salt=SALT, compress=True)


def registration_from_token(token: str):
    """The registration the token names, or None (bad signature, another person, or gone)."""
    from registrations.selectors import registration_get

    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("u"), int):
        return None
    return registration_get(registration_id=data["r"], user_id=data["u"])
