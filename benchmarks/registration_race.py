"""Registration race benchmark: the app under gunicorn (4 workers) on PostgreSQL, with a real broker.

Set-up like production: Redis as the Celery broker (CELERY_BROKER_URL, or REDIS_URL) and a Celery
worker this script starts and stops by PID; the file e-mail backend (the worker writes every message).

- The race: N clients (200), each a practitioner with an API token, all released at once by a
  threading.Barrier, POST /api/events/{id}/registrations for one session of 50 seats. The floor, in
  the same run: the same N clients released the same way to GET /api/me (authenticated, trivial).
  Floor and race alternate, >= 3 rounds, a new session each round; median and range of the wall time.
  Every round checks the outcome: confirmed == capacity, the rest waitlisted 1..n, one row per person.
- The burst: 1,000 clients at once at one session. Goal: no 5xx other than clean 503s (with
  Retry-After, PostgreSQL's 3 s lock_timeout), no gunicorn worker timeout, the outcome consistent.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/N DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \\
        .venv/bin/python benchmarks/registration_race.py [--quick] [--clients 200] [--burst 1000] [--port 8191]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from _setup import QUICK, ROOT, ROUNDS, bench, django_setup, ratio_of, spread

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crossroads_bench")
MAIL_DIR = tempfile.mkdtemp(prefix="crossroads-race-mail-")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
os.environ["EMAIL_FILE_PATH"] = MAIL_DIR


def request(method: str, url: str, token: str) -> tuple[float, int, dict, str | None]:
    req = urllib.request.Request(
        url, method=method, headers={"Authorization": f"Bearer {token}"}, data=b"" if method == "POST" else None
    )
    t0 = time.perf_counter()
    retry_after = None
    try:
        with urllib.request.urlopen(req, timeout=900) as response:  # noqa: S310 - loopback only
            body = json.loads(response.read() or b"{}")
            status = response.status
    except urllib.error.HTTPError as error:
        body, status, retry_after = {}, error.code, error.headers.get("Retry-After")
    except OSError as error:  # connection reset or refused, or no answer in 900 s: status 0, counted
        body, status = {"error": str(error)}, 0
    return (time.perf_counter() - t0) * 1000, status, body, retry_after


def at_once(method: str, url: str, tokens: list[str]) -> dict:
    """One thread per client, all released together by a barrier; the wall time from the release."""
    barrier = threading.Barrier(len(tokens) + 1)
    results: list = [None] * len(tokens)

    def client(i: int, token: str) -> None:
        barrier.wait()
        results[i] = request(method, url, token)

    threads = [threading.Thread(target=client, args=(i, t), daemon=True) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = (time.perf_counter() - t0) * 1000
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r[1]] = statuses.get(r[1], 0) + 1
    return {"wall": wall, "latencies": sorted(r[0] for r in results), "statuses": statuses, "results": results}


def check_outcome(event, capacity: int, people: int, unknown: int = 0) -> tuple[bool, str]:
    """Never overbooked, waitlist 1..n, one row per person, and a row for every 201 (plus at most the
    requests whose answer the client never saw)."""
    from registrations.models import Registration

    rows = Registration.objects.filter(event=event)
    count = rows.count()
    confirmed = rows.filter(status="confirmed").count()
    positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    distinct = rows.values("user").distinct().count()
    ok = confirmed == min(capacity, count) and positions == list(range(1, len(positions) + 1))
    ok = ok and distinct == count and people <= count <= people + unknown
    text = f"{count} rows: confirmed {confirmed}, waitlisted 1..{len(positions)}"
    return ok, text if ok else f"OVERBOOKED OR INCONSISTENT: {text}, {people} answered 201"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", choices=["race", "burst"], help="one of the two parts (both by default)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8191")))
    args = parser.parse_args()
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not broker:
        sys.exit("registration_race.py needs a Redis broker: set CELERY_BROKER_URL=redis://…")
    os.environ["CELERY_BROKER_URL"] = broker

    django_setup()
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Partnership, User
    from accounts.services import api_token_create
    from events.models import Event

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("registration_race.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    partnership = Partnership.objects.create(
        name="Race", slug="race", locality="Ballarat", contact_email="race@example.org"
    )
    people = max(args.clients, args.burst)
    users = User.objects.bulk_create(
        [User(email=f"race{i}@example.org", full_name=f"Racer {i}") for i in range(people)]
    )
    tokens = [api_token_create(user=user, name="race")[1] for user in users]

    def new_event(n: int):
        start = timezone.now() + timezone.timedelta(days=30 + n)
        return Event.objects.create(
            partnership=partnership,
            title=f"Race {n}",
            start=start,
            end=start + timezone.timedelta(hours=2),
            capacity=args.capacity,
            status=Event.Status.PUBLISHED,
            published_at=timezone.now(),
        )

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    bin_dir = Path(sys.executable).parent
    server_log = tempfile.NamedTemporaryFile(prefix="race-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    worker_log = tempfile.NamedTemporaryFile(prefix="race-celery-", suffix=".log", delete=False)  # noqa: SIM115
    # Each worker leaves a file once it has loaded the app (gunicorn's post_worker_init hook), so the
    # clients start when all workers are up: a worker still booting on a busy machine is not measured.
    ready_dir = Path(tempfile.mkdtemp(prefix="race-ready-"))
    conf = ready_dir.parent / f"{ready_dir.name}.conf.py"
    conf.write_text(
        f"def post_worker_init(worker):\n    open({str(ready_dir)!r} + '/' + str(worker.pid), 'w').close()\n"
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(bin_dir / "gunicorn"),
            "config.wsgi",
            "-c",
            str(conf),
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "--timeout",
            "30",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # noqa: S603
        [str(bin_dir / "celery"), "-A", "config", "worker", "-c", "1", "-P", "solo", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    floors, races, outcomes = [], [], []
    try:
        for _ in range(1200):
            if len(list(ready_dir.iterdir())) >= args.workers and request("GET", f"{base}/api/me", tokens[0])[1] == 200:
                break
            time.sleep(0.1)
        else:
            sys.exit("gunicorn did not start")
        started = Path(server_log.name).stat().st_size  # what the log says from here on is the benchmark's
        clients = tokens[: args.clients]
        for n in range(0 if args.only == "burst" else ROUNDS):
            event = new_event(n)
            order = ("floor", "race") if n % 2 == 0 else ("race", "floor")
            for label in order:
                if label == "floor":
                    floors.append(at_once("GET", f"{base}/api/me", clients))
                else:
                    races.append(at_once("POST", f"{base}/api/events/{event.pk}/registrations", clients))
                    ok, text = check_outcome(event, args.capacity, args.clients)
                    outcomes.append(text)
                    if not ok:
                        sys.exit(text)
        if args.only != "race":
            burst_event = new_event(99)
            burst = at_once("POST", f"{base}/api/events/{burst_event.pk}/registrations", tokens[: args.burst])
            time.sleep(2)
    finally:
        for process in (server, worker):  # stopped by PID, killed if they do not stop in a minute
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    whole_log = Path(server_log.name).read_text()
    boot_timeouts = whole_log[:started].count("WORKER TIMEOUT")
    if boot_timeouts:
        print(f"# {boot_timeouts} worker timeouts while gunicorn started (a worker loading the app for 30 s)")
    gunicorn_log = whole_log[started:]
    mails = len(list(Path(MAIL_DIR).iterdir()))

    if races:
        report_race(args, races, floors, outcomes, mails)
    if args.only != "race":
        report_burst(args, burst, burst_event, gunicorn_log)
    if QUICK:
        print(f"# logs: {server_log.name} {worker_log.name}")


def report_race(args, races, floors, outcomes, mails) -> None:
    race_walls, floor_walls = [r["wall"] for r in races], [f["wall"] for f in floors]
    statuses = sorted({s for r in races for s in r["statuses"]})
    ratio = ratio_of(race_walls, floor_walls)
    bench(
        f"race {args.clients} clients at once for {args.capacity} seats (wall)",
        spread(race_walls),
        spread(floor_walls) + " GET /api/me",
        ratio,
        "correct, statuses 200/201 only",
        statuses == [201],
    )
    per_registration = [r["wall"] / args.clients for r in races]
    bench(
        "race time per registration",
        spread(per_registration, digits=2),
        spread([f["wall"] / args.clients for f in floors], digits=2),
        ratio,
        "report",
        None,
    )
    p50 = [statistics.median(r["latencies"]) for r in races]
    bench("race p50 latency", spread(p50), spread([statistics.median(f["latencies"]) for f in floors]),
          ratio_of(p50, [statistics.median(f["latencies"]) for f in floors]), "report", None)  # fmt: skip
    print(f"# rounds: {outcomes}; statuses {statuses}; e-mails written by the worker: {mails}")


def report_burst(args, burst, burst_event, gunicorn_log) -> None:

    counts = burst["statuses"]
    clean_503 = [r for r in burst["results"] if r[1] == 503]
    bad = {s: c for s, c in counts.items() if s >= 500 and s != 503 or s == 0}
    clean = all(r[3] for r in clean_503) and not bad
    timeouts = gunicorn_log.count("WORKER TIMEOUT")
    for line in causes_of_errors(gunicorn_log):
        print(f"# from gunicorn's log: {line}")
    registered = counts.get(201, 0)
    consistent, outcome = check_outcome(burst_event, args.capacity, registered, unknown=counts.get(0, 0))
    summary = ", ".join(f"{c}× {s}" for s, c in sorted(counts.items()))
    bench(f"burst {args.burst} at once: statuses", summary, "-", None, "no 5xx but clean 503s", clean)
    bench(f"burst {args.burst}: worker timeouts", f"{timeouts}", "-", None, "0", timeouts == 0)
    p95 = burst["latencies"][int(len(burst["latencies"]) * 0.95) - 1]
    bench(f"burst {args.burst}: wall, p95", f"{burst['wall']:.0f} ms, p95 {p95:.0f} ms", "-", None,
          f"consistent ({outcome})", consistent)  # fmt: skip


def causes_of_errors(log: str) -> list[str]:
    """What the server logged about its 5xx and timeouts, counted: Django's "Internal Server Error" with
    the exception that ended each traceback, the 503s the database's refusals became (core.locking), and
    gunicorn's worker timeouts and errors."""
    counts: dict[str, int] = {}
    lines = log.splitlines()
    for n, line in enumerate(lines):
        key = None
        if line.startswith("Internal Server Error"):
            # The traceback's last line that names an exception ("module.Error: text").
            tail = next((t for t in lines[n + 1 : n + 400] if not t.startswith((" ", "Traceback")) and ":" in t), "")
            key = f"500: {tail[:160]}"
        elif "the database was busy" in line:
            key = "503: " + line.split("the database was busy", 1)[1].strip()
        elif "WORKER TIMEOUT" in line or "[ERROR]" in line or "[CRITICAL]" in line:
            key = "gunicorn: " + line.split("] ", 2)[-1][:160]
        if key:
            counts[key] = counts.get(key, 0) + 1
    return [f"{count}× {key}" for key, count in sorted(counts.items(), key=lambda kv: -kv[1])]


if __name__ == "__main__":
    main()
