from django.apps import AppConfig


class ServicemapConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "servicemap"
    verbose_name = "Service map"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the "after a session" hook)
