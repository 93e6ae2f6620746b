"""`reverse` for links printed many times on one page: the pattern is reversed once, then filled in.

A "where can I refer?" answer prints a few hundred service and pathway links; `django.urls.reverse`
costs about 25 µs each. `reverse_one` reverses the named pattern once per URLconf and script prefix
(so links stay right behind a sub-path or in a test that swaps the URLconf) with a placeholder for its
single keyword argument, and substitutes the value after that.
"""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

PLACEHOLDER = "00000000-0000-4000-8000-00000000c0de"


@lru_cache(maxsize=256)
def _template(name: str, kwarg: str, prefix: str, urlconf) -> tuple[str, str]:
    url = reverse(name, kwargs={kwarg: PLACEHOLDER}, urlconf=urlconf)
    head, found, tail = url.partition(PLACEHOLDER)
    if not found or PLACEHOLDER in tail:
        raise ValueError(f"{name}: the placeholder must appear once in {url!r}")
    return head, tail


def reverse_one(name: str, kwarg: str, value) -> str:
    """`reverse(name, kwargs={kwarg: value})` for a pattern whose one argument accepts a UUID-like value
    (uuid/str converters). The value is quoted as `reverse` would."""
    head, tail = _template(name, kwarg, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{head}{quote(str(value), safe='-_.~')}{tail}"
