"""Demo resources for `manage.py seed_demo`: slides, a handout and links on the most recent past session,
and a named presenter. Idempotent: a session that has resources is left as it is."""

import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL, practitioner_email
from accounts.models import User
from events.models import Event

from . import services
from .models import Resource, SessionPresenter

PRESENTER = practitioner_email(3)


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with a title and a few lines (no renderer needed)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = ["BT", "/F1 20 Tf", "56 780 Td", f"({escape(title)}) Tj", "/F1 12 Tf"]
    for line in lines:
        text += ["0 -24 Td", f"({escape(line)}) Tj"]
    stream = zlib.compress("\n".join(text + ["ET"]).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@transaction.atomic
def seed(stdout) -> None:
    event = (
        Event.objects.filter(partnership__slug="ballarat", status=Event.Status.PUBLISHED, end__lte=timezone.now())
        .order_by("-start")
        .first()
    )
    if event is None:
        stdout.write("Resources: no past session to attach them to.")
        return
    if Resource.objects.filter(event=event).exists():
        stdout.write(f"Resources: already there ({event.title}).")
        return
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)
    presenter = User.objects.filter(email=PRESENTER).first()
    if presenter is not None and not SessionPresenter.objects.filter(event=event, user=presenter).exists():
        services.presenter_add(event=event, user=presenter, by=coordinator)
    slides = demo_pdf(
        event.title,
        ["Slides from the session", "Who does what for families in Ballarat", "Referral pathways: a worked example"],
    )
    handout = demo_pdf(
        "Referral checklist",
        ["1. Ask the family what they need", "2. Check the directory", "3. Follow up within two weeks"],
    )
    services.resource_add_file(
        event=event,
        upload=SimpleUploadedFile("Session slides.pdf", slides, content_type="application/pdf"),
        title="Session slides",
        description="The presenters' slides, with the referral pathway examples.",
        visibility=Resource.Visibility.PUBLIC,
        by=presenter or coordinator,
    )
    services.resource_add_file(
        event=event,
        upload=SimpleUploadedFile("Referral checklist.pdf", handout, content_type="application/pdf"),
        title="Referral checklist (handout)",
        description="The one-page checklist handed out at the tables.",
        visibility=Resource.Visibility.ATTENDEES,
        by=coordinator,
    )
    services.resource_add_link(
        event=event,
        url="https://www.vic.gov.au/child-information-sharing-scheme",
        title="Child Information Sharing Scheme",
        description="The Victorian government's guidance mentioned in the session.",
        visibility=Resource.Visibility.PUBLIC,
        by=coordinator,
    )
    stdout.write(f"Resources: 2 files and a link on {event.title} (one for attendees only); {PRESENTER} presents it.")
