"""Service map benchmark: the graph JSON, the insights and the map page's first render, on the synthetic
directory of benchmarks/referrals.py (5,000 services, 50,000 pathways; its `seed` builds it), with sectors
and overdue review dates added.

Prints the median time and SQL query count of each beside a floor measured in the same run: the same rows
read with `.values()` (and serialised with json.dumps), without the app. Then the map page in Chromium:
from navigation to cytoscape's first "render" event (window.servicemapRendered, performance.now() on the
page's clock, whose origin is the navigation). The page draws at most MAX_DRAWN_SERVICES services (the
best connected); the API returns them all.

    .venv/bin/python benchmarks/servicemap.py
    SERVICES=500 PATHWAYS=5000 .venv/bin/python benchmarks/servicemap.py   # a quicker run
    NO_BROWSER=1 .venv/bin/python benchmarks/servicemap.py                 # without Chromium
"""

import importlib.util
import json
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from _setup import ROOT, django_setup

HERE = Path(__file__).resolve().parent


def _referrals_bench():
    spec = importlib.util.spec_from_file_location("bench_referrals", HERE / "referrals.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_sectors_and_review_dates(directory, rng) -> None:
    from django.utils import timezone

    from referrals import vocabulary
    from referrals.models import Attribute, Service, TaxonomyTerm

    sectors = list(TaxonomyTerm.objects.filter(taxonomy__key=vocabulary.SECTORS))
    services = list(Service.objects.filter(directory=directory).only("pk"))
    Attribute.objects.bulk_create(
        [
            Attribute(directory=directory, service=s, taxonomy_term=rng.choice(sectors), link_type="sector")
            for s in services
        ],
        batch_size=2000,
    )
    today = timezone.localdate()
    Service.objects.filter(directory=directory).update(review_due=today + timedelta(days=200))
    overdue = [s.pk for s in services if rng.random() < 0.1]  # a tenth are overdue for review
    Service.objects.filter(pk__in=overdue).update(review_due=today - timedelta(days=30))
    Service.objects.filter(pk__in=[s.pk for s in services[::50]]).update(is_acco=True)


def first_render_ms(url: str, floor_url: str, rounds: int) -> tuple[list[float], list[float], int, int, list[float]]:
    """Alternating rounds in one Chromium: the map page (navigation to cytoscape's first render) and the floor,
    a trivial page of the same server (navigation to its load event). Also when the layout had settled
    (window.servicemapReadyAt: a large network is first drawn in rings, then laid out by fCoSE)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    samples, floors, settled = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)  # wait_for_function evaluates
        for i in range(rounds + 1):
            page.goto(url, wait_until="commit", timeout=120_000)
            page.wait_for_function("window.servicemapRendered !== undefined", timeout=120_000)
            rendered = page.evaluate("window.servicemapRendered")
            page.wait_for_function("window.servicemapReady === true", timeout=120_000)
            ready = page.evaluate("window.servicemapReadyAt")
            page.goto(floor_url, wait_until="load", timeout=120_000)
            loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            if i:  # the first round warms the browser's cache
                samples.append(rendered)
                floors.append(loaded)
                settled.append(ready)
        page.goto(url, wait_until="commit", timeout=120_000)
        page.wait_for_function("window.servicemapRendered !== undefined", timeout=120_000)
        nodes = page.evaluate("window.servicemap.nodes().length")
        edges = page.evaluate("window.servicemap.edges().length")
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / "servicemap-bench.png"))
        browser.close()
    return samples, floors, nodes, edges, settled


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def alternate(fn, floor, rounds: int, warmup: int = 1) -> tuple[list[float], list[float]]:
    """`rounds` alternating samples of the figure and its floor (after a warm-up of each)."""
    for _ in range(warmup):
        fn()
        floor()
    samples, floors = [], []
    for _ in range(rounds):
        samples.append(_timed(fn))
        floors.append(_timed(floor))
    return samples, floors


def report(figure: str, samples: list[float], floors: list[float] | None, goal: float | None, unit: str = "ms"):
    """A human line (median and range, beside the floor's) and a machine line:
    BENCH|figure|value|floor|ratio|goal|met (value and floor medians; goal the most the value may be)."""
    value = statistics.median(samples)
    floor = statistics.median(floors) if floors else None
    ratio = value / floor if floor else None
    met = "" if goal is None else ("yes" if value <= goal else "no")
    spread = f"{min(samples):.1f}–{max(samples):.1f}"
    floor_text = f"floor {floor:.1f} {unit} ({min(floors):.1f}–{max(floors):.1f})" if floors else "no floor"
    print(
        f"{figure:46} {value:10.1f} {unit} ({spread}) | {floor_text}"
        f"{f' | {ratio:.1f}x' if ratio else ''}{f' | goal <= {goal:g} {unit}: {met}' if goal is not None else ''}"
    )
    print(
        "BENCH|{}|{:.1f}|{}|{}|{}|{}".format(
            figure,
            value,
            "" if floor is None else f"{floor:.1f}",
            "" if ratio is None else f"{ratio:.2f}",
            "" if goal is None else f"<={goal:g}{unit}",
            met,
        )
    )


def main() -> None:
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.testcases import LiveServerThread

    from referrals import insights_store
    from tests.accounts.factories import CoordinatorFactory

    rounds = int(os.environ.get("ROUNDS", "5"))
    bench = _referrals_bench()
    rng = random.Random(20250301)
    started = time.perf_counter()
    directory = bench.seed(rng)["directory"]
    add_sectors_and_review_dates(directory, rng)
    print(
        f"seeded {bench.SERVICES:,} services and {bench.PATHWAYS:,} pathways in {time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    coordinator_client = Client()
    coordinator_client.force_login(CoordinatorFactory(partnership=directory.partnership))
    sizes = {}

    def trivial():  # the floor: a trivial endpoint of the same app
        assert client.get("/api/hsds/").status_code == 200

    def graph_api():
        response = client.get("/api/servicemap/bench/graph")
        assert response.status_code == 200, response.content[:300]
        sizes["graph"] = len(response.content)

    def graph_api_need():
        response = client.get("/api/servicemap/bench/graph?need=speech-language&sector=health&place=3350")
        assert response.status_code == 200, response.content[:300]
        sizes["graph_need"] = len(response.content)

    def graph_more():
        response = client.get("/api/servicemap/bench/graph?limit=300&edge_limit=2000")
        assert response.status_code == 200, response.content[:300]
        sizes["graph_more"] = len(response.content)

    def graph_export():
        response = client.get("/api/servicemap/bench/graph/export")
        sizes["export"] = sum(len(chunk) for chunk in response.streaming_content)

    def map_page():
        response = client.get("/directory/bench/map/")
        assert response.status_code == 200
        sizes["map_page"] = len(response.content)

    def insights_api():
        response = coordinator_client.get("/api/servicemap/bench/insights")
        assert response.status_code == 200, response.content[:300]
        sizes["insights"] = len(response.content)

    def insights_page():
        assert coordinator_client.get("/manage/bench/directory/insights/").status_code == 200

    def insights_csv():
        assert coordinator_client.get("/manage/bench/directory/insights.csv").status_code == 200

    task_ms = []
    for _ in range(3):  # the Celery task's body, as a worker runs it
        task_ms.append(_timed(lambda: insights_store.insights_compute(directory_id=directory.pk)))
    stored = directory.network_insights
    stored.refresh_from_db()
    data = stored.data
    print(
        f"insights: {len(data['gatekeepers'])} gatekeepers (betweenness sampled: {data['betweenness_sampled']}), "
        f"{len(data['orphans'])} orphans, {len(data['dead_ends']):,} dead ends, {len(data['gaps']):,} gaps, "
        f"{len(data['overdue']):,} overdue"
    )
    print(f"\n{rounds} alternating rounds each (figure, then floor); median (range)")
    for figure, fn, goal in (
        ("GET /api/servicemap/bench/graph (default view)", graph_api, 200),
        ("GET …/graph?need&sector&place", graph_api_need, 200),
        ("GET …/graph?limit=300 (show more)", graph_more, None),
        ("GET /directory/bench/map/ (server)", map_page, None),
        ("GET /api/servicemap/bench/insights (stored)", insights_api, 100),
        ("GET /manage/bench/directory/insights/ (stored)", insights_page, 100),
        ("GET …/insights.csv (stored)", insights_csv, 100),
    ):
        samples, floors = alternate(fn, trivial, rounds)
        report(figure, samples, floors, goal)
    samples, floors = alternate(graph_export, trivial, 3)
    report("GET …/graph/export (whole graph, streamed)", samples, floors, None)
    report("insights task (compute and store)", task_ms, None, 60_000)
    graph = json.loads(client.get("/api/servicemap/bench/graph").content)
    print(
        f"default view: {graph['shown_services']} of {graph['total_services']:,} services, {len(graph['edges']):,} of "
        f"{graph['total_edges']:,} pathways; export {sizes['export'] / 1e6:.1f} MB; "
        f"map page {sizes['map_page'] / 1e3:.0f} KB"
    )
    for figure, key, goal in (
        ("graph default view size", "graph", 500),
        ("graph need+sector+place size", "graph_need", 500),
        ("graph show more (limit=300) size", "graph_more", None),
        ("insights API size", "insights", None),
    ):
        report(figure, [sizes[key] / 1000], None, goal, unit="KB")

    if os.environ.get("NO_BROWSER"):
        return
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=int(os.environ.get("BENCH_PORT", "0")))
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    samples, floors, nodes, edges, settled = first_render_ms(
        f"{base}/directory/bench/map/", f"{base}/api/hsds/", rounds
    )
    print(f"\nmap page in Chromium: {nodes} nodes, {edges:,} edges drawn")
    report("map first render in Chromium", samples, floors, 2000)
    report("map laid out (fCoSE settled) in Chromium", settled, floors, None)
    server.terminate()


if __name__ == "__main__":
    main()
