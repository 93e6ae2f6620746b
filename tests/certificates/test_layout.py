"""The certificate lays out any content: the rendered boxes of its parts never intersect.

WeasyPrint's layout (Document.render) is walked page by page; each named part of the certificate
(the title, the name, the session, each fact, the signatory, the QR code, the verify line) is the
union of its boxes. No two parts may overlap, every part stays inside the certificate's border, and
each certificate is one page.
"""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate, format_cpd_hours
from certificates.rendering import STYLESHEETS, certificate_html, certificate_pdf
from core.pdf import render_document

LONG_NAME = "Associate Professor Maria-Fernanda Wolfeschlegelsteinhausen-Bergerdorff Nguyễn Thị Minh Khai"
LONG_TITLE = (
    "Collaborating for Systems Improvement: referral pathways between general practice, maternal and child "
    "health, early childhood education and care, allied health and family services across the Central "
    "Highlands — what works, what gets in the way, and who to call first"
)
FIVE_COHOSTS = [
    "Grampians Public Health Unit",
    "Ballarat and District Aboriginal Co-operative",
    "Central Highlands Primary Care Partnership",
    "Federation University Australia School of Nursing and Healthcare Professions",
    "Child and Family Services Ballarat (CAFS)",
]


def _certificate(**overrides) -> Certificate:
    start = (timezone.now() - timedelta(days=3)).replace(hour=23, minute=30)
    values = {
        "code": "ABCDEFGHJK",
        "recipient_name": "Pat Practitioner",
        "event_title": "Referral pathways",
        "event_start": start,
        "event_end": start + timedelta(hours=2),
        "time_zone": "Australia/Melbourne",
        "partnership_name": "Ballarat Community Partnership",
        "cohosts": ["City of Ballarat"],
        "minutes_attended": 120,
        "cpd_hours": 2,
        "signatory_name": "Casey Coordinator",
        "signatory_role": "Community Partnerships Facilitator, City of Ballarat",
        "issued_at": timezone.now(),
    }
    return Certificate(**{**values, **overrides})


PARTS = {  # a part: (tag, class) of the element whose boxes make it up
    "title": ("h1", None),
    "name": ("p", "name"),
    "session": ("p", "session"),
    "facts": ("dl", "facts"),
    "signature": ("div", "signature"),
    "qr": ("div", "verify-qr"),
    "verify line": ("div", "verify-text"),
    "logos": ("header", None),
}


def _descendants(box):
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _descendants(child)


def _rect(box):
    return (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _parts(page) -> tuple[dict, tuple]:
    found, frame = {}, None
    for box in _descendants(page._page_box):
        element = getattr(box, "element", None)
        if element is None or not hasattr(box, "border_box_x"):
            continue
        classes = (element.get("class") or "").split()
        if element.tag == "article" and "certificate" in classes:
            frame = _rect(box)
        for name, (tag, cls) in PARTS.items():
            if element.tag == tag and (cls is None or cls in classes):
                x, y, w, h = _rect(box)
                if w <= 0 or h <= 0:
                    continue
                if name in found:  # one element can give several boxes (split lines): their union
                    fx, fy, fw, fh = found[name]
                    x2, y2 = max(fx + fw, x + w), max(fy + fh, y + h)
                    x, y = min(fx, x), min(fy, y)
                    w, h = x2 - x, y2 - y
                found[name] = (x, y, w, h)
    return found, frame


def _overlap(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _inside(part, frame) -> bool:
    x, y, w, h = part
    fx, fy, fw, fh = frame
    return fx <= x + 0.01 and fy <= y + 0.01 and x + w <= fx + fw + 0.01 and y + h <= fy + fh + 0.01


CASES = {
    "ordinary": {},
    "long name": {"recipient_name": LONG_NAME},
    "long title": {"event_title": LONG_TITLE},
    "five co-hosts": {"cohosts": FIVE_COHOSTS},
    "everything long": {
        "recipient_name": LONG_NAME,
        "event_title": LONG_TITLE,
        "cohosts": FIVE_COHOSTS,
        "partnership_name": "Central Highlands Community Partnership for Children and Families",
        "signatory_name": "Dr Alexandra Konstantinopoulou-Richardson",
        "signatory_role": "Community Partnerships Facilitator, City of Ballarat and the Central Highlands",
        "code": "ZZZZZZZZZZ",
    },
    "one unbroken word": {"recipient_name": "W" * 80, "event_title": "X" * 200},
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_two_parts_of_the_certificate_overlap(case, settings):
    settings.SITE_URL = "https://crossroads.example.org.au"
    certificate = _certificate(**CASES[case])
    document = render_document(certificate_html([certificate], partnership_slug="ballarat"), stylesheets=STYLESHEETS)
    assert len(document.pages) == 1, f"{case}: {len(document.pages)} pages"
    parts, frame = _parts(document.pages[0])
    assert set(parts) == set(PARTS), f"{case}: missing {set(PARTS) - set(parts)}"
    names = list(parts)
    for i, first in enumerate(names):
        assert _inside(parts[first], frame), f"{case}: {first} {parts[first]} leaves the certificate {frame}"
        for second in names[i + 1 :]:
            assert not _overlap(parts[first], parts[second]), (
                f"{case}: {first} {parts[first]} overlaps {second} {parts[second]}"
            )


def test_the_layout_check_finds_an_overlap(settings):
    """The check itself can fail: the old layout (an absolutely placed footer) overlapped the facts."""
    certificate = _certificate(**CASES["everything long"])
    html = certificate_html([certificate], partnership_slug="ballarat").replace(
        "</head>",
        "<style>footer { position: absolute !important; left: 20mm !important; top: 70mm !important; }</style></head>",
    )
    parts, _ = _parts(render_document(html, stylesheets=STYLESHEETS).pages[0])
    overlaps = [(a, b) for a in parts for b in parts if a < b and _overlap(parts[a], parts[b])]
    assert overlaps


def test_everything_long_is_still_all_there_in_the_pdf(settings):
    settings.SITE_URL = "https://crossroads.example.org.au"
    certificate = _certificate(**CASES["everything long"])
    text = PdfReader(io.BytesIO(certificate_pdf([certificate], partnership_slug="ballarat"))).pages[0].extract_text()
    flat = " ".join(text.split())
    for host in FIVE_COHOSTS:
        assert " ".join(host.split()) in flat or host.split()[0] in flat
    assert "ZZZZZ-ZZZZZ" in flat and "2 h" in flat


@pytest.mark.parametrize(
    ("value", "shown"),
    [(2, "2 h"), ("2.00", "2 h"), (1.25, "1.25 h"), ("0.50", "0.5 h"), (14, "14 h"), (None, "")],
)
def test_cpd_hours_have_one_format(value, shown):
    assert format_cpd_hours(value) == shown
