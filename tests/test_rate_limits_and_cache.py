"""Rate limits shared by the verification page and API, held across processes by Redis; and the cache
failing (Redis unreachable) is not the site failing."""

import logging
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from core.ratelimit import VERIFY_RATE
from tests.conftest import broker_url
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
LIMIT = int(VERIFY_RATE.split("/")[0])
CLOSED_PORT = "redis://127.0.0.1:6399/0"


def an_address() -> str:
    """A fresh address per test, so counts in a shared Redis never carry over between runs."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def test_the_verification_page_json_badge_and_api_share_one_limit_and_answer_429(client):
    address = an_address()
    urls = [
        "/certificates/verify/ZZZZZZZZZZ/",
        "/certificates/verify/ZZZZZZZZZZ.json",
        "/api/certificates/verify/ZZZZZZZZZZ",
        "/api/certificates/ZZZZZZZZZZ/badge",
    ]
    statuses = [client.get(urls[i % len(urls)], REMOTE_ADDR=address).status_code for i in range(LIMIT)]
    assert set(statuses) == {404}
    api = client.get("/api/certificates/verify/ZZZZZZZZZZ", REMOTE_ADDR=address)
    assert api.status_code == 429
    assert api["Retry-After"] == "60"
    assert api.json()["detail"].startswith("Too many requests")
    page = client.get("/certificates/verify/ZZZZZZZZZZ/", REMOTE_ADDR=address)
    assert page.status_code == 429 and page["Retry-After"] == "60"
    assert "Too many requests" in page.content.decode()
    # Another address has its own count.
    assert client.get("/api/certificates/verify/ZZZZZZZZZZ", REMOTE_ADDR=an_address()).status_code == 404


def test_sign_up_over_its_limit_is_429_not_403(client):
    address = an_address()
    statuses = [client.post("/accounts/signup/", {}, REMOTE_ADDR=address).status_code for _ in range(21)]
    assert statuses[-1] == 429


@pytest.mark.redis
def test_the_limit_holds_across_processes_with_redis(client, settings):
    """Another process (a second web worker) spends the limit; this one then answers 429."""
    url = broker_url()
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": url}}
    address = an_address()
    script = (
        "import django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from core.ratelimit import VERIFY_GROUP, VERIFY_RATE, limit\n"
        f"request = RequestFactory().get('/api/certificates/verify/X', REMOTE_ADDR={address!r})\n"
        f"for _ in range({LIMIT}):\n"
        "    limit(request, group=VERIFY_GROUP, rate=VERIFY_RATE)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, env=env, timeout=60)
    response = client.get("/api/certificates/verify/ZZZZZZZZZZ", REMOTE_ADDR=address)
    assert response.status_code == 429


def test_with_redis_unreachable_feeds_and_pages_still_answer_and_it_is_logged(client, settings, partnership, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    import core.cache

    core.cache._last_logged[0] = 0.0
    event = EventFactory(partnership=partnership)
    with caplog.at_level(logging.ERROR, logger="core.cache"):
        feed = client.get("/calendar/ballarat.ics")
        assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
        assert client.get("/calendar/ballarat.ics").status_code == 200
        assert client.get(f"/events/{event.pk}.ics").status_code == 200
        assert client.get("/events/").status_code == 200
        assert client.get(f"/events/{event.pk}/").status_code == 200
        assert client.get("/certificates/verify/ZZZZZZZZZZ/").status_code == 404  # rate limit: fails open
        assert client.get("/api/certificates/verify/ZZZZZZZZZZ").status_code == 404
    assert any("Cache unavailable" in r.getMessage() for r in caplog.records)


def test_the_plain_redis_backend_would_fail(settings):
    """What the resilient backend is for: Django's own RedisCache raises when Redis is unreachable."""
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    plain = RedisCache(CLOSED_PORT, {"OPTIONS": {"socket_connect_timeout": 1}})
    with pytest.raises(RedisConnectionError):
        plain.get("anything")
