import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import graph as map_graph
from referrals import insights, vocabulary
from tests.referrals.factories import PathwayFactory, ServiceFactory, need, role, term

pytestmark = pytest.mark.django_db


def _ids(items):
    return {item["id"] for item in items}


def _labels(graph, kind=None):
    return {n["label"] for n in graph["nodes"] if kind is None or n["kind"] == kind}


def test_graph_has_every_listed_service_the_roles_pathways_start_from_and_every_pathway(network):
    graph = map_graph.graph_build(directory=network["directory"])
    assert _labels(graph, "service") == {"Access", "Speech", "Paeds", "Orphan"}
    assert _labels(graph, "role") == {"General practitioner (GP)", "Maternal and child health nurse"}
    assert len(graph["edges"]) == 5
    access = next(n for n in graph["nodes"] if n["label"] == "Access")
    assert (access["is_acco"], access["sector"], access["inbound"], access["outbound"]) == (
        True,
        "community-services",
        2,
        2,
    )
    urgent = next(e for e in graph["edges"] if e["id"] == str(network["mch_access"].pk))
    assert (urgent["urgency"], urgent["method"], urgent["label"]) == (
        "urgent",
        "phone",
        "Maternal and child health nurse → Access",
    )
    assert next(n for n in graph["nodes"] if n["label"] == "Orphan")["verification"] == "overdue"


def test_graph_filters_by_need_sector_age_and_role(network):
    speech = map_graph.graph_build(
        directory=network["directory"], filters=map_graph.GraphFilters(need=need("speech-language"))
    )
    assert _labels(speech, "service") == {"Access", "Speech"}
    assert _ids(speech["edges"]) == {str(network["mch_access"].pk), str(network["access_speech"].pk)}

    health = map_graph.graph_build(
        directory=network["directory"], filters=map_graph.GraphFilters(sector=term(vocabulary.SECTORS, "health"))
    )
    assert _labels(health, "service") == {"Speech", "Paeds"}
    assert _ids(health["edges"]) == {str(network["gp_paeds"].pk)}

    eight = map_graph.graph_build(directory=network["directory"], filters=map_graph.GraphFilters(age_months=100))
    assert _labels(eight, "service") == {"Paeds", "Orphan"}
    assert _ids(eight["edges"]) == {str(network["gp_paeds"].pk)}

    gp = map_graph.graph_build(directory=network["directory"], filters=map_graph.GraphFilters(role=role("gp")))
    assert _labels(gp) == {"Access", "Paeds", "General practitioner (GP)"}
    assert _ids(gp["edges"]) == {str(network["gp_access"].pk), str(network["gp_paeds"].pk)}


def test_graph_highlights_the_pathways_asked_for_and_their_ends(network):
    graph = map_graph.graph_build(
        directory=network["directory"], filters=map_graph.GraphFilters(highlight={network["access_speech"].pk})
    )
    assert [e["id"] for e in graph["edges"] if e["highlighted"]] == [str(network["access_speech"].pk)]
    assert {n["label"] for n in graph["nodes"] if n["highlighted"]} == {"Access", "Speech"}


def test_graph_limit_keeps_the_best_connected_services(network):
    graph = map_graph.graph_build(directory=network["directory"], limit=2)
    assert (graph["total_services"], graph["shown_services"]) == (4, 2)
    assert _labels(graph, "service") == {"Access", "Paeds"}  # degree 4 and 3


def test_graph_and_insights_cost_the_same_queries_whatever_the_size(network):
    directory = network["directory"]

    def count(fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx)

    before = (
        count(lambda: map_graph.graph_build(directory=directory)),
        count(lambda: insights.network_insights(directory=directory)),
    )
    for i in range(8):
        target = ServiceFactory(directory=directory, needs=["parenting"], postcodes=[f"33{60 + i}"])
        PathwayFactory(directory=directory, target_service=target, needs=["parenting", "behaviour"])
        PathwayFactory(
            directory=directory,
            source_role=None,
            source_service=network["speech"],
            target_service=target,
            alternatives=[network["paeds"]],
        )
    after = (
        count(lambda: map_graph.graph_build(directory=directory)),
        count(lambda: insights.network_insights(directory=directory)),
    )
    assert before == after


def test_insights_on_the_hand_built_network(network):
    found = insights.network_insights(directory=network["directory"])
    # Every route from a role to Speech or Paeds by way of Access passes through Access.
    assert [g["service"] for g in found.gatekeepers] == ["Access"]
    assert [o["service"] for o in found.orphans] == ["Orphan"]
    # The nurse's only speech pathway, and Access's only speech pathway, have no alternative; the GP
    # has two development pathways, and Access → Paeds names Speech as the alternative.
    assert {(d["pathway"], d["need"]) for d in found.dead_ends} == {
        ("Maternal and child health nurse → Access", "Speech and language"),
        ("Access → Speech", "Speech and language"),
    }
    # Postcodes: 3350 (Paeds' catchment). Speech: Access (0–59 months) and Speech (0–72): no adolescent.
    # Development: Paeds covers 3350 at every age. The 13 other needs have no service at all.
    speech_gaps = [(g["postcode"], g["age_group_code"]) for g in found.gaps if g["need_code"] == "speech-language"]
    assert speech_gaps == [("3350", "adolescents")]
    assert not [g for g in found.gaps if g["need_code"] == "development"]
    assert len(found.gaps) == 13 * 5 + 1
    assert [(o["kind"], o["service"]) for o in found.overdue] == [
        ("service", "Orphan"),
        ("pathway", "Maternal and child health nurse → Access"),
    ]
