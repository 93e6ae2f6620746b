"""PDFs with WeasyPrint and a locked-down URL fetcher (name badges now, certificates next).

The documents we render carry text people typed (names, organisations). The fetcher makes sure that,
whatever ends up in the HTML, rendering never reads a file or opens a connection it should not:

- `data:` URLs are decoded in memory;
- the app's own static files (`/static/…` on the internal origin or on SITE_URL) are found with
  django.contrib.staticfiles' finders and read from disk — never `file://`, never by path outside them;
- anything else (file://, http(s) to anywhere, other schemes, path tricks) raises, and WeasyPrint
  leaves the resource out. Nothing is ever fetched over the network, so there are no redirects either.

    pdf = render_pdf(render_to_string("x.html", context), stylesheets=["css/x-print.css"])

One FontConfiguration serves every document, and stylesheets named in `stylesheets` are parsed once
per process and cached.
"""

from __future__ import annotations

import base64
import functools
import logging
import mimetypes
import posixpath
from collections.abc import Sequence
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

# The base URL documents are rendered against: the `.invalid` top-level domain never resolves (RFC 2606),
# so even a mistake elsewhere could not turn a relative link into a request.
INTERNAL_ORIGIN = "https://crossroads.invalid"
MAX_DATA_URL_BYTES = 5 * 1024 * 1024

# WeasyPrint reports every step of every document at INFO; keep its warnings (e.g. a refused URL).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class BlockedURL(ValueError):
    """The fetcher refused a URL: not data:, not one of the app's static files."""


def _static_prefixes() -> list[str]:
    static_path = "/" + settings.STATIC_URL.strip("/") + "/"
    origins = {INTERNAL_ORIGIN}
    site = urlsplit(settings.SITE_URL)
    if site.scheme in ("http", "https") and site.netloc:
        origins.add(f"{site.scheme}://{site.netloc}")
    return [origin + static_path for origin in sorted(origins)]


def static_file_for(url: str) -> str | None:
    """The path on disk of the static file `url` names, or None if it names none (or tries a trick)."""
    parts = urlsplit(url)
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    for prefix in _static_prefixes():
        if bare.startswith(prefix):
            relative = unquote(bare[len(prefix) :])
            break
    else:
        return None
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    if posixpath.normpath(relative) != relative:
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if isinstance(found, list):  # find(..., all=True) shape; never asked for, but be strict
        found = found[0] if found else None
    return found or _collected_file(relative)


def _collected_file(relative: str) -> str | None:
    """A file collected into STATIC_ROOT: with production storage (ManifestStaticFilesStorage, whitenoise)
    `{% static %}` names hashed copies (logo.306f65138af6.svg) that only exist there, not in the finders."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        if staticfiles_storage.exists(relative):
            return staticfiles_storage.path(relative)
    except (SuspiciousFileOperation, NotImplementedError, OSError, ValueError):
        return None
    return None


def _data_url(url: str) -> tuple[bytes, str]:
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise BlockedURL("malformed data: URL")
    params = header.split(";")
    is_base64 = params[-1].lower() == "base64"
    if is_base64:
        params = params[:-1]
    mime_type = params[0] or "text/plain"
    body = base64.b64decode(unquote_to_bytes(payload), validate=False) if is_base64 else unquote_to_bytes(payload)
    if len(body) > MAX_DATA_URL_BYTES:
        raise BlockedURL("data: URL too large")
    return body, mime_type


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """WeasyPrint's fetcher with every network and file handler out of reach."""

        def __init__(self):
            super().__init__(allowed_protocols=("data", "https", "http"), allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                body, mime_type = _data_url(url)
                return URLFetcherResponse(url, body, {"Content-Type": mime_type})
            path = static_file_for(url)
            if path is None:
                raise BlockedURL(f"not a static file of this app: {url[:200]}")
            with open(path, "rb") as handle:
                body = handle.read()
            mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

        def open(self, url, data=None, timeout=None):  # never urllib's network openers
            return self.fetch(getattr(url, "full_url", url))

    return SafeURLFetcher


class _LazyFetcher:
    """`safe_url_fetcher(url)`: WeasyPrint is imported on first use, not when Django starts."""

    _fail_on_errors = False

    @functools.cached_property
    def _fetcher(self):
        return _fetcher_class()()

    def __call__(self, url: str):
        return self._fetcher.fetch(url)

    def fetch(self, url: str, headers=None):
        return self._fetcher.fetch(url, headers)


safe_url_fetcher = _LazyFetcher()


@functools.cache
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def stylesheet(static_path: str):
    """A static stylesheet, parsed once per process (against the shared font configuration)."""
    from weasyprint import CSS

    # The internal origin, not SITE_URL: the parsed sheet is cached, and SITE_URL may differ later.
    url = f"{INTERNAL_ORIGIN}/{settings.STATIC_URL.strip('/')}/{static_path}"
    if static_file_for(url) is None:
        raise BlockedURL(f"no such static stylesheet: {static_path}")
    # Fetched through the fetcher too, so its own url(...)s resolve against the static origin.
    response = safe_url_fetcher(url)
    return CSS(
        string=response.read().decode("utf-8"),
        base_url=url,
        url_fetcher=safe_url_fetcher,
        font_config=font_config(),
    )


def render_document(html: str, *, base_url: str | None = None, stylesheets: Sequence[str] = ()):
    """The laid-out WeasyPrint document (pages and boxes) — what render_pdf writes; tests inspect its boxes."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or INTERNAL_ORIGIN + "/", url_fetcher=safe_url_fetcher)
    return document.render(stylesheets=[stylesheet(path) for path in stylesheets], font_config=font_config())


def render_pdf(html: str, *, base_url: str | None = None, stylesheets: Sequence[str] = (), **options) -> bytes:
    """Render HTML to PDF bytes with the locked-down fetcher.

    `base_url` defaults to the internal origin, so `{% static %}` links resolve to the app's static
    files. `stylesheets` are static paths (e.g. "css/badges.css"), parsed once and cached. Other
    keyword arguments go to WeasyPrint's write_pdf (e.g. pdf_variant="pdf/ua-1" for a tagged PDF).
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or INTERNAL_ORIGIN + "/", url_fetcher=safe_url_fetcher)
    return document.write_pdf(
        stylesheets=[stylesheet(path) for path in stylesheets], font_config=font_config(), **options
    )
