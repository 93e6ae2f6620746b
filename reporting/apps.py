from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and feedback"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - invites attendees to give feedback when attendance is final
