"""Shared fixtures, and the rule that in CI a test needing a missing service fails instead of skipping."""

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing(reason: str) -> None:
    """In CI a missing service is a failure; on a developer's machine, a skip that says why."""
    if CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


# As the run was started: tests that start a worker set CELERY_BROKER_URL to their process's database
# (tests/notifications/test_worker.py use_broker), which must not be offset again.
BROKER_BASE_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""


def broker_url() -> str:
    """The Redis broker for tests that start real workers. Each pytest-xdist process gets its own
    Redis database, so no worker consumes another process's tasks (they use another test database)."""
    url = BROKER_BASE_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if url and worker.startswith("gw"):
        parsed = urlparse(url)
        base = int(parsed.path.strip("/") or 0)
        url = parsed._replace(path=f"/{(base + int(worker[2:]) + 1) % 16}").geturl()
    return url


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    if item.get_closest_marker("redis"):
        url = broker_url()
        if not url:
            pytest.skip("needs Redis: runs in the PostgreSQL + Redis pass (CELERY_BROKER_URL=redis://…)")
        if not _reachable(url):
            _missing(f"Redis at {url} is not reachable")
    if item.get_closest_marker("browser"):
        if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
            _missing(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
        if not AXE_JS.exists():
            _missing("axe-core is missing (npm ci)")


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    """Fast password hashing; Celery runs tasks inline unless a test starts a real worker."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CROSSROADS_EAGER_IN_THREAD = False  # batches run inline; tests of the thread turn it on
    # A cache per test process: Redis' clear() empties its whole database, which another pytest-xdist
    # process may be counting rate limits in.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache(_fast_and_eager):
    """Empty the test's own cache (after `_fast_and_eager` has swapped it in: clearing before that emptied
    the Redis of REDIS_URL and left the process's local-memory rate-limit counts in place)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def partnership(db):
    from tests.accounts.factories import PartnershipFactory

    return PartnershipFactory(slug="ballarat", name="Ballarat Community Partnership", locality="Ballarat")


@pytest.fixture
def coordinator(partnership):
    from tests.accounts.factories import CoordinatorFactory

    return CoordinatorFactory(partnership=partnership, email="coord@example.org")


@pytest.fixture
def other_partnership(db):
    from tests.accounts.factories import PartnershipFactory

    return PartnershipFactory(slug="geelong", name="Geelong Partnership", locality="Geelong")


@pytest.fixture
def other_coordinator(other_partnership):
    from tests.accounts.factories import CoordinatorFactory

    return CoordinatorFactory(partnership=other_partnership, email="other-coord@example.org")


@pytest.fixture
def practitioner(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(email="pat@example.org", full_name="Pat Practitioner")


@pytest.fixture
def other_practitioner(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(email="olly@example.org", full_name="Olly Other")


@pytest.fixture
def token_for(db):
    """token_for(user) -> headers dict with a fresh personal API token."""
    from accounts.services import api_token_create

    def make(user) -> dict:
        _, raw = api_token_create(user=user, name="test")
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded and generated files (session resources, certificates, demo data) go to a fresh folder per
    test, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
