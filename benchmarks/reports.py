"""Reports benchmark: the dashboard, GET /api/partnerships/{slug}/report and the PDF for 24, 120 and 480
weekly sessions of 50 attendees (with feedback from 60% of them).

Prints the median time and SQL query count of each, beside a floor measured in the same run: every
attended registration of the period read with one `.values()` query and counted in Python (sessions,
sectors per session, people) — what the report does, without the app. Queries must not grow with sessions.

    .venv/bin/python benchmarks/reports.py            # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/reports.py
"""

import random
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from _setup import count_queries, django_setup, median_ms

SIZES = (24, 120, 480)  # weekly: 480 sessions are 9 years (reports span at most ten)
ATTENDEES = 50
ZONE = ZoneInfo("Australia/Melbourne")
FIRST = date(2000, 1, 5)


def seed_to(total: int, state: dict) -> None:
    from accounts.models import Membership, Partnership, Sector, User
    from events.models import Event
    from registrations.models import Registration
    from reporting.models import Feedback

    if "partnership" not in state:
        state["partnership"] = Partnership.objects.create(
            slug="bench", name="Bench Partnership", locality="Ballarat", contact_email="b@example.org"
        )
        state["sectors"] = list(Sector.objects.all())
        state["people"] = User.objects.bulk_create(
            User(
                email=f"bench{i}@example.org",
                full_name=f"Bench {i}",
                organisation=f"Organisation {i % 40}",
                sector=state["sectors"][i % len(state["sectors"])],
                password="!",
            )
            for i in range(400)
        )
        coordinator = User.objects.create_user("coord@example.org", "bench-password", full_name="Coordinator")
        Membership.objects.create(user=coordinator, partnership=state["partnership"])
        state["coordinator"] = coordinator
    have = Event.objects.count()
    rng = random.Random(total)
    events = []
    for i in range(have, total):
        day = FIRST + timedelta(days=i * 7)
        start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZONE)
        events.append(
            Event(
                partnership=state["partnership"],
                title=f"Session {i + 1}",
                start=start,
                end=start + timedelta(hours=2),
                capacity=ATTENDEES,
                status=Event.Status.PUBLISHED,
                published_at=start - timedelta(days=30),
                cohosts=["City of Ballarat", f"Co-host {i % 4}"],
            )
        )
    Event.objects.bulk_create(events, batch_size=500)
    registrations = []
    for event in events:
        for n, person in enumerate(rng.sample(state["people"], ATTENDEES)):
            registrations.append(
                Registration(
                    event=event,
                    user=person,
                    sector_id=person.sector_id,
                    status="confirmed",
                    attendance="attended" if n < ATTENDEES - 3 else "no_show",
                    check_in_code=f"B{n:05d}",
                )
            )
    Registration.objects.bulk_create(registrations, batch_size=2000)
    feedback = Feedback.objects.bulk_create(
        (
            Feedback(registration=r, rating=rng.randint(2, 5), would_recommend=rng.random() < 0.85, new_contacts=2)
            for r in registrations
            if r.attendance == "attended" and rng.random() < 0.6
        ),
        batch_size=2000,
    )
    through = Feedback.sectors_connected.through
    through.objects.bulk_create(
        (through(feedback_id=f.pk, sector_id=rng.choice(state["sectors"]).pk) for f in feedback), batch_size=2000
    )


def measure(client, state: dict, size: int) -> str:
    from registrations.models import Registration
    from reporting.periods import Period
    from reporting.selectors import report_build
    from reporting.views import report_pdf_bytes

    last = FIRST + timedelta(days=(size - 1) * 7)
    query = f"date_from={FIRST}&date_to={last}"

    def page():
        response = client.get(f"/manage/bench/reports/?{query}")
        assert response.status_code == 200 and b"Sessions held" in response.content

    def api():
        response = client.get(f"/api/partnerships/bench/report?{query}")
        assert response.status_code == 200, response.content[:300]
        assert response.json()["sessions"]["held"] == size

    def pdf():
        report_pdf_bytes(report_build(partnership=state["partnership"], period=Period(FIRST, last)))

    def floor():
        rows = Registration.objects.filter(
            event__partnership=state["partnership"], status="confirmed", attendance="attended"
        ).values_list("event_id", "sector_id", "user_id")
        per_session, per_person = Counter(), Counter()
        for event_id, sector_id, user_id in rows:
            per_session[event_id, sector_id] += 1
            per_person[user_id] += 1
        return len(per_session), sum(1 for n in per_person.values() if n >= 2)

    page_ms, api_ms, floor_ms = median_ms(page, repeat=7), median_ms(api, repeat=7), median_ms(floor, repeat=7)
    pdf_ms = median_ms(pdf, repeat=3, warmup=1)
    page_q, api_q = count_queries(page), count_queries(api)
    return (
        f"{size:>8} | {page_ms:>6.0f} ms {page_q:>3} | {api_ms:>9.0f} ms {api_q:>3} | {pdf_ms:>6.0f} ms | "
        f"{floor_ms:>20.1f} ms | {api_ms / floor_ms:>10.1f}x"
    )


def main() -> None:
    django_setup()
    from django.test import Client

    client = Client()
    state: dict = {}
    print(f"{'sessions':>8} | {'dashboard':>9} {'q':>3} | {'GET …/report':>12} {'q':>3} | {'PDF':>9} | "
          f"{'floor (.values+Counter)':>23} | {'API / floor':>11}")  # fmt: skip
    for size in SIZES:
        seed_to(size, state)
        client.force_login(state["coordinator"])
        print(measure(client, state, size))


if __name__ == "__main__":
    main()
