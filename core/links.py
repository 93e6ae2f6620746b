"""Signed link tokens for e-mails that must work without logging in (cancel a place, accept an offer,
unsubscribe): a few whole numbers, signed with the site's key and salted for one purpose only, so no other
signed value of the site works in their place."""

from django.core import signing


def ids_token(salt: str, **ids: int) -> str:
    return signing.dumps(ids, salt=salt, compress=True)


def ids_from_token(token: str, salt: str, *keys: str) -> dict[str, int] | None:
    """The numbers the token was signed with, or None if it is not a good token for `salt` with `keys`."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), int) for key in keys):
        return None
    return data
