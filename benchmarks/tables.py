"""Table-plan benchmark: a partnership with 12 past sessions, 60 regulars and churn; the next session
seats 50 people at tables of 6–8.

Prints, in one run:
- the time to plan (the whole service: read the people and history, plan, write the seats), its query
  count, and the floor beside it: reading the inputs alone;
- the plan's figures — share of pairs meeting for the first time, tables with every sector, colleagues
  from one organisation at a table — beside random seating (the same seed, and the mean of 200 seeds);
- how close that is to the best possible: the share of the room's pairs that never met (what random
  seating gets on average), the best a long history-only search finds when sectors and organisations
  are ignored (an estimate of the ceiling), and a proven upper bound (each person can sit with at most
  as many new people as they have never met).

    .venv/bin/python benchmarks/tables.py
"""

import random
import statistics
import time
from datetime import timedelta

from _setup import QUICK, alternate, bench, count_queries, django_setup, ratio_of, spread

SECTORS = ["medical", "education-and-care", "community-services", "other"]
SECTOR_WEIGHTS = [3, 3, 3, 1]
ORGANISATIONS = 18
REGULARS = 60
PAST_SESSIONS = 12
NEXT_SESSION = 50
MIN_SIZE, MAX_SIZE = 6, 8


def build(rng, *, slug="bench", regulars_n=REGULARS, next_session=NEXT_SESSION, past_sessions=PAST_SESSIONS):
    """People, 12 past sessions planned with Crossroads (so the history is the app's own), the next one."""
    from django.utils import timezone

    from accounts.models import Partnership, Sector, User
    from events.models import Event
    from networking.services import plan_generate
    from registrations.models import Registration

    partnership = Partnership.objects.create(
        slug=slug, name=f"Bench Partnership {slug}", locality="Ballarat", contact_email="b@example.org"
    )
    sectors = {s.slug: s for s in Sector.objects.filter(slug__in=SECTORS)}

    def person(n: int, prefix: str):
        slug = rng.choices(SECTORS, weights=SECTOR_WEIGHTS)[0]
        return User.objects.create(
            email=f"{prefix}{n}-{partnership.slug}@example.org",
            full_name=f"{prefix.title()} {n}",
            organisation=f"Organisation {rng.randrange(ORGANISATIONS)} ({slug})",
            sector=sectors[slug],
        )

    regulars = [person(n, "regular") for n in range(regulars_n)]
    newcomers = []
    now = timezone.now()
    for month in range(past_sessions + 1):
        start = now + timedelta(days=30 * (month - past_sessions))
        event = Event.objects.create(
            partnership=partnership,
            title=f"Session {month + 1}",
            start=start,
            end=start + timedelta(hours=2),
            capacity=100,
            status=Event.Status.PUBLISHED,
            published_at=start - timedelta(days=30),
        )
        # Churn: 3 newcomers a month, some of whom come back; regulars come about 4 times in 5.
        newcomers += [person(len(newcomers) + i, "newcomer") for i in range(3)]
        if month < past_sessions:
            coming = [u for u in regulars if rng.random() < 0.78] + [u for u in newcomers if rng.random() < 0.35]
        else:
            returning = [u for u in newcomers if rng.random() < 0.35][:5]
            coming = rng.sample(regulars, next_session - len(returning)) + returning
        Registration.objects.bulk_create(
            [
                Registration(
                    event=event,
                    user=u,
                    sector=u.sector,
                    status="confirmed",
                    check_in_code=f"B{month:02d}{i:03d}",
                    attendance="attended" if month < past_sessions else "unknown",
                )
                for i, u in enumerate(coming)
            ]
        )
        if month < past_sessions:
            plan_generate(event=event, by=None, min_size=MIN_SIZE, max_size=MAX_SIZE, seed=month)
    return event


