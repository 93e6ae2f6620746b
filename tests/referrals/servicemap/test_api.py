import pytest
from django.test import Client

from referrals.models import FeaturedService
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def test_graph_is_public_for_a_public_directory_and_filters(client, network):
    body = client.get("/api/servicemap/ballarat/graph").json()
    assert set(body) == {
        "directory", "filters", "nodes", "edges", "total_services", "shown_services", "total_edges",
        "limit", "edge_limit", "more_limit",
    }  # fmt: skip
    assert (body["limit"], body["edge_limit"], body["more_limit"]) == (150, 800, None)
    assert len(body["edges"]) == 5
    filtered = client.get("/api/servicemap/ballarat/graph?need=speech-language&role=mch-nurse").json()
    assert [e["label"] for e in filtered["edges"]] == ["Maternal and child health nurse → Access"]
    assert filtered["filters"]["need"] == "speech-language"


def test_graph_highlight_and_bad_values_answer_400(client, network):
    pk = network["gp_access"].pk
    body = client.get(f"/api/servicemap/ballarat/graph?highlight={pk}").json()
    assert [e["id"] for e in body["edges"] if e["highlighted"]] == [str(pk)]
    assert client.get("/api/servicemap/ballarat/graph?highlight=nope").status_code == 400
    assert client.get("/api/servicemap/ballarat/graph?need=astrology").json()["detail"]


def test_graph_of_a_private_directory_is_404_to_others(client, network, coordinator, token_for, practitioner):
    network["directory"].is_public = False
    network["directory"].save()
    assert client.get("/api/servicemap/ballarat/graph").status_code == 404
    assert client.get("/api/servicemap/ballarat/graph", headers=token_for(practitioner)).status_code == 404
    assert client.get("/api/servicemap/ballarat/graph", headers=token_for(coordinator)).status_code == 200


def test_graph_level_of_detail_and_place(client, network):
    body = client.get("/api/servicemap/ballarat/graph?limit=2").json()
    assert (body["total_services"], body["shown_services"], body["more_limit"]) == (4, 2, 4)
    # Paeds' catchment is 3350: from Sebastopol (3356) it drops out, with the pathways to it.
    far = client.get("/api/servicemap/ballarat/graph?place=3356").json()
    assert "Paeds" not in {n["label"] for n in far["nodes"]} and far["filters"]["place"] == "3356"
    near = client.get("/api/servicemap/ballarat/graph?place=3350").json()
    assert "Paeds" in {n["label"] for n in near["nodes"]}
    assert client.get("/api/servicemap/ballarat/graph?limit=0").status_code == 422


def test_graph_export_streams_every_node_and_edge_as_json_lines(client, network, monkeypatch):
    import json

    from referrals import graph

    monkeypatch.setattr(graph, "EXPORT_CHUNK", 2)  # several chunks on the small network
    answer = client.get("/api/servicemap/ballarat/graph/export")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/x-ndjson")
    assert answer.streaming
    lines = [json.loads(line) for line in b"".join(answer.streaming_content).decode().splitlines()]
    assert lines[0]["type"] == "directory" and lines[0]["services"] == 4 and lines[0]["pathways"] == 5
    nodes = [line for line in lines if line["type"] == "node"]
    edges = [line for line in lines if line["type"] == "edge"]
    assert {n["label"] for n in nodes if n["kind"] == "service"} == {"Access", "Speech", "Paeds", "Orphan"}
    assert len(edges) == 5 and len({e["id"] for e in edges}) == 5
    assert "Maternal and child health nurse → Access" in {e["label"] for e in edges}
    access = next(n for n in nodes if n["label"] == "Access")
    assert (access["inbound"], access["outbound"]) == (2, 2)
    network["directory"].is_public = False
    network["directory"].save()
    assert client.get("/api/servicemap/ballarat/graph/export").status_code == 404


