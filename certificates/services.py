"""Issue, re-issue and revoke certificates; bulk issue for a session; the annual CPD statement.

Only attended registrations get a certificate. Each certificate stores a snapshot of what it says
and its PDF; re-issuing (say, after a name correction) creates a new code and supersedes the old
certificate; revoking records who, when and why. The e-mail with the link goes through the outbox.
"""

import hashlib
import logging
import secrets
import threading
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import sleep

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.services import outbox_enqueue

from .models import Certificate, CertificateBatch, hours_for, new_code
from .rendering import certificate_pdf, verify_url

logger = logging.getLogger(__name__)
LOCKED_RETRIES = 20
SQLITE_PAUSE = 0.15  # SQLite's busy handler polls at most every 100 ms: this lets a waiting writer in
BACKGROUND_THREADS: list[threading.Thread] = []  # batches run in threads (eager Celery); tests join them

NOT_ATTENDED = "A certificate is issued only for attendance: this registration is not marked as attended."
MINUTES_RANGE = "Minutes attended must be between 1 and the session's length ({minutes})."
REVOKE_REASON_REQUIRED = "Say why the certificate is revoked: the verification page shows the date, not the reason."
ALREADY_REVOKED = "This certificate is already revoked."
NOT_VALID = "Only a valid certificate can be revoked."
NOT_STARTED = "Certificates can be issued once the session has taken place."
RANGE_ORDER = "The start of the period must be before its end."


def _email_hash(email: str) -> str:
    salt = secrets.token_hex(8)
    return f"sha256${salt}${hashlib.sha256((email.lower() + salt).encode()).hexdigest()}"


def _minutes(registration, event) -> int:
    full = int((event.end - event.start).total_seconds() // 60)
    return min(registration.minutes_attended or full, full)


def certificate_build(*, registration, by=None) -> Certificate:
    """The certificate of an attended registration, not saved yet: its snapshot of the session, the person
    and the partnership. `registration` comes with its event, partnership and user (select_related).
    Raises ValidationError when it cannot be issued. certificate_issue saves it; seed_demo writes many at once.
    """
    from registrations.models import Registration

    event = registration.event
    if (
        registration.status != Registration.Status.CONFIRMED
        or registration.attendance != Registration.Attendance.ATTENDED
    ):
        raise ValidationError({"registration": NOT_ATTENDED})
    if event.start > timezone.now():
        raise ValidationError({"event": NOT_STARTED})
    if registration.user is None:
        raise ValidationError({"registration": "The person's account was deleted: no certificate can be issued."})
    partnership = event.partnership
    minutes = _minutes(registration, event)
    user = registration.user
    return Certificate(
        code=new_code(),
        registration=registration,
        event=event,
        user=user,
        recipient_name=user.full_name,
        event_title=event.title,
        event_start=event.start,
        event_end=event.end,
        time_zone=partnership.time_zone,
        partnership_name=partnership.name,
        cohosts=list(event.cohosts),
        minutes_attended=minutes,
        cpd_hours=hours_for(minutes),
        signatory_name=partnership.signatory_name or "The partnership's facilitator",
        signatory_role=partnership.signatory_role or partnership.name,
        email_hash=_email_hash(user.email),
        issued_at=timezone.now(),
        issued_by=by,
    )


@transaction.atomic
def certificate_issue(*, registration, by=None, notify: bool = True, render: bool = True) -> Certificate:
    """Issue (or re-issue) the certificate of an attended registration. The previous one is superseded.

    render=False (seed_demo) stores no PDF yet: certificate_pdf_bytes renders and stores it when first asked.
    """
    from registrations.services import registration_lock

    registration = registration_lock(registration=registration, related=("event", "event__partnership", "user"))
    previous = list(
        Certificate.objects.select_for_update().filter(registration=registration, status=Certificate.Status.VALID)
    )
    certificate = certificate_build(registration=registration, by=by)
    Certificate.objects.filter(pk__in=[c.pk for c in previous]).update(status=Certificate.Status.SUPERSEDED)
    partnership = registration.event.partnership
    if render:
        _store_pdf(certificate, partnership.slug)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:  # a code collision (2^-50): draw again
        certificate.code = new_code()
        certificate.save()
    for old in previous:
        Certificate.objects.filter(pk=old.pk).update(superseded_by=certificate)
    if notify:
        _notify(certificate, reissued=bool(previous))
    return certificate


def _store_pdf(certificate: Certificate, slug: str) -> bytes:
    body = certificate_pdf([certificate], partnership_slug=slug)
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(body), save=False)
    return body


