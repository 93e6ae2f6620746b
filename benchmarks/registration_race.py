"""Registration race benchmark: the app under gunicorn on PostgreSQL, N concurrent clients at one event.

Each client is a real practitioner with a real API token, POSTing /api/events/{id}/registrations
over HTTP. Prints throughput and p50/p95 latency beside a floor measured in the same run against
the same server: the same number of requests, at the same concurrency, to GET /api/me (a trivial
authenticated endpoint). Then checks the outcome: confirmed == capacity, the rest waitlisted 1..n.

    .venv/bin/python benchmarks/registration_race.py [--clients 200] [--concurrency 40] [--capacity 50]

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/crossroads_bench).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _setup import ROOT, django_setup

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crossroads_bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method: str, url: str, token: str) -> tuple[float, int, dict]:
    req = urllib.request.Request(
        url, method=method, headers={"Authorization": f"Bearer {token}"}, data=b"" if method == "POST" else None
    )
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - loopback only
            body = json.loads(response.read() or b"{}")
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = {}, error.code
    return (time.perf_counter() - t0) * 1000, status, body


def run(method: str, url: str, tokens: list[str], concurrency: int):
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda token: request(method, url, token), tokens))
    wall = time.perf_counter() - t0
    latencies = sorted(r[0] for r in results)
    return {
        "throughput": len(results) / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "statuses": sorted({r[1] for r in results}),
        "bodies": [r[2] for r in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    django_setup()
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Partnership, User
    from accounts.services import api_token_create
    from events.models import Event
    from registrations.models import Registration

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("registration_race.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    partnership = Partnership.objects.create(
        name="Race", slug="race", locality="Ballarat", contact_email="race@example.org"
    )
    start = timezone.now() + timezone.timedelta(days=30)
    event = Event.objects.create(
        partnership=partnership,
        title="Race",
        start=start,
        end=start + timezone.timedelta(hours=2),
        capacity=args.capacity,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    users = User.objects.bulk_create(
        [User(email=f"race{i}@example.org", full_name=f"Racer {i}") for i in range(args.clients)]
    )
    tokens = [api_token_create(user=user, name="race")[1] for user in users]

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                request("GET", f"{base}/api/me", tokens[0])
                break
            except OSError:
                time.sleep(0.1)
        floor = run("GET", f"{base}/api/me", tokens, args.concurrency)
        race = run("POST", f"{base}/api/events/{event.pk}/registrations", tokens, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=10)

    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    positions = sorted(
        Registration.objects.filter(event=event, status="waitlisted").values_list("waitlist_position", flat=True)
    )
    people = Registration.objects.filter(event=event).values("user").distinct().count()
    print(f"{args.clients} clients, concurrency {args.concurrency}, gunicorn -w {args.workers}, PostgreSQL")
    print(f"{'':28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for label, result in (("floor: GET /api/me", floor), ("POST …/registrations", race)):
        rate, p50, p95 = result["throughput"], result["p50"], result["p95"]
        print(f"{label:28} {rate:8.1f} {p50:8.1f} {p95:8.1f}  {result['statuses']}")
    print(f"throughput ratio (race / floor): {race['throughput'] / floor['throughput']:.2f}")
    print(f"p50 ratio (race / floor): {race['p50'] / floor['p50']:.2f}")
    contiguous = positions == list(range(1, len(positions) + 1))
    print(
        f"confirmed {confirmed} of capacity {args.capacity}; waitlisted {len(positions)} "
        f"(positions contiguous from 1: {contiguous}); people {people} of {args.clients}"
    )
    if confirmed != min(args.capacity, args.clients) or positions != list(range(1, len(positions) + 1)):
        sys.exit("OVERBOOKED OR INCONSISTENT")


if __name__ == "__main__":
    main()
