from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and feedback"

    # No receivers: the feedback invitation is part of the one e-mail each attendee gets after a
    # session, sent by the certificate batch (certificates.services.certificate_batch_run).