def certificate_pdf_bytes(*, certificate: Certificate) -> bytes:
    """The stored PDF; rendered (from the snapshot) and stored first if it was issued without one."""
    if certificate.pdf:
        with certificate.pdf.open("rb") as handle:
            return handle.read()
    certificate = Certificate.objects.select_related("event__partnership").get(pk=certificate.pk)
    body = _store_pdf(certificate, certificate.event.partnership.slug if certificate.event else None)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return body


def _notify(certificate: Certificate, *, reissued: bool) -> None:
    registration = certificate.registration
    context = {
        "certificate": certificate,
        "user": certificate.user,
        "event": certificate.event,
        "verify_url": verify_url(certificate),
        "download_url": f"{settings.SITE_URL}/my/certificates/{certificate.code}.pdf",
        "my_sessions_url": f"{settings.SITE_URL}/my/sessions/",
        "site_url": settings.SITE_URL,
        "reissued": reissued,
    }
    outbox_enqueue(
        kind="notice",
        to_email=certificate.user.email,
        user=certificate.user,
        event=certificate.event,
        registration=registration,
        subject=f"Your certificate of attendance: {certificate.event_title}",
        body_text=render_to_string("certificates/email/issued.txt", context),
        body_html=render_to_string("certificates/email/issued.html", context),
        reply_to=certificate.event.partnership.contact_email if certificate.event else "",
        dedupe_key=f"certificate:{certificate.code}",
    )


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REVOKE_REASON_REQUIRED})
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError({"status": ALREADY_REVOKED})
    if certificate.status != Certificate.Status.VALID:
        raise ValidationError({"status": NOT_VALID})
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revoke_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    return certificate


