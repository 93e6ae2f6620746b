import io
import unicodedata
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate, CertificateBatch, hours_for, normalise_code
from registrations.services import attendance_finalise
from tests.accounts.factories import UserFactory
from tests.events.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def test_the_pdf_says_what_the_certificate_says(attended, coordinator, partnership):
    partnership.signatory_name, partnership.signatory_role = "Casey Coordinator", "Facilitator"
    partnership.save()
    registration = attended(UserFactory(full_name="Nguyễn Thị Ánh Nguyệt"))
    certificate = services.certificate_issue(registration=registration, by=coordinator)
    text = pdf_text(certificate)
    assert "Nguyễn Thị Ánh Nguyệt" in text
    assert "Referral pathways: who does what for families" in text
    local = registration.event.local_start
    assert f"{local:%A} {local.day} {local:%B %Y}" in text
    assert "CPD hours\n2 h\n" in text or "2 h" in text.split("CPD hours", 1)[1][:8]
    assert certificate.display_code in text
    assert "Casey Coordinator" in text and "City of Ballarat" in text
    assert certificate.cpd_hours == Decimal("2") and certificate.minutes_attended == 120


def test_the_pdf_is_tagged_and_has_metadata(attended, coordinator):
    certificate = services.certificate_issue(registration=attended(UserFactory(full_name="Zoë Ōtsuka")), by=coordinator)
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    meta = reader.metadata
    assert meta.title.startswith("Certificate of attendance — Zoë Ōtsuka")
    assert meta.author == certificate.partnership_name
    assert certificate.display_code in meta.subject
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en-AU"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape
    assert round(float(width) / 72 * 25.4) == 297


def test_only_attendees_get_certificates(past_event, coordinator):
    for registration in (
        RegistrationFactory(event=past_event),  # confirmed, not marked
        RegistrationFactory(event=past_event, attendance="no_show"),
        RegistrationFactory(event=past_event, status="waitlisted"),
    ):
        with pytest.raises(ValidationError) as info:
            services.certificate_issue(registration=registration, by=coordinator)
        assert "registration" in info.value.message_dict
    assert not Certificate.objects.exists()


def test_partial_attendance_sets_the_hours(attended, coordinator):
    registration = attended()
    services.attendance_minutes_set(registration=registration, minutes=75)
    certificate = services.certificate_issue(registration=registration, by=coordinator)
    assert (certificate.minutes_attended, certificate.cpd_hours) == (75, Decimal("1.25"))
    with pytest.raises(ValidationError):
        services.attendance_minutes_set(registration=registration, minutes=500)
    assert hours_for(50) == Decimal("0.75") and hours_for(120) == Decimal("2")


def test_reissue_after_a_name_correction_supersedes_with_a_new_code(attended, coordinator):
    registration = attended(UserFactory(full_name="Jon Smiht"))
    first = services.certificate_issue(registration=registration, by=coordinator)
    registration.user.full_name = "Jon Smith"
    registration.user.save()
    second = services.certificate_issue(registration=registration, by=coordinator)
    first.refresh_from_db()
    assert (first.status, first.superseded_by, first.recipient_name) == ("superseded", second, "Jon Smiht")
    assert second.status == "valid" and second.code != first.code and second.recipient_name == "Jon Smith"
    assert "Jon Smith" in pdf_text(second)


def test_revoking_records_who_when_and_why(attended, coordinator):
    certificate = services.certificate_issue(registration=attended(), by=coordinator)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, by=coordinator, reason="")
    revoked = services.certificate_revoke(certificate=certificate, by=coordinator, reason="Issued in error")
    assert (revoked.status, revoked.revoked_by, revoked.revoke_reason) == ("revoked", coordinator, "Issued in error")
    assert revoked.revoked_at is not None


