"""Finalise attendance for 50 attendees on the embedded default (SQLite, eager Celery): how long the request takes.

- The app: `POST /manage/<slug>/events/<id>/roster/finalise/` for a session of 50 attended registrations and
  a few unmarked, through Django's test client. With CROSSROADS_EAGER_IN_THREAD (the default) the
  certificate batch runs in a thread after commit; the request does no PDF rendering. Target: <= 3 s.
- For contrast, the same request with the batch inline (CROSSROADS_EAGER_IN_THREAD=False, the old way).
- The floor, in the same run: `GET` of the same session's roster page (a page with the same 55 rows).

Rounds alternate (floor, thread, inline), each on a fresh session; the background threads are joined
between rounds, untimed. Prints the median and range of each and the ratios to the floor.

    .venv/bin/python benchmarks/finalise.py [rounds]
"""

import statistics
import sys
import tempfile
import time
from datetime import timedelta

from _setup import django_setup


def make_session(partnership, coordinator, label: str, attended: int = 50, unmarked: int = 5):
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event
    from registrations.models import Registration

    start = timezone.now() - timedelta(hours=3)
    event = Event.objects.create(
        partnership=partnership, title=f"Referral pathways ({label})", start=start, end=start + timedelta(hours=2),
        status="published", published_at=start, capacity=80, cohosts=["City of Ballarat"],
    )  # fmt: skip
    users = User.objects.bulk_create(
        [
            User(email=f"{label}-{i}@example.org", full_name=f"Nguyễn Thị {label} {i}")
            for i in range(attended + unmarked)
        ]
    )
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                user=u,
                status="confirmed",
                check_in_code=f"{i:06d}",
                attendance="attended" if i < attended else "unknown",
                attendance_marked_by=coordinator,
            )  # fmt: skip
            for i, u in enumerate(users)
        ]
    )
    return event


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(rounds: int) -> None:
    django_setup()
    import logging

    from django.conf import settings
    from django.test import Client

    from accounts.models import Membership, Partnership, User
    from certificates import services
    from certificates.models import Certificate

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="crossroads-bench-media-")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    partnership = Partnership.objects.create(
        slug="ballarat", name="Ballarat Community Partnership", locality="Ballarat", contact_email="p@example.org",
    )  # fmt: skip
    coordinator = User.objects.create(email="coordinator@example.org", full_name="Casey Coordinator")
    Membership.objects.create(user=coordinator, partnership=partnership)
    client = Client()
    client.force_login(coordinator)

    def finalise(event, in_thread: bool):
        settings.CROSSROADS_EAGER_IN_THREAD = in_thread
        response = client.post(f"/manage/ballarat/events/{event.pk}/roster/finalise/")
        assert response.status_code == 302, response.status_code

    def settle(event):
        for thread in services.BACKGROUND_THREADS:
            thread.join()
        services.BACKGROUND_THREADS.clear()
        assert Certificate.objects.filter(event=event, status="valid").count() == 50

    warm = make_session(partnership, coordinator, "warm")  # fonts, CSS, templates loaded once
    finalise(warm, in_thread=False)
    samples = {"floor": [], "thread": [], "inline": []}
    for number in range(rounds):
        event = make_session(partnership, coordinator, f"r{number}t")
        roster = f"/manage/ballarat/events/{event.pk}/roster/"
        samples["floor"].append(timed(lambda url=roster: client.get(url)))
        samples["thread"].append(timed(lambda e=event: finalise(e, in_thread=True)))
        settle(event)
        other = make_session(partnership, coordinator, f"r{number}i")
        samples["inline"].append(timed(lambda e=other: finalise(e, in_thread=False)))
        settle(other)

    floor = statistics.median(samples["floor"])
    print(f"Finalise attendance, 50 attendees, SQLite + eager Celery ({rounds} alternating rounds)")
    for name, label in (
        ("floor", "floor (GET the roster page)"),
        ("thread", "finalise, batch in a thread"),
        ("inline", "finalise, batch inline (old)"),
    ):
        values = samples[name]
        median = statistics.median(values)
        print(
            f"  {label:31s} median {median:6.3f} s  range {min(values):6.3f}–{max(values):6.3f} s"
            f"  ratio to floor {median / floor:6.2f}x"
        )
    print(
        f"  target: finalise returns in <= 3 s -> {'met' if statistics.median(samples['thread']) <= 3 else 'NOT met'}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
