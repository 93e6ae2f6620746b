"""Accent-insensitive search: "nguyen" finds "Nguyễn", "Nguyễn" finds "Nguyen".

`name__unaccented__icontains=fold(word)` compares the column with its accents removed against the
search word folded in Python. PostgreSQL removes them with the `unaccent` extension, through
`crossroads_unaccent`, an IMMUTABLE wrapper that can be indexed (migrations 0007 and 0010_directory_speed:
trigram indexes on the folded names and descriptions); on SQLite an `unaccent` SQL function is registered
on each connection, in Python.
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

    def as_postgresql(self, compiler, connection, **extra_context):
        # The indexed expression (0010_directory_speed): upper(crossroads_unaccent(column::text)).
        return self.as_sql(compiler, connection, function="crossroads_unaccent", **extra_context)


def register_lookups() -> None:
    models.CharField.register_lookup(Unaccented)
    models.TextField.register_lookup(Unaccented)


def add_sqlite_unaccent(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "unaccent", 1, lambda value: None if value is None else fold(value), deterministic=True
        )
