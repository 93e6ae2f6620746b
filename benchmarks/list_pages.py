"""List pages benchmark: My sessions with 100 registrations, the roster of 200, the certificates page of 200.

Each page is fetched through Django's test client as its user (a page at a time, QR codes cached
after the first view: the cold first view is timed too). The floor, in the same run, alternating:
Django alone rendering a bare table of the same rows (one `.values()` query, one template, no HTTP).
Goal: each page <= 300 ms (on an idle machine), in the same number of queries at half the size.

    .venv/bin/python benchmarks/list_pages.py [--quick]
"""

from datetime import timedelta

from _setup import alternate, bench, count_queries, django_setup, ratio_of, spread

GOAL_MS = 300
FLOOR_TEMPLATE = (
    "<table>{% for r in rows %}<tr><th>{{ r.user__full_name }}</th><td>{{ r.user__email }}</td>"
    "<td>{{ r.event__title }}</td><td>{{ r.status }}</td><td>{{ r.attendance }}</td></tr>{% endfor %}</table>"
)


def seed(n_my: int, n_roster: int, tag: str):
    from django.utils import timezone

    from accounts.models import Membership, Partnership, User
    from events.models import Event
    from registrations.models import Registration

    partnership = Partnership.objects.create(
        slug=f"bench-{tag}", name=f"Bench {tag}", locality="Ballarat", contact_email="b@example.org"
    )
    coordinator = User.objects.create_user(f"coord-{tag}@example.org", "bench-password", full_name="Coordinator")
    Membership.objects.create(user=coordinator, partnership=partnership)
    me = User.objects.create_user(f"me-{tag}@example.org", "bench-password", full_name="Pat Practitioner")
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(
            partnership=partnership,
            title=f"Session {i}: referral pathways",
            start=now + timedelta(days=1 + i),
            end=now + timedelta(days=1 + i, hours=2),
            capacity=500,
            status=Event.Status.PUBLISHED,
            published_at=now,
        )
        for i in range(n_my)
    )
    Registration.objects.bulk_create(
        Registration(event=e, user=me, status="confirmed", check_in_code=f"M{i:05d}") for i, e in enumerate(events)
    )
    past = Event.objects.create(
        partnership=partnership,
        title="Big session",
        start=now - timedelta(days=1),
        end=now - timedelta(days=1) + timedelta(hours=2),
        capacity=1000,
        status=Event.Status.PUBLISHED,
        published_at=now - timedelta(days=30),
    )
    people = User.objects.bulk_create(
        User(email=f"p{i}-{tag}@example.org", full_name=f"Person {i}", organisation=f"Org {i % 20}")
        for i in range(n_roster)
    )
    Registration.objects.bulk_create(
        Registration(event=past, user=u, status="confirmed", attendance="attended", check_in_code=f"R{i:05d}")
        for i, u in enumerate(people)
    )
    return partnership, coordinator, me, past


def main() -> None:
    django_setup()
    from django.core.cache import cache
    from django.template import engines
    from django.test import Client

    from registrations.models import Registration

    template = engines["django"].from_string(FLOOR_TEMPLATE)
    sizes = {}
    for tag, (n_my, n_roster) in {"half": (50, 100), "full": (100, 200)}.items():
        partnership, coordinator, me, past = seed(n_my, n_roster, tag)
        mine, staff = Client(), Client()
        mine.force_login(me)
        staff.force_login(coordinator)
        pages = {
            f"My sessions ({n_my} registrations)": (mine, "/my/sessions/", Registration.objects.filter(user=me)),
            f"roster ({n_roster})": (
                staff,
                f"/manage/{partnership.slug}/events/{past.pk}/roster/",
                Registration.objects.filter(event=past),
            ),
            f"certificates page ({n_roster})": (
                staff,
                f"/manage/{partnership.slug}/events/{past.pk}/certificates/",
                Registration.objects.filter(event=past, attendance="attended"),
            ),
        }
        for name, (client, url, rows) in pages.items():
            cache.clear()
            queries = count_queries(lambda client=client, url=url: client.get(url))  # the cold view: QR codes made
            sizes.setdefault(name.split(" (")[0], []).append(queries)
            if tag == "half":
                continue

            def page(client=client, url=url):
                assert client.get(url).status_code == 200

            def floor(rows=rows):
                values = list(rows.values("user__full_name", "user__email", "event__title", "status", "attendance"))
                template.render({"rows": values})

            cold = alternate({"floor": floor, "page": page}, before=cache.clear)
            samples = alternate({"floor": floor, "page": page})
            ratio = ratio_of(samples["page"], samples["floor"])
            counts = sizes[name.split(" (")[0]]
            fixed = counts[0] == counts[1]
            bench(f"{name}", spread(samples["page"]) + f", {counts[1]} queries", spread(samples["floor"]), ratio,
                  f"<= {GOAL_MS} ms, queries fixed", ratio is not None and _median(samples["page"]) <= GOAL_MS
                  and fixed)  # fmt: skip
            cold_ratio = ratio_of(cold["page"], cold["floor"])
            bench(f"{name}, first view (QR codes made)", spread(cold["page"]), spread(cold["floor"]), cold_ratio,
                  "report", None)  # fmt: skip
            print(f"# {name}: queries at half size {counts[0]}, at full size {counts[1]}")


def _median(samples):
    import statistics

    return statistics.median(samples)


if __name__ == "__main__":
    main()