def main() -> None:
    django_setup()
    from networking import assignment, selectors
    from networking.selectors import person_for
    from networking.services import plan_generate

    rng = random.Random(2026)
    t0 = time.perf_counter()
    event = build(rng)
    print(f"set-up: {PAST_SESSIONS} past sessions planned, {time.perf_counter() - t0:.1f} s\n")

    def load_inputs_of(event):
        registrations = list(selectors.seatable_registrations(event=event))
        history = selectors.meeting_history(event=event, user_ids={r.user_id for r in registrations})
        return registrations, selectors.met_between(registrations, history)

    registrations, met = load_inputs_of(event)
    people = [person_for(r) for r in registrations]
    by_key = {p.key: p for p in people}

    # --- Time: the service beside its same-run reference (reading its inputs), alternating -----------
    def timed(event, label):
        seeds = iter(range(1, 1000))

        def inputs():
            registrations = list(selectors.seatable_registrations(event=event))
            history = selectors.meeting_history(event=event, user_ids={r.user_id for r in registrations})
            selectors.met_between(registrations, history)

        def plan():
            plan_generate(event=event, by=None, min_size=MIN_SIZE, max_size=MAX_SIZE, seed=next(seeds))

        samples = alternate({"floor": inputs, "plan": plan})
        queries = count_queries(plan)
        n = event.registrations.filter(status="confirmed").count()
        bench(f"table plan, {n} people ({label})", spread(samples["plan"], digits=0) + f", {queries} queries",
              spread(samples["floor"], digits=0) + " reading the inputs", ratio_of(samples["plan"], samples["floor"]),
              "<= 2000 ms", statistics.median(samples["plan"]) <= 2000)  # fmt: skip

    def first_time_beside_random(event, label, seeds=200):
        """The plan's share of first-time pairs (seed 1) beside random seating with the same table sizes."""
        registrations, met = load_inputs_of(event)
        by_key = {p.key: p for p in (person_for(r) for r in registrations)}
        plan = plan_generate(event=event, by=None, min_size=MIN_SIZE, max_size=MAX_SIZE, seed=1)
        figures = selectors.plan_view(plan=plan, with_prompts=False).figures
        sizes = [t.size for t in figures.tables]
        randoms = [
            assignment.evaluate(assignment.random_tables(by_key, sizes, seed=s), by_key, met).first_time_share
            for s in range(1000, 1000 + seeds)
        ]
        random_share = statistics.mean(randoms)
        bench(f"table plan first-time pairs ({label})", f"{100 * figures.first_time_share:.1f}%",
              f"{100 * random_share:.1f}% random seating (mean of {seeds} seeds)",
              figures.first_time_share / random_share, ">= random seating",
              figures.first_time_share >= random_share)  # fmt: skip
        return figures, random_share

    timed(event, "12 sessions of history")
    t0 = time.perf_counter()
    big = build(random.Random(200), slug="bench-200", regulars_n=240, next_session=200,
                past_sessions=4 if QUICK else PAST_SESSIONS)  # fmt: skip
    print(f"set-up of the 200-person case: {time.perf_counter() - t0:.1f} s")
    timed(big, f"{4 if QUICK else PAST_SESSIONS} sessions of history")
    first_time_beside_random(big, "200 people")
    print(f"{len(people)} people, tables of {MIN_SIZE}–{MAX_SIZE}; {len(met)} of the room's pairs met before\n")

    # --- Quality -----------------------------------------------------------------------------
    seed = 1
    plan = plan_generate(event=event, by=None, min_size=MIN_SIZE, max_size=MAX_SIZE, seed=seed)
    view = selectors.plan_view(plan=plan, with_prompts=False)
    planned, baseline = view.figures, view.baseline
    sizes = [t.size for t in planned.tables]
    randoms = [
        assignment.evaluate(assignment.random_tables(by_key, sizes, seed=s), by_key, met) for s in range(1000, 1200)
    ]
    mean = statistics.mean

    def pct(x):
        return f"{100 * x:5.1f}%"

    tables = len(planned.tables)

    def quality(label, share, all_sectors, same_org):
        print(f"{label:40} {pct(share):>17} {all_sectors:>6} of {tables:<3} {same_org:>15}")

    print(f"{'':40} {'first-time pairs':>17} {'all sectors':>12} {'same-org pairs':>15}")
    quality(
        "Crossroads plan (seed 1)",
        planned.first_time_share,
        planned.groups_with_all_sectors,
        planned.same_organisation_pairs,
    )
    quality(
        "random seating (seed 1)",
        baseline.first_time_share,
        baseline.groups_with_all_sectors,
        baseline.same_organisation_pairs,
    )
    quality(
        "random seating (mean of 200 seeds)",
        mean(r.first_time_share for r in randoms),
        f"{mean(r.groups_with_all_sectors for r in randoms):.1f}",
        f"{mean(r.same_organisation_pairs for r in randoms):.1f}",
    )
    random_share = mean(r.first_time_share for r in randoms)
    bench("table plan first-time pairs (50 people)", pct(planned.first_time_share).strip(),
          pct(random_share).strip() + " random seating", planned.first_time_share / random_share,
          ">= random seating", planned.first_time_share >= random_share)  # fmt: skip
    rare = min(sum(1 for p in people if p.sector == s) for s in {p.sector for p in people})
    print(f"most tables that can have every sector: {min(tables, rare)} (the rarest sector has {rare} people)\n")

    if QUICK:
        return
    # --- Close to the best possible? -------------------------------------------------------------
    n = len(people)
    room_pairs = n * (n - 1) // 2
    never_met = 1 - len(met) / room_pairs

    def best_of(persons, seeds: int) -> tuple[float, float]:
        best, t = 0.0, time.perf_counter()
        for s in range(100, 100 + seeds):
            found = assignment.plan_tables(persons, min_size=MIN_SIZE, max_size=MAX_SIZE, seed=s, met=met, effort=400)
            best = max(best, assignment.evaluate(found.tables, by_key, met).first_time_share)
        return best, time.perf_counter() - t

    same_objective, same_s = best_of(people, 4)  # the same objective, ten times the search
    bare = [assignment.Person(key=p.key) for p in people]  # history only: no sectors, no organisations
    best, search_s = best_of(bare, 5)
    unmet = {p.key: n - 1 for p in people}
    for a, b in met:
        unmet[a] -= 1
        unmet[b] -= 1
    # Each person sits with (table size − 1) others, at most all of whom are new to them.
    seat_sizes = {}
    for group in view.groups:
        for seat in group.seats:
            seat_sizes[seat.registration_id] = len(group.seats)
    bound_pairs = sum(min(seat_sizes[k] - 1, unmet[k]) for k in unmet) / 2
    bound = min(1.0, bound_pairs / planned.pairs)

    def ceiling(label, share, note=""):
        print(f"  {label:58} {pct(share)}{note}")

    print("first-time pairs, against the best possible:")
    ceiling("pairs in the room that never met (random's expectation)", never_met)
    ceiling("Crossroads plan", planned.first_time_share)
    reach = 100 * planned.first_time_share / same_objective
    ceiling(
        f"same objective, 10x the search, best of 4 seeds ({same_s:.0f} s)", same_objective, f"  plan: {reach:.0f}%"
    )
    reach = 100 * planned.first_time_share / best
    ceiling(f"history only, sectors and organisations ignored ({search_s:.0f} s)", best, f"  plan: {reach:.0f}%")
    ceiling("proven upper bound (each person's never-met count)", bound)


if __name__ == "__main__":
    main()
