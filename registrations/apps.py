from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = "Registrations"

    def ready(self) -> None:
        from events import seats

        from . import receivers  # noqa: F401 - more seats fill from the waitlist (events' event_changed)
        from .seats import RegistrationSeats

        seats.plug(RegistrationSeats())  # events shows and checks seats through this (events/seats.py)