def test_codes_are_ten_crockford_characters_and_read_forgivingly(attended, coordinator):
    certificate = services.certificate_issue(registration=attended(), by=coordinator)
    assert len(certificate.code) == 10 and set(certificate.code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    messy = certificate.display_code.lower().replace("0", "o").replace("1", "l")
    assert normalise_code(messy) == certificate.code


def test_finalising_attendance_issues_everyones_certificate_and_emails_a_link(
    past_event, coordinator, django_capture_on_commit_callbacks
):
    came = [RegistrationFactory(event=past_event, attendance="attended") for _ in range(3)]
    RegistrationFactory(event=past_event)  # not marked: becomes a no-show
    with django_capture_on_commit_callbacks(execute=True):
        attendance_finalise(event=past_event, by=coordinator)
    certificates = Certificate.objects.filter(status="valid")
    assert sorted(c.registration_id for c in certificates) == sorted(r.pk for r in came)
    batch = past_event.certificate_batches.get()
    assert (batch.status, batch.done, batch.total) == ("finished", 3, 3)
    # One e-mail per attendee — thanks, the certificate link and the feedback link together.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in came)
    for message in mail.outbox:
        registration = next(r for r in came if r.user.email == message.to[0])
        certificate = certificates.get(registration=registration)
        assert message.subject.startswith("Thank you for coming")
        assert f"/my/certificates/{certificate.code}.pdf" in message.body
        assert certificate.display_code in message.body and "/feedback/" in message.body
        html = message.alternatives[0][0]
        assert f"/my/certificates/{certificate.code}.pdf" in html and "/feedback/" in html


def test_finalising_34_attendees_sends_34_emails_not_102(past_event, coordinator, django_capture_on_commit_callbacks):
    came = [RegistrationFactory(event=past_event, attendance="attended") for _ in range(34)]
    with django_capture_on_commit_callbacks(execute=True):
        attendance_finalise(event=past_event, by=coordinator)
    assert len(mail.outbox) == 34 and len({m.to[0] for m in mail.outbox}) == 34
    assert Certificate.objects.filter(status="valid").count() == 34
    from reporting.models import FeedbackRequest

    assert FeedbackRequest.objects.filter(registration__in=came).count() == 34


def test_running_the_batch_again_issues_and_sends_nothing_twice(
    past_event, coordinator, django_capture_on_commit_callbacks
):
    came = [RegistrationFactory(event=past_event, attendance="attended") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        attendance_finalise(event=past_event, by=coordinator)
    batch = past_event.certificate_batches.get()
    CertificateBatch.objects.filter(pk=batch.pk).update(status="running")  # as if a worker died at the end
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_batch_run(batch_id=batch.pk)
        services.certificate_batch_start(event=past_event, by=coordinator)  # "Issue certificates" again
    assert Certificate.objects.count() == 3 and len(mail.outbox) == 3
    assert {b.status for b in past_event.certificate_batches.all()} == {"finished"}
    assert sorted(Certificate.objects.values_list("registration_id", flat=True)) == sorted(r.pk for r in came)


def test_the_sweep_resumes_a_stalled_batch_and_fails_one_that_never_moves(
    past_event, coordinator, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.services import outbox_sweep

    [RegistrationFactory(event=past_event, attendance="attended") for _ in range(2)]
    stalled = CertificateBatch.objects.create(
        event=past_event, total=2, status="running", progress_at=timezone.now() - timedelta(minutes=30)
    )
    fresh = CertificateBatch.objects.create(event=past_event, total=2, status="running", progress_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()
    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert (stalled.status, stalled.done, stalled.resumes) == ("finished", 2, 1)
    assert fresh.status == "running"  # still making progress (another worker): left alone
    assert Certificate.objects.filter(status="valid").count() == 2 and len(mail.outbox) == 2
    # A batch that restarts and never moves fails, with a reason, after MAX_RESUMES restarts.
    stuck = CertificateBatch.objects.create(
        event=past_event, status="queued", resumes=services.MAX_RESUMES, progress_at=timezone.now() - timedelta(hours=1)
    )
    services.certificate_batches_resume_stalled()
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "Stopped making progress" in stuck.error


def test_the_annual_statement_sums_the_hours(past_event, coordinator, practitioner):
    from datetime import timedelta

    from tests.events.factories import EventFactory

    registration = RegistrationFactory(event=past_event, user=practitioner, attendance="attended")
    services.attendance_minutes_set(registration=registration, minutes=90)
    services.certificate_issue(registration=registration, by=coordinator)
    earlier = EventFactory(
        partnership=past_event.partnership, start=past_event.start - timedelta(days=60),
        end=past_event.start - timedelta(days=60) + timedelta(hours=2),
    )  # fmt: skip
    RegistrationFactory(event=earlier, user=practitioner, attendance="attended")  # no certificate yet: 2 h
    RegistrationFactory(event=EventFactory(partnership=past_event.partnership,
        start=past_event.start - timedelta(days=500), end=past_event.start - timedelta(days=500) + timedelta(hours=2)),
        user=practitioner, attendance="attended")  # fmt: skip
    RegistrationFactory(
        event=EventFactory(partnership=past_event.partnership, start=past_event.start - timedelta(days=30)),
        user=practitioner,
        attendance="no_show",
    )
    start, end = services.statement_period()
    rows, total = services.statement_rows(user=practitioner, start=start, end=end)
    assert total == Decimal("3.5")
    assert [r["hours"] for r in rows] == [Decimal("2"), Decimal("1.5")]
    assert rows[1]["code"] and not rows[0]["code"]
