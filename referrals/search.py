"""Accent-insensitive search: "nguyen" finds "Nguyễn", "Nguyễn" finds "Nguyen".

`name__unaccented__icontains=fold(word)` compares the column with its accents removed against the
search word folded in Python. PostgreSQL removes them with the `unaccent` extension (a migration
creates it); on SQLite the same SQL function is registered on each connection, in Python.
"""

import unicodedata

from django.db import models

# Letters NFKD does not decompose into a base letter and marks.
_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE"})


def fold(text: str) -> str:
    """The text without accents (the search side of the comparison)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Unaccented(models.Transform):
    lookup_name = "unaccented"
    function = "unaccent"


def register_lookups() -> None:
    models.CharField.register_lookup(Unaccented)
    models.TextField.register_lookup(Unaccented)


def add_sqlite_unaccent(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "unaccent", 1, lambda value: None if value is None else fold(value), deterministic=True
        )
