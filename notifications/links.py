"""Subscribe links for a feed URL: webcal://, Google Calendar's add-by-URL, and the plain https URL."""

from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings


def feed_links(path: str) -> dict:
    url = f"{settings.SITE_URL}{path}"
    parts = urlsplit(url)
    webcal = urlunsplit(("webcal", parts.netloc, parts.path, parts.query, ""))
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
    }
