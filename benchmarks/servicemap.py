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

from _setup import ROOT, count_queries, django_setup, median_ms

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


def first_render_ms(url: str, repeat: int = 5) -> tuple[float, int, int]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    samples = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for _ in range(repeat + 1):
            page.goto(url, wait_until="commit", timeout=120_000)
            page.wait_for_function("window.servicemapRendered !== undefined", timeout=120_000)
            samples.append(page.evaluate("window.servicemapRendered"))
        nodes = page.evaluate("window.servicemap.nodes().length")
        edges = page.evaluate("window.servicemap.edges().length")
        page.screenshot(path=str(ROOT / "test-artifacts" / "servicemap-bench.png"))
        browser.close()
    return statistics.median(samples[1:]), nodes, edges


def main() -> None:
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.testcases import LiveServerThread

    from referrals import graph as selectors
    from referrals import selectors as referral_selectors
    from referrals import vocabulary
    from referrals.insights import network_insights
    from referrals.models import Attribute, Pathway, Service

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
    speech = referral_selectors.term_by_code(vocabulary.NEEDS, "speech-language")

    def graph_all():
        json.dumps(selectors.graph_build(directory=directory))

    def graph_page_sized():
        json.dumps(
            selectors.graph_build(
                directory=directory, limit=selectors.MAX_DRAWN_SERVICES, edge_limit=selectors.MAX_DRAWN_EDGES
            )
        )

    def graph_speech():
        json.dumps(selectors.graph_build(directory=directory, filters=selectors.GraphFilters(need=speech)))

    def graph_api():
        response = client.get("/api/servicemap/bench/graph")
        assert response.status_code == 200, response.content[:300]

    def graph_floor():
        chosen = Pathway.objects.filter(directory=directory, is_active=True, target_service__status__in=["active"])
        json.dumps(
            {
                "services": list(
                    Service.objects.filter(directory=directory, status="active").values(
                        "id", "name", "is_acco", "minimum_age_months", "maximum_age_months"
                    )
                ),
                "attributes": list(
                    Attribute.objects.filter(service__directory=directory, link_type__in=["need", "sector"]).values(
                        "service_id", "taxonomy_term_id"
                    )
                ),
                "pathways": list(
                    chosen.values("id", "source_service_id", "source_role_id", "target_service_id", "method")
                ),
                "needs": list(
                    Pathway.needs.through.objects.filter(pathway__in=chosen.values("pk")).values(
                        "pathway_id", "taxonomyterm_id"
                    )
                ),
            },
            default=str,
        )

    def insights():
        network_insights(directory=directory)

    def insights_floor():
        chosen = Pathway.objects.filter(directory=directory, is_active=True)
        list(Service.objects.filter(directory=directory).values("id", "name", "review_due"))
        list(chosen.values("id", "source_service_id", "source_role_id", "target_service_id", "review_due"))
        list(Pathway.alternatives.through.objects.filter(pathway__in=chosen.values("pk")).values())

    def map_page():
        response = client.get("/directory/bench/map/")
        assert response.status_code == 200

    graph = selectors.graph_build(directory=directory)
    drawn = selectors.graph_build(
        directory=directory, limit=selectors.MAX_DRAWN_SERVICES, edge_limit=selectors.MAX_DRAWN_EDGES
    )
    found = network_insights(directory=directory)
    print(
        f"graph: {len(graph['nodes']):,} nodes, {len(graph['edges']):,} edges; the page draws "
        f"{drawn['shown_services']} services and {len(drawn['edges']):,} edges"
    )
    print(
        f"insights: {len(found.gatekeepers)} gatekeepers (betweenness sampled: {found.betweenness_sampled}), "
        f"{len(found.orphans)} orphans, {len(found.dead_ends):,} dead ends, {len(found.gaps):,} gaps, "
        f"{len(found.overdue):,} overdue"
    )
    rows = [
        ("graph, every node (selector + json)", graph_all, graph_floor, 5),
        ("graph, as the page draws it", graph_page_sized, graph_floor, 5),
        ("graph, need = speech and language", graph_speech, graph_floor, 5),
        ("GET /api/servicemap/bench/graph", graph_api, graph_floor, 5),
        ("map page (server, HTML)", map_page, graph_floor, 5),
        ("insights (networkx)", insights, insights_floor, 3),
    ]
    floors = {}
    print(f"\n{'':40} {'median ms':>10} {'queries':>8} {'floor ms':>9} {'floor q':>8}")
    for name, fn, floor, repeat in rows:
        if floor not in floors:
            floors[floor] = (median_ms(floor, repeat=repeat, warmup=1), count_queries(floor))
        ms = median_ms(fn, repeat=repeat, warmup=1)
        print(f"{name:40} {ms:10.1f} {count_queries(fn):8d} {floors[floor][0]:9.1f} {floors[floor][1]:8d}")

    if os.environ.get("NO_BROWSER"):
        return
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    ms, nodes, edges = first_render_ms(f"http://127.0.0.1:{server.port}/directory/bench/map/")
    print(
        f"\nmap page in Chromium, navigation to cytoscape's first render: {ms:.0f} ms"
        f" (median of 5; {nodes} nodes, {edges:,} edges drawn)"
    )
    server.terminate()


if __name__ == "__main__":
    main()
