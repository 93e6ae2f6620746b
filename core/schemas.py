"""Schemas every API shares."""

from ninja import Schema


class ErrorOut(Schema):
    """Every 4xx answer: `detail` for people, `errors` (field -> messages) for code. See config/api.py."""

    detail: str
    errors: dict[str, list[str]] | None = None
