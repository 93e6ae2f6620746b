from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates of attendance"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - issues certificates when attendance is finalised
