"""A certificate as an Open Badges 3.0 OpenBadgeCredential (a W3C Verifiable Credential), unsigned.

The recipient is identified by a salted SHA-256 hash of their e-mail (no e-mail in the credential).
Signing needs a key the partnership controls; without one, the credential is served unsigned and
verifiers check it against the verification page it links to (its `id`).
"""

from datetime import UTC

from django.conf import settings

from .rendering import verify_url

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def credential(certificate) -> dict:
    url = verify_url(certificate)
    site = settings.SITE_URL
    algorithm, salt, digest = (certificate.email_hash.split("$") + ["", "", ""])[:3]
    data = {
        "@context": CONTEXTS,
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Certificate of attendance: {certificate.event_title}",
        "issuer": {
            "id": f"{site}/partnerships/",
            "type": ["Profile"],
            "name": certificate.partnership_name,
        },
        "validFrom": certificate.issued_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": f"{algorithm}${digest}" if digest else "",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": f"{site}/events/{certificate.event_id}/" if certificate.event_id else url,
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": certificate.event_title,
                "description": (
                    f"Attended the professional development and networking session “{certificate.event_title}” "
                    f"hosted by {certificate.partnership_name}."
                ),
                "criteria": {"narrative": "Attendance recorded by the session's coordinators."},
                "creditsAvailable": float(certificate.cpd_hours),
            },
            "creditsEarned": float(certificate.cpd_hours),
            "activityStartDate": certificate.event_start.isoformat(),
            "activityEndDate": certificate.event_end.isoformat(),
        },
        "credentialStatus": {
            "id": f"{url}#status",
            "type": "CrossroadsVerificationPage",
            "status": certificate.status,
            **({"revokedAt": certificate.revoked_at.isoformat()} if certificate.revoked_at else {}),
        },
    }
    return data
