from zoneinfo import ZoneInfo

from .models import Certificate, normalise_code


def certificate_by_code(code: str) -> Certificate | None:
    """Case-insensitive, forgiving of hyphens and look-alike letters."""
    return Certificate.objects.select_related("superseded_by").filter(code=normalise_code(code)).first()


def verification(certificate: Certificate) -> dict:
    """What the public may see: every fact printed on the certificate, its status, nothing more."""
    from django.utils import timezone

    from .rendering import verify_url

    zone = ZoneInfo(certificate.time_zone)
    return {
        "code": certificate.display_code,
        "status": certificate.status,
        "recipient_name": certificate.recipient_name,
        "event_title": certificate.event_title,
        "start": timezone.localtime(certificate.event_start, zone),
        "end": timezone.localtime(certificate.event_end, zone),
        "time_zone": certificate.time_zone,
        "partnership": certificate.partnership_name,
        "cohosts": certificate.cohosts,
        "cpd_hours": float(certificate.cpd_hours),
        "signatory_name": certificate.signatory_name,
        "signatory_role": certificate.signatory_role,
        "issued_at": timezone.localtime(certificate.issued_at, zone),
        "revoked_at": timezone.localtime(certificate.revoked_at, zone) if certificate.revoked_at else None,
        "superseded_by": certificate.superseded_by.display_code
        if certificate.superseded_by and certificate.superseded_by.status == Certificate.Status.VALID
        else None,
        "url": verify_url(certificate),
    }


def certificates_for_event(*, event):
    return (
        Certificate.objects.filter(event=event)
        .select_related("registration", "user", "superseded_by")
        .order_by("recipient_name", "-issued_at")
    )


def certificates_valid_by_registration(*, user, registration_ids=None) -> dict[int, Certificate]:
    """The caller's valid certificates, by registration id (for the "my sessions" page: its page's ids)."""
    certificates = Certificate.objects.filter(user=user, status=Certificate.Status.VALID)
    if registration_ids is not None:
        certificates = certificates.filter(registration_id__in=registration_ids)
    return {c.registration_id: c for c in certificates}
