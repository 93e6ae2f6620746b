"""The short lock (issue 18): time spent in a registration's locked section with the notification
receivers, against the same section with them muted, alternating, in the same run.

`registration_create` takes the event's row lock (`SELECT … FOR UPDATE`) first and holds it to the
end of its transaction; everything the `registration_changed` receivers do happens inside. Each
registration here runs inside an outer transaction, so the timing covers exactly the locked work
(commit and the after-commit hand-off to Celery come after it, outside the lock, in both modes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x BENCH_DATABASE_NAME=crossroads_bench_me \\
        .venv/bin/python benchmarks/registration_lock.py [--rounds 5] [--registrations 60]

Goal: product (with receivers) ≤ 1.2× the floor (receivers muted).
"""

import argparse
import statistics
import time

from _setup import bench, django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--registrations", type=int, default=60)
    args = parser.parse_args()
    django_setup()

    from django.db import transaction

    from accounts.models import Partnership, User
    from config.celery import app
    from events.models import Event
    from notifications.receivers import muted
    from registrations.services import registration_create

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"  # the after-commit hand-off is outside the lock; keep it cheap
    partnership, _ = Partnership.objects.get_or_create(
        slug="bench-lock", defaults={"name": "Bench", "contact_email": "bench@example.org"}
    )
    count = args.registrations
    people = [
        User.objects.create_user(email=f"lock-{i}@example.org", password="x", full_name=f"Person {i}")
        for i in range(count * 2 * (args.rounds + 1))
    ]
    from datetime import timedelta

    from django.utils import timezone

    def one_round(mode: str, batch) -> float:
        start = timezone.now() + timedelta(days=30)
        event = Event.objects.create(
            partnership=partnership, title="Lock", start=start, end=start + timedelta(hours=2),
            capacity=count // 2, status="published", published_at=timezone.now(),
        )  # fmt: skip
        samples = []
        for person in batch:
            with transaction.atomic():
                t0 = time.perf_counter()
                if mode == "floor":
                    with muted():
                        registration_create(event=event, user=person)
                else:
                    registration_create(event=event, user=person)
                samples.append((time.perf_counter() - t0) * 1000)
        return statistics.median(samples)

    chunks = iter([people[i : i + count] for i in range(0, len(people), count)])
    one_round("floor", next(chunks)), one_round("product", next(chunks))  # warm-up
    results = {"floor": [], "product": []}
    for _ in range(args.rounds):
        for mode in ("floor", "product"):  # alternating
            results[mode].append(one_round(mode, next(chunks)))
    ratios = [p / f for p, f in zip(results["product"], results["floor"], strict=True)]
    print(f"registration locked section, {count} registrations per round (half confirmed, half waitlisted)")
    for mode in ("floor", "product"):
        values = results[mode]
        print(f"  {mode:8}: median {statistics.median(values):6.2f} ms  range {min(values):.2f}–{max(values):.2f} ms")
    ratio = statistics.median(ratios)
    print(f"  ratio product/floor: median {ratio:.2f}  range {min(ratios):.2f}–{max(ratios):.2f}  (goal ≤ 1.20: "
          f"{'met' if ratio <= 1.2 else 'NOT met'})")  # fmt: skip

    def shown(values):
        return f"{statistics.median(values):.2f} ms ({min(values):.2f}–{max(values):.2f})"

    bench(
        f"registration locked section with receivers ({count} per round)",
        shown(results["product"]),
        f"{shown(results['floor'])} receivers muted",
        ratio,
        "<= 1.2x",
        ratio <= 1.2,
    )


if __name__ == "__main__":
    main()
