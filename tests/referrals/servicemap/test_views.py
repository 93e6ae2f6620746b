import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.featured import featured_set
from referrals.models import FeaturedPathway, FeaturedService
from tests.events.factories import EventFactory
from tests.referrals.factories import PathwayFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_map_page_draws_the_graph_with_a_text_alternative(client, network):
    page = client.get("/directory/ballarat/map/?need=speech-language")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="img"' in html and "Network map of Ballarat directory: 2 services and 2 referral pathways" in html
    assert "vendor/cytoscape/cytoscape.min.js" in html and 'id="map-data"' in html
    assert "Maternal and child health nurse → Access" in html  # the table
    assert page.context["graph"]["filters"]["need"] == "speech-language"


def test_map_highlights_where_can_i_refer_routes_from_its_query_parameters(client, network):
    page = client.get("/directory/ballarat/map/?need=development&role=gp&age_years=2")
    highlighted = {e["id"] for e in page.context["graph"]["edges"] if e["highlighted"]}
    assert str(network["gp_access"].pk) in highlighted
    assert "highlighted" in page.content.decode()


def test_map_shows_more_on_request(client, network):
    page = client.get("/directory/ballarat/map/?limit=2&need=")
    assert page.context["graph"]["shown_services"] == 2
    html = page.content.decode()
    assert "Show more: the 4 best connected services" in html and "limit=4" in html
    assert "/api/servicemap/ballarat/graph/export" in html
    everything = client.get("/directory/ballarat/map/?limit=4")
    assert everything.context["graph"]["shown_services"] == 4 and "Show more" not in everything.content.decode()
    assert client.get("/directory/ballarat/map/?limit=lots").status_code == 200


def test_map_of_a_private_directory_is_404(client, network):
    network["directory"].is_public = False
    network["directory"].save()
    assert client.get("/directory/ballarat/map/").status_code == 404


def test_map_page_queries_do_not_grow_with_the_directory(client, network):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/directory/ballarat/map/")
        return len(ctx)

    before = count()
    for _ in range(5):
        PathwayFactory(directory=network["directory"], target_service=ServiceFactory(directory=network["directory"]))
    assert count() == before


def test_insights_page_and_csv(client, network, coordinator, other_coordinator):
    client.force_login(coordinator)
    page = client.get("/manage/ballarat/directory/insights/").content.decode()
    assert "Gatekeepers (1)" in page and "Overdue for verification (2)" in page and "Computed at" in page
    rows = list(csv.reader(io.StringIO(client.get("/manage/ballarat/directory/insights.csv").content.decode())))
    assert rows[0][0] == "insight" and rows[1][0] == "computed at"
    assert rows[2][:2] == ["gatekeeper", "Access"]
    assert any(r[0] == "overdue service" and r[1] == "Orphan" for r in rows)
    client.force_login(other_coordinator)
    assert client.get("/manage/ballarat/directory/insights/").status_code == 404


def test_coordinator_features_services_and_prints_cards(client, network, partnership, coordinator):
    event = EventFactory(partnership=partnership)
    client.force_login(coordinator)
    url = f"/manage/ballarat/events/{event.pk}/featured/"
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "services": [str(network["access"].pk), str(network["speech"].pk)],
            "pathways": [str(network["access_speech"].pk)],
        },
    )
    assert answer.status_code == 302
    assert FeaturedService.objects.filter(event=event).count() == 2
    assert FeaturedPathway.objects.filter(event=event).count() == 1
    cards = client.get(f"/manage/ballarat/events/{event.pk}/cards/").content.decode()
    assert cards.count('class="session-card"') == 1 and "<svg" in cards and "Access → Speech" in cards
    service_page = client.get(network["access"].get_absolute_url()).content.decode()
    assert "Sessions where it was presented" in service_page and event.title in service_page
    pathway_page = client.get(network["access_speech"].get_absolute_url()).content.decode()
    assert "Sessions where it was discussed" in pathway_page


def test_digest_page(client, network, partnership, coordinator):
    event = EventFactory(partnership=partnership)
    featured_set(event=event, services=[], pathways=[])
    client.force_login(coordinator)
    page = client.get(f"/manage/ballarat/events/{event.pk}/digest/").content.decode()
    assert "What changed since the last session" in page and "There is no earlier session" in page


def test_session_pages_are_404_for_another_partnership(client, network, other_partnership, coordinator):
    event = EventFactory(partnership=other_partnership)
    client.force_login(coordinator)
    for path in ("featured", "digest", "cards"):
        assert client.get(f"/manage/ballarat/events/{event.pk}/{path}/").status_code == 404
