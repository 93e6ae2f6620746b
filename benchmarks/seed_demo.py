"""First start: `manage.py seed_demo` on an empty SQLite database, as scripts/run.sh runs it.

The embedded default (SQLite, eager Celery, console e-mail), a fresh process every time (Django's start-up
counts: the person waits for it too), on a fresh copy of a migrated empty database. Beside it, in the same
run and alternating with it:

- the floor: `manage.py loaddata` of the same rows — what seed_demo leaves in the database, dumped once
  (untimed) and loaded into a fresh copy of the same empty database: Django writing exactly the same data
  with no logic at all;
- for scale: `manage.py migrate` on an empty database (the step before it in scripts/run.sh).

Goal (issue 17): seed_demo finishes in <= 20 s on a quiet machine. On a busy one, read the ratio to the
floor, or at the CPU time of the process (user + system, also beside the floor's): what the wall time comes
down to on a quiet machine. Also prints, median over the rounds, each step's time as seed_demo prints it.

    .venv/bin/python benchmarks/seed_demo.py [--quick]
"""

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import QUICK, ROOT, bench, ratio_of, spread

GOAL_S = 20.0
PYTHON = os.environ.get("PYTHON") or sys.executable
STEP = re.compile(r"^-- \[(\d+)/\d+\] (.*)…$")
TOOK = re.compile(r"^\s+\((\d+\.\d) s\)$")


def environment(database: Path) -> dict:
    """The embedded default: no broker (eager Celery), no Redis, this SQLite file."""
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "REDIS_URL", "DATABASE_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return env


CPU: dict[str, list[float]] = {}  # label -> the child process's CPU seconds (user + system), per run


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def manage(database: Path, *args: str, label: str | None = None) -> str:
    before = child_cpu()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    if label:
        CPU.setdefault(label, []).append(child_cpu() - before)
    return result.stdout


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def steps_of(output: str) -> dict[str, float]:
    """{step label: seconds} from seed_demo's own output."""
    found, label = {}, None
    for line in output.splitlines():
        if match := STEP.match(line):
            label = match.group(2)
        elif (match := TOOK.match(line)) and label:
            found[label] = float(match.group(1))
            label = None
    return found


def fixture_of(empty: Path, seeded: Path, work: Path) -> tuple[Path, int]:
    """The rows seed_demo added or changed, as a loaddata fixture, and how many there are."""

    def dump(database: Path) -> list[dict]:
        out = work / f"{database.stem}.json"
        # The where index is derived: loading the pathways' needs rebuilds its rows (m2m_changed), so it is
        # left out of the fixture rather than loaded twice.
        manage(database, "dumpdata", "--format", "json", "--exclude", "referrals.WhereIndexEntry", "--output", str(out))
        return json.loads(out.read_text(encoding="utf-8"))

    before = {(row["model"], json.dumps(row["pk"])): row for row in dump(empty)}
    rows = [row for row in dump(seeded) if before.get((row["model"], json.dumps(row["pk"]))) != row]
    fixture = work / "seeded_rows.json"
    fixture.write_text(json.dumps(rows), encoding="utf-8")
    return fixture, len(rows)


def main() -> None:
    rounds = 3 if QUICK else 5
    work = Path(tempfile.mkdtemp(prefix="crossroads-bench-seed-"))
    try:
        empty = work / "empty.sqlite3"
        manage(empty, "migrate", "--no-input", "-v", "0")
        seeded = work / "seeded.sqlite3"
        shutil.copy(empty, seeded)
        manage(seeded, "seed_demo")
        fixture, row_count = fixture_of(empty, seeded, work)

        def fresh(name: str) -> Path:
            path = work / f"{name}.sqlite3"
            path.unlink(missing_ok=True)
            shutil.copy(empty, path)
            return path

        outputs: list[str] = []

        def seed() -> None:
            outputs.append(manage(fresh("product"), "seed_demo", label="seed_demo"))

        def load() -> None:
            manage(fresh("floor"), "loaddata", str(fixture), "-v", "0", label="loaddata")

        def migrate() -> None:
            path = work / "migrate.sqlite3"
            path.unlink(missing_ok=True)
            manage(path, "migrate", "--no-input", "-v", "0", label="migrate")

        # Alternating, the order flipped each round (as _setup.alternate); no warm-up round beyond the
        # set-up above, which already ran each command once.
        fns = {"seed_demo": seed, "loaddata": load, "migrate": migrate}
        samples: dict[str, list[float]] = {label: [] for label in fns}
        for number in range(rounds):
            for label in fns if number % 2 == 0 else reversed(list(fns)):
                samples[label].append(timed(fns[label]))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    seconds = {label: [v / 1000 for v in values] for label, values in samples.items()}
    print(f"seed_demo on an empty SQLite database, a fresh process each time ({rounds} alternating rounds)")
    print(f"  the floor loads the same {row_count:,} objects (a dumpdata fixture) with loaddata")
    for label, values in seconds.items():
        print(f"  {label:10s} {spread(values, 's', 2)}   CPU {spread(CPU[label], 's', 2)}")
    per_step = {}
    for output in outputs:
        for label, took in steps_of(output).items():
            per_step.setdefault(label, []).append(took)
    if per_step:
        print("  seed_demo's steps (as it prints them), median of the rounds:")
        for label, values in per_step.items():
            print(f"    {statistics.median(values):5.1f} s  {label}")
    missing = [o for o in outputs if "Demo data ready in" not in o or len(steps_of(o)) < len(per_step)]
    median = statistics.median(seconds["seed_demo"])
    bench(
        f"seed_demo first start, {row_count:,} objects (SQLite, eager Celery)",
        spread(seconds["seed_demo"], "s", 2),
        f"loaddata of the same objects {spread(seconds['loaddata'], 's', 2)}",
        ratio_of(seconds["seed_demo"], seconds["loaddata"]),
        f"<= {GOAL_S:.0f} s (quiet machine), every step printed",
        median <= GOAL_S and not missing,
    )
    bench(
        "seed_demo first start, CPU time of the process (a quiet machine's wall time)",
        spread(CPU["seed_demo"], "s", 2),
        f"loaddata {spread(CPU['loaddata'], 's', 2)}",
        ratio_of(CPU["seed_demo"], CPU["loaddata"]),
        f"<= {GOAL_S:.0f} s",
        statistics.median(CPU["seed_demo"]) <= GOAL_S,
    )
    bench(
        "seed_demo beside migrate of an empty database",
        spread(seconds["seed_demo"], "s", 2),
        f"migrate {spread(seconds['migrate'], 's', 2)}",
        ratio_of(seconds["seed_demo"], seconds["migrate"]),
        "report",
        None,
    )


if __name__ == "__main__":
    main()