def test_insights_for_the_partnerships_coordinators_only(client, network, coordinator, other_coordinator, token_for):
    first = client.get("/api/servicemap/ballarat/insights", headers=token_for(coordinator))
    # Nothing stored yet: asking computes them (Celery eager in tests); a worker would answer 202 first.
    body = first.json()
    assert body["computed_at"] and body["recomputing"] is False
    assert [g["service"] for g in body["gatekeepers"]] == ["Access"]
    assert [o["service"] for o in body["orphans"]] == ["Orphan"]
    assert len(body["overdue"]) == 2
    assert client.get("/api/servicemap/ballarat/insights", headers=token_for(other_coordinator)).status_code == 404
    assert client.get("/api/servicemap/ballarat/insights").status_code == 401


def test_featured_put_and_get(client, network, partnership, coordinator, other_coordinator, token_for):
    event = EventFactory(partnership=partnership)
    url = f"/api/servicemap/events/{event.pk}/featured"
    payload = {"service_ids": [str(network["access"].pk)], "pathway_ids": [str(network["gp_access"].pk)]}
    answer = client.put(url, payload, content_type="application/json", headers=token_for(coordinator))
    assert answer.status_code == 200
    assert [s["service"] for s in answer.json()["services"]] == ["Access"]
    assert client.get(url, headers=token_for(coordinator)).json() == answer.json()
    refused = client.put(url, payload, content_type="application/json", headers=token_for(other_coordinator))
    assert refused.status_code == 404
    unknown = client.put(
        url,
        {"service_ids": [str(event.partnership_id).zfill(8) + "-0000-4000-8000-000000000000"]},
        content_type="application/json",
        headers=token_for(coordinator),
    )
    assert unknown.status_code == 400 and "service_ids" in str(unknown.json())
    assert FeaturedService.objects.filter(event=event).count() == 1


def test_digest_api(client, network, partnership, coordinator, token_for):
    event = EventFactory(partnership=partnership)
    body = client.get(f"/api/servicemap/events/{event.pk}/digest", headers=token_for(coordinator)).json()
    assert body["previous_event_id"] is None
    assert {r["pathway_id"] for r in body["revisions"]} <= {str(p.pk) for p in network["directory"].pathways.all()}


def test_the_endpoints_are_in_the_openapi_docs(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/servicemap/{slug}/graph",
        "/api/servicemap/{slug}/graph/export",
        "/api/servicemap/{slug}/insights",
        "/api/servicemap/events/{event_id}/featured",
        "/api/servicemap/events/{event_id}/digest",
    ):
        assert path in paths


def test_graph_answer_is_the_schema_with_each_pathways_needs_and_highlighted_first_within_edge_limit(client, network):
    from referrals.map_schemas import GraphOut

    body = client.get("/api/servicemap/ballarat/graph").json()
    assert GraphOut.model_validate(body).model_dump(mode="json") == body  # sent unvalidated: nothing missing or extra
    needs = {e["id"]: e["needs"] for e in body["edges"]}
    assert needs[str(network["gp_access"].pk)] == ["Development"]
    assert all(needs.values())
    # edge_limit keeps the highlighted pathway, then the others in id order.
    pk = network["mch_access"].pk
    first = sorted(e["id"] for e in body["edges"] if e["id"] != str(pk))[0]
    limited = client.get(f"/api/servicemap/ballarat/graph?edge_limit=2&highlight={pk}").json()
    assert {e["id"] for e in limited["edges"]} == {str(pk), first}
    assert limited["total_edges"] == 5


def test_insights_api_is_the_stored_json_with_when_it_was_computed(client, network, coordinator, token_for):
    from referrals.models import NetworkInsights

    body = client.get("/api/servicemap/ballarat/insights", headers=token_for(coordinator)).json()
    stored = NetworkInsights.objects.get(directory=network["directory"])
    assert {k: v for k, v in body.items() if k not in ("computed_at", "recomputing")} == stored.data
    assert body["computed_at"] == stored.computed_at.isoformat() and body["recomputing"] is False
