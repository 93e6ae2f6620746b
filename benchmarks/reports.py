"""Reports benchmark: the dashboard, GET /api/partnerships/{slug}/report and the PDF for 24 monthly
sessions of 50 attendees (two years, with feedback from 60% of them), and 120 (ten years, the longest a
report spans; --quick: 12 and 24).

Floor, alternating with the product in the same run (>= 3 rounds, median and range): every attended
registration of the period read with one `.values()` query and counted in Python (sessions, sectors
per session, people) — what the report does, without the app. Queries must not grow with sessions.

    .venv/bin/python benchmarks/reports.py [--quick]  # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/reports.py
"""

import random
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from _setup import QUICK, alternate, bench, count_queries, django_setup, ratio_of, spread

SIZES = (12, 24) if QUICK else (24, 120)  # monthly: 120 sessions are ten years (reports span at most ten)
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
        day = _month(i)
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


def _month(i: int) -> date:
    """The first Wednesday-ish of month i after FIRST: one session a month."""
    year, month = divmod(FIRST.month - 1 + i, 12)
    return date(FIRST.year + year, month + 1, FIRST.day)


def measure(client, state: dict, size: int) -> dict:
    from registrations.models import Registration
    from reporting.periods import Period
    from reporting.selectors import report_build
    from reporting.views import report_pdf_bytes

    last = _month(size - 1)
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

    samples = alternate({"floor": floor, "dashboard": page, "API": api, "PDF": pdf})
    return {"samples": samples, "queries": {"dashboard": count_queries(page), "API": count_queries(api)}}


def main() -> None:
    django_setup()
    from django.test import Client

    client = Client()
    state: dict = {}
    results = {}
    for size in SIZES:
        seed_to(size, state)
        client.force_login(state["coordinator"])
        results[size] = measure(client, state, size)
    small, large = (results[size] for size in SIZES)
    floor = large["samples"]["floor"]
    for name in ("dashboard", "API", "PDF"):
        samples = large["samples"][name]
        queries = large["queries"].get(name)
        fixed = queries == small["queries"].get(name)
        value = spread(samples, digits=0) + (f", {queries} queries" if queries is not None else "")
        goal = "queries fixed" if queries is not None else "report"
        figure = f"report {name}, {SIZES[-1]} monthly sessions of {ATTENDEES}"
        bench(figure, value, spread(floor), ratio_of(samples, floor), goal, fixed if queries is not None else None)
        if queries is not None:
            print(f"# {name}: {small['queries'][name]} queries at {SIZES[0]} sessions, {queries} at {SIZES[-1]}")


if __name__ == "__main__":
    main()
