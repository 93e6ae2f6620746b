"""Run work in threads with separate database connections, released together, for race tests."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def in_threads(fn, items, *, workers: int):
    """fn(item) for every item, `workers` at a time, each thread on its own connection; errors re-raised."""
    barrier = threading.Barrier(min(workers, len(items)))
    errors = []

    def run(item):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
            return fn(item)
        except Exception as error:  # collected and re-raised in the test
            errors.append(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, items))
    assert not errors, errors[:3]
    return results
