"""Short human codes (check-in, certificates): Crockford base32, random, read forgivingly."""

import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread


def random_code(length: int) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def normalise_code(raw: str) -> str:
    """Case-insensitive; O reads as 0, I and L as 1; hyphens and spaces are ignored."""
    table = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
    return (raw or "").strip().upper().translate(table)
