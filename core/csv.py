"""The one CSV writer: every CSV the project serves goes through it.

A spreadsheet treats a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula
(CSV injection). Every text cell that starts so gets a leading apostrophe, which spreadsheets show as
text. Numbers stay numbers (a negative number is written as a number, not text). Excel opens UTF-8 CSV
correctly with a byte-order mark, so responses start with one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
BOM = "\ufeff"


_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # one character each: a set lookup on the first one


def safe_cell(value) -> str | int | float | Decimal:
    """A cell that no spreadsheet evaluates as a formula."""
    if value.__class__ is str:  # most cells: the quick way (an export may have tens of thousands of rows)
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def write_rows(stream, rows: Iterable[Sequence]) -> None:
    csv.writer(stream).writerows([safe_cell(cell) for cell in row] for row in rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    write_rows(buffer, [header, *rows])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence], *, bom: bool = True) -> HttpResponse:
    """An attachment download; `filename` must be plain ASCII without quotes (callers build it from slugs)."""
    safe_name = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "-_."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    # Written to a buffer and set once: HttpResponse.write for each row costs more than the CSV itself.
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    write_rows(buffer, [header, *rows])
    response.content = buffer.getvalue()
    return response