@transaction.atomic
def attendance_minutes_set(*, registration, minutes: int | None):
    """Partial attendance (minutes), for the certificate's CPD hours; None: the whole session."""
    event = registration.event
    full = int((event.end - event.start).total_seconds() // 60)
    if minutes is not None and not 1 <= minutes <= full:
        raise ValidationError({"minutes_attended": MINUTES_RANGE.format(minutes=full)})
    registration.minutes_attended = minutes
    registration.save(update_fields=["minutes_attended", "updated_at"])
    return registration


def _attendees(event):
    """Every attendee a batch is for: confirmed, attended, with an account."""
    from registrations.selectors import registrations_attended

    return registrations_attended(event=event).order_by("pk")


def _pending_registrations(event):
    """Attendees still waiting for their certificate or their after-session e-mail."""
    from notifications.selectors import registrations_thanked

    thanked = registrations_thanked(event=event)
    return _attendees(event).filter(~Q(certificates__status=Certificate.Status.VALID) | ~Q(pk__in=thanked)).distinct()


def certificates_pending_count(*, event) -> int:
    """Attended registrations with no valid certificate yet (what "Issue certificates" would issue)."""
    return _attendees(event).exclude(certificates__status=Certificate.Status.VALID).count()


@transaction.atomic
def certificate_batch_start(*, event, by=None) -> CertificateBatch:
    """Queue bulk issue for every attendee; each also gets the one after-session e-mail.

    The batch runs after commit in a Celery worker. With eager Celery (the embedded default, no broker)
    it runs in a background thread instead (CROSSROADS_EAGER_IN_THREAD), so the request that started it
    returns at once and the page can show the batch's progress.
    """
    if event.start > timezone.now():
        raise ValidationError({"event": NOT_STARTED})
    batch = CertificateBatch.objects.create(event=event, requested_by=by, total=_attendees(event).count())
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from .tasks import certificate_batch_run_task

    if certificate_batch_run_task.app.conf.task_always_eager and settings.CROSSROADS_EAGER_IN_THREAD:
        _run_in_thread(batch_id)
        return
    try:
        certificate_batch_run_task.delay(batch_id)
    except Exception:  # the broker is down: the batch stays queued; the periodic sweep resumes it
        CertificateBatch.objects.filter(pk=batch_id).update(
            error="The task queue is not reachable; it will be retried."
        )


def _run_in_thread(batch_id: int) -> threading.Thread:
    """Eager Celery: the batch in a daemon thread with its own database connection.

    If the process stops half-way (runserver reloads), the batch stays "running"; issuing again picks up
    whoever has no certificate yet.
    """

    pause = SQLITE_PAUSE if connection.vendor == "sqlite" else 0

    def work():
        try:
            for attempt in range(1, LOCKED_RETRIES + 1):
                try:
                    certificate_batch_run(batch_id=batch_id, pause=pause)
                    return
                except OperationalError as error:  # SQLite has one writer: yield to the requests, resume
                    if "locked" not in str(error) or attempt == LOCKED_RETRIES:
                        raise
                    connection.close()
                    sleep(0.1 * attempt)
                    CertificateBatch.objects.filter(pk=batch_id).update(error="")
        except Exception:
            logger.exception("Certificate batch %s failed", batch_id)
        finally:
            connection.close()

    thread = threading.Thread(target=work, name=f"certificate-batch-{batch_id}", daemon=True)
    BACKGROUND_THREADS.append(thread)
    thread.start()
    return thread


@transaction.atomic
def _issue_and_thank(*, registration, by) -> None:
    """One attendee, in one transaction: the certificate (unless they have a valid one) and the one
    e-mail with thanks, the certificate link and the feedback link. Idempotent: run it again (a
    worker killed half-way) and nothing is issued or sent twice."""
    from notifications.messages import after_session
    from registrations.selectors import registration_get
    from registrations.services import registration_lock
    from reporting.models import EDIT_DAYS
    from reporting.selectors import feedback_exists
    from reporting.services import feedback_link, feedback_request_create

    registration = registration_lock(registration=registration)
    certificate = Certificate.objects.filter(registration=registration, status=Certificate.Status.VALID).first()
    if certificate is None:
        certificate = certificate_issue(registration=registration, by=by, notify=False)
    registration = registration_get(registration_id=registration.pk)
    answered = feedback_exists(registration=registration)  # through the API already
    made = None if answered else feedback_request_create(registration=registration)
    feedback_url, expires_at = (feedback_link(made[1]), made[0].expires_at) if made else ("", None)
    after_session(
        registration,
        certificate={
            "hours_display": certificate.hours_display,
            "display_code": certificate.display_code,
            "download_url": f"{settings.SITE_URL}/my/certificates/{certificate.code}.pdf",
            "verify_url": verify_url(certificate),
        },
        feedback_url=feedback_url,
        feedback_expires_at=expires_at,
        edit_days=EDIT_DAYS,
    )


def certificate_batch_run(*, batch_id: int, pause: float = 0) -> CertificateBatch:
    """Issue one certificate at a time (each in its own transaction), recording progress as it goes.

    Safe to run again, or twice at once: each attendee is handled under their registration's row
    lock and skipped once done. pause: seconds to wait between attendees. A batch in a thread beside
    the web requests on SQLite (one writer at a time) pauses so that waiting writers get the lock.
    """
    batch = CertificateBatch.objects.select_related("event").get(pk=batch_id)
    if batch.status in (CertificateBatch.Status.FINISHED, CertificateBatch.Status.FAILED):
        return batch
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.RUNNING, progress_at=timezone.now()
    )
    pending = list(_pending_registrations(batch.event))
    total = max(batch.total, _attendees(batch.event).count())
    try:
        for registration in pending:
            _issue_and_thank(registration=registration, by=batch.requested_by)
            done = total - _pending_registrations(batch.event).count()
            CertificateBatch.objects.filter(pk=batch.pk).update(done=done, progress_at=timezone.now())
            if pause:
                sleep(pause)
    except Exception as error:
        CertificateBatch.objects.filter(pk=batch.pk).update(
            status=CertificateBatch.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    CertificateBatch.objects.filter(pk=batch.pk).exclude(status=CertificateBatch.Status.FAILED).update(
        status=CertificateBatch.Status.FINISHED, done=total, total=total, error="", finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch


STALLED_AFTER = timedelta(minutes=10)  # no certificate issued for this long: the worker is gone
MAX_RESUMES = 3


def certificate_batches_resume_stalled(*, now=None) -> list[int]:
    """Batches queued or running that stopped making progress (a killed worker, a lost task): queue
    them again; after MAX_RESUMES restarts without finishing, mark them failed with a reason.
    Called by the periodic outbox sweep. Returns the ids queued again."""
    now = now or timezone.now()
    stalled = CertificateBatch.objects.filter(
        status__in=[CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING]
    ).filter(Q(progress_at__lt=now - STALLED_AFTER) | Q(progress_at__isnull=True, created_at__lt=now - STALLED_AFTER))
    resumed = []
    for batch_id, resumes in stalled.values_list("pk", "resumes"):
        if resumes >= MAX_RESUMES:
            CertificateBatch.objects.filter(pk=batch_id).update(
                status=CertificateBatch.Status.FAILED,
                error=f"Stopped making progress {resumes + 1} times; issue the rest again from the page.",
                finished_at=now,
            )
            continue
        # progress_at moves on, so the next sweep waits STALLED_AFTER again before another restart.
        CertificateBatch.objects.filter(pk=batch_id).update(resumes=resumes + 1, progress_at=now)
        _enqueue(batch_id)
        resumed.append(batch_id)
    return resumed


# --- The annual CPD statement ------------------------------------------------------------


def statement_period(*, start: date | None = None, end: date | None = None, financial_year: int | None = None):
    """(start, end) dates: given ones, an Australian financial year (1 July – 30 June), or the last 12 months."""
    today = timezone.localdate()
    if financial_year:
        return date(financial_year - 1, 7, 1), date(financial_year, 6, 30)
    end = end or today
    start = start or (end - timedelta(days=365))
    if start > end:
        raise ValidationError({"start": RANGE_ORDER})
    return start, end


def statement_rows(*, user, start: date, end: date) -> tuple[list[dict], Decimal]:
    """Every attended session in the period with hours and certificate code, and the total (2 queries)."""
    from registrations.selectors import registrations_attended

    zone = timezone.get_default_timezone()
    low = datetime.combine(start, time.min, tzinfo=zone)
    high = datetime.combine(end, time.max, tzinfo=zone)
    registrations = (
        registrations_attended(user=user)
        .filter(event__start__gte=low, event__start__lte=high)
        .select_related("event", "event__partnership")
        .order_by("event__start")
    )
    certificates = {
        c.registration_id: c
        for c in Certificate.objects.filter(
            user=user, status=Certificate.Status.VALID, event__start__gte=low, event__start__lte=high
        )
    }
    rows, total = [], Decimal(0)
    for registration in registrations:
        event = registration.event
        certificate = certificates.get(registration.pk)
        hours = certificate.cpd_hours if certificate else hours_for(_minutes(registration, event))
        total += hours
        rows.append(
            {
                "date": timezone.localtime(event.start, event.partnership.zone).date(),
                "title": certificate.event_title if certificate else event.title,
                "partnership": event.partnership.name,
                "hours": hours,
                "code": certificate.display_code if certificate else "",
            }
        )
    return rows, total
