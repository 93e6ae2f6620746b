import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from core.muting import notifications_muted

# Each app adds its own demo data in <app>/demo.py with a seed(stdout) function; order matters.
DEMO_MODULES = [
    "accounts.demo",
    "events.demo",
    "registrations.demo",
    "notifications.demo",
    "certificates.demo",
    "resources.demo",
    "networking.demo",
    "referrals.demo",
    "reporting.demo",
    "referrals.map_demo",
]
# What each step makes, printed as it starts (a first start should never look hung).
STEPS = {
    "accounts.demo": "the partnership, the coordinator and 60 practitioners",
    "events.demo": "a year of monthly sessions",
    "registrations.demo": "registrations and attendance",
    "notifications.demo": "followers and announcements",
    "certificates.demo": "certificates for the two most recent sessions",
    "resources.demo": "slides, a handout and a link on the most recent past session",
    "networking.demo": "table plans",
    "referrals.demo": "the service directory and referral pathways",
    "reporting.demo": "last year's sessions and feedback for the reports",
    "referrals.map_demo": "services featured at the next session",
}


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo partnership, people, sessions and directory. Idempotent."
    # `migrate` (which scripts/run.sh runs first) has checked the project; the checks would import the
    # URLconf and the whole API (seconds on a slow machine), which seeding never uses.
    requires_system_checks = []

    def handle(self, *args, **options):
        started = time.monotonic()
        with notifications_muted():  # demo people get no e-mail
            self._seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(f"Open {settings.SITE_URL}/partnerships/ballarat/ (or {settings.SITE_URL}/events/)")

    def _seed(self):
        steps = len(DEMO_MODULES)
        for number, name in enumerate(DEMO_MODULES, start=1):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name == name:
                    continue
                raise
            self.stdout.write(f"-- [{number}/{steps}] {STEPS.get(name, name)}…")
            self.stdout.flush()
            began = time.monotonic()
            module.seed(self.stdout)
            self.stdout.write(f"   ({time.monotonic() - began:.1f} s)")
            self.stdout.flush()
