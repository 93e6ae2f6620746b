import importlib

from django.core.management.base import BaseCommand

from core.muting import notifications_muted

# Each app adds its own demo data in <app>/demo.py with a seed(stdout) function; order matters.
DEMO_MODULES = [
    "accounts.demo",
    "events.demo",
    "registrations.demo",
    "certificates.demo",
    "networking.demo",
    "referrals.demo",
    "reporting.demo",
    "referrals.map_demo",
]


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo partnership, people, sessions and directory. Idempotent."

    def handle(self, *args, **options):
        with notifications_muted():  # demo people get no e-mail
            self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _seed(self):
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name == name:
                    continue
                raise
            module.seed(self.stdout)
