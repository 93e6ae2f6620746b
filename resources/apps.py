from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Session resources"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - a deleted resource (or session) takes its stored file with it
