"""Shared set-up for benchmarks: a throw-away database (SQLite file, or DATABASE_URL's server), the
alternating floor/product timer, and the machine-readable result line (see benchmarks/README.md):

    BENCH|figure|value|floor|ratio|goal|met
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# --quick (or BENCH_QUICK=1): fewer sizes and rounds, still >= 3 alternating rounds per figure.
QUICK = "--quick" in sys.argv or os.environ.get("BENCH_QUICK", "") in {"1", "true", "yes"}
if "--quick" in sys.argv:
    sys.argv.remove("--quick")
ROUNDS = 3 if QUICK else 5


def alternate(fns: dict, *, rounds: int = ROUNDS, repeat: int = 1, warmup: int = 1, before=None) -> dict:
    """Time every function in `fns` ({label: fn}) in turn, round after round — floor and product
    alternate, and the order flips each round so neither always runs first. `before()` runs untimed
    before each call (e.g. emptying a cache). Returns {label: [ms, ...]} (rounds × repeat samples)."""
    labels = list(fns)
    for label in labels:
        for _ in range(warmup):
            if before:
                before()
            fns[label]()
    samples: dict = {label: [] for label in labels}
    for n in range(rounds):
        for label in labels if n % 2 == 0 else reversed(labels):
            for _ in range(repeat):
                if before:
                    before()
                t0 = time.perf_counter()
                fns[label]()
                samples[label].append((time.perf_counter() - t0) * 1000)
    return samples


def spread(samples: list[float], unit: str = "ms", digits: int = 1) -> str:
    """'median unit (min–max)'."""
    return f"{statistics.median(samples):.{digits}f} {unit} ({min(samples):.{digits}f}–{max(samples):.{digits}f})"


def ratio_of(product: list[float], floor: list[float]) -> float:
    return statistics.median(product) / statistics.median(floor)


def bench(figure: str, value: str, floor: str, ratio: float | None, goal: str, met: bool | None) -> None:
    """One result line for scripts/bench.sh (and a human): BENCH|figure|value|floor|ratio|goal|met."""
    cells = [figure, value, floor or "-", "-" if ratio is None else f"{ratio:.2f}x", goal, _met(met)]
    assert not any("|" in cell for cell in cells), cells
    print("BENCH|" + "|".join(cells), flush=True)


def _met(met: bool | None) -> str:
    return "n/a" if met is None else ("yes" if met else "NO")


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="crossroads-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        # BENCH_DATABASE_NAME (or BENCH_DB_NAME, BENCH_DATABASE): a database of your own on a shared server
        # (it is dropped and created again).
        name = (
            os.environ.get("BENCH_DATABASE_NAME")
            or os.environ.get("BENCH_DB_NAME")
            or os.environ.get("BENCH_DATABASE", "crossroads_bench")
        )
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        _recreate_postgres_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0)


def _recreate_postgres_database(db: dict) -> None:
    import psycopg

    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def median_ms(fn, repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def alternate_pair(floor, product, *, rounds: int = 5, repeat: int = 7, warmup: int = 2) -> dict:
    """Time `floor` and `product` in alternation: each round takes the median of `repeat` calls of each.

    Returns the per-round medians (ms) of both and their ratios, so a busy machine slows both alike.
    """
    for _ in range(warmup):
        floor()
        product()
    floors, products, ratios = [], [], []
    for _ in range(rounds):
        f = median_ms(floor, repeat=repeat, warmup=0)
        p = median_ms(product, repeat=repeat, warmup=0)
        floors.append(f)
        products.append(p)
        ratios.append(p / f if f else float("inf"))
    return {"floor": floors, "product": products, "ratio": ratios}


def spread_plain(values: list[float]) -> str:
    """ "median (min–max)"."""
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)
