"""Name badges (A4, 2 × 4 per sheet) and per-table lists, as one printable PDF.

A badge shows the name, organisation, sector (a colour band with the sector's name on it, so the
colour is never the only cue), the table number and — only for people who agreed to appear on the
attendee list — a QR code that opens their networking card.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from core import qr as core_qr
from core.pdf import render_pdf
from registrations.models import Registration

from .models import TablePlan
from .selectors import PlanView, plan_view

BADGES_PER_SHEET = 8
STYLESHEET = "css/badges.css"
# Dark enough for white text (WCAG AA), and told apart by the printed sector name as well.
SECTOR_COLOURS = ["#0b5c7a", "#1d6b34", "#6a3d9a", "#a3410b", "#4a525c", "#7a1f4d", "#005f73", "#5c4d00"]
NO_SECTOR_COLOUR = "#1b1f24"


@dataclass
class Badge:
    name: str
    organisation: str
    role_title: str
    sector: str
    colour: str
    table: int
    table_label: str
    qr_svg: str  # empty: no consent, no QR code


def card_url(registration: Registration) -> str:
    path = reverse("networking-card", kwargs={"event_id": registration.event_id, "registration_id": registration.pk})
    return f"{settings.SITE_URL}{path}"


def qr_svg(url: str) -> str:
    return core_qr.qr_svg(url, scale=3, border=0, dark="#000", light="#fff")


def sector_colours(view: PlanView) -> dict[int, str]:
    return {sector.pk: SECTOR_COLOURS[i % len(SECTOR_COLOURS)] for i, sector in enumerate(view.sectors)}


def badges_context(view: PlanView) -> dict:
    colours = sector_colours(view)
    badges = []
    for group_view in view.groups:
        for seat in group_view.seats:
            registration = seat.registration
            user = registration.user
            badges.append(
                Badge(
                    name=user.full_name,
                    organisation=user.organisation,
                    role_title=user.role_title,
                    sector=registration.sector.name if registration.sector else "",
                    colour=colours.get(registration.sector_id, NO_SECTOR_COLOUR),
                    table=group_view.group.number,
                    table_label=group_view.group.label,
                    qr_svg=qr_svg(card_url(registration)) if registration.consent_attendee_list else "",
                )
            )
    badges.sort(key=lambda b: (b.name.casefold(), b.table))
    sheets = [badges[i : i + BADGES_PER_SHEET] for i in range(0, len(badges), BADGES_PER_SHEET)]
    return {
        "plan": view.plan,
        "event": view.plan.event,
        "sheets": sheets,
        "groups": [g for g in view.groups if g.seats],
        "colours": colours,
    }


def badges_pdf(*, plan: TablePlan) -> bytes:
    view = plan_view(plan=plan)
    html = render_to_string("networking/badges_pdf.html", badges_context(view))
    return render_pdf(html, stylesheets=[STYLESHEET])
