"""iCalendar (RFC 5545/5546/7986) for feeds and e-mailed invitations, built with the icalendar package.

One function turns a session into a VEVENT, so feeds and invitations say the same thing: the UID
never changes and carries nothing personal or host-specific, DTSTART/DTEND are in the
partnership's zone with a VTIMEZONE, SEQUENCE comes from the database.
"""

from datetime import datetime, timedelta
from functools import lru_cache
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Timezone, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from .vtimezone import vtimezone as build_vtimezone

PRODID = "-//Crossroads//Sessions and referral pathways//EN"
REFRESH = timedelta(hours=1)
UTC = ZoneInfo("UTC")


def event_uid(event) -> str:
    return f"{event.uid}@crossroads"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE covering the years the calendar uses (cached: it is the same for every feed).

    RRULE-based STANDARD/DAYLIGHT observances from the zone's current rules (see `vtimezone`), not
    icalendar's multi-valued RDATEs, which ical.js and vobject read only the first value of.
    """
    return build_vtimezone(tzid, first_year, last_year).to_ical()


def new_calendar(*, name: str, method: str = "PUBLISH", zone: str | None = None, subscription: bool = True) -> Calendar:
    """A VCALENDAR. A subscription (feed) has a name and a refresh interval; a one-session download
    (`subscription=False`) has neither, so Outlook imports it as an appointment, not a new calendar."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if method == "PUBLISH" and subscription:
        calendar.add("name", vText(name))  # TEXT (RFC 7986): commas, semicolons and line breaks escaped
        calendar.add("x-wr-calname", vText(name))
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))  # an X- property: say it is a DURATION
    if zone:
        calendar.add("x-wr-timezone", zone)
    return calendar


def add_timezones(calendar: Calendar, events) -> None:
    """A VTIMEZONE for every TZID the events use, placed before the events."""
    zones: dict[str, tuple[int, int]] = {}
    for event in events:
        tzid = event.partnership.time_zone
        first, last = zones.get(tzid, (event.start.year, event.start.year))
        zones[tzid] = (min(first, event.start.year - 1), max(last, event.end.year))
    for tzid, (first, last) in sorted(zones.items()):
        calendar.subcomponents.insert(0, Timezone.from_ical(_vtimezone(tzid, first, last)))


def _location(event, *, show_online_link: bool) -> str:
    venue = event.venue
    if venue is None:
        return ""
    parts = [venue.name]
    if venue.address:
        parts.append(venue.address)
    if venue.is_online:
        parts.append(venue.online_url if show_online_link else "Online (link sent to registrants)")
    return ", ".join(parts)


def _description(event, *, show_online_link: bool) -> str:
    lines = []
    if event.status == "cancelled" and event.cancel_reason:
        lines += [f"CANCELLED: {event.cancel_reason}", ""]
    text = plain_text(event.description)  # no HTML and no Markdown markup in calendars
    if text:
        lines += [text, ""]
    if event.cohosts:
        lines.append(f"Hosted by {event.partnership.name} with {', '.join(event.cohosts)}.")
    if event.venue and event.venue.is_online and show_online_link and event.venue.online_url:
        lines.append(f"Join online: {event.venue.online_url}")
    lines.append(f"Details and registration: {absolute(event.get_absolute_url())}")
    return "\n".join(lines)


class _TextFromHTML(HTMLParser):
    """Rendered Markdown to plain text: paragraphs and list items on their own lines, links as
    "text (URL)", everything else as its text."""

    BLOCKS = {"p", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip()
            self.parts.append(text if not self.href or self.href == text else f"{text} ({self.href})")
            self.href = None
        elif tag in {"p", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4"}:
            self.parts.append("\n")

    def handle_data(self, data):
        if not data.strip() and "\n" in data:  # the line breaks between tags in the HTML
            return
        (self.link_text if self.href is not None else self.parts).append(data)


def plain_text(markdown_source: str | None) -> str:
    """A session description (Markdown) as the plain text calendars show: no asterisks, no tags."""
    if not (markdown_source or "").strip():
        return ""
    from events.models import render_markdown

    parser = _TextFromHTML()
    parser.feed(render_markdown(markdown_source))
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def vevent(
    event,
    *,
    sequence: int | None = None,
    status: str | None = None,
    show_online_link: bool = False,
    attendee=None,
    organizer_email: str | None = None,
    stamp: datetime | None = None,
) -> VEvent:
    """The VEVENT for a session. Feeds never pass `attendee`; invitations do (RFC 6047)."""
    zone = event.partnership.zone
    component = VEvent()
    component.add("uid", event_uid(event))
    component.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    component.add("dtstart", event.start.astimezone(zone))
    component.add("dtend", event.end.astimezone(zone))
    component.add("summary", event.title)
    component.add("description", _description(event, show_online_link=show_online_link))
    location = _location(event, show_online_link=show_online_link)
    if location:
        component.add("location", location)
    component.add("url", absolute(event.get_absolute_url()))
    categories = [t.name for t in event.topics.all()]
    if categories:
        component.add("categories", categories)
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", event.sequence if sequence is None else sequence)
    if status is None:
        status = "CANCELLED" if event.status == "cancelled" else "CONFIRMED"
    component.add("status", status)
    component.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["cn"] = vText(event.partnership.name)
        component.add("organizer", organizer, encode=0)
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["cn"] = vText(attendee.full_name or attendee.email)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("DECLINED" if status == "CANCELLED" else "ACCEPTED")
        address.params["rsvp"] = vText("FALSE")
        component.add("attendee", address, encode=0)
    return component


def serialise(calendar: Calendar) -> bytes:
    """CRLF line ends and lines folded at 75 octets without splitting UTF-8 (icalendar does both)."""
    return calendar.to_ical()
