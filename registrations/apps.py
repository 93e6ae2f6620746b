from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = "Registrations"

    def ready(self) -> None:
        from events import seats

        from .seats import RegistrationSeats

        seats.plug(RegistrationSeats())  # events shows and checks seats through this (events/seats.py)
