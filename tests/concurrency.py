"""Run work in threads with separate database connections, released together, for race tests."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction


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


class HeldRowLock:
    """Another transaction holding SELECT … FOR UPDATE on one row until released."""

    def __init__(self, model, pk: int):
        self.model, self.pk = model, pk
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                self.model.objects.select_for_update().get(pk=self.pk)
                self.locked.set()
                self.release.wait(timeout=20)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=20)
