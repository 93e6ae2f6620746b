"""The "where can I refer?" index (referrals/where_index.py) stays right as pathways, services, catchments,
needs and need relations change; a rebuild (the command, the migration) gives the same rows."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from referrals import places, selectors, services
from referrals.models import Pathway, Service, ServiceArea, WhereIndexEntry
from referrals.where_index import where_index_deferred, where_index_rebuild
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory, need, role

pytestmark = pytest.mark.django_db

COLUMNS = [f.attname for f in WhereIndexEntry._meta.concrete_fields if f.attname != "id"]


def snapshot() -> list[tuple]:
    """Every row of the index, comparable (JSON lists as tuples)."""
    rows = WhereIndexEntry.objects.order_by("pathway_id", "need_id").values_list(*COLUMNS)
    return [tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in rows]


def rebuilt() -> list[tuple]:
    """What a rebuild from scratch writes (the maintained rows must be the same)."""
    maintained = snapshot()
    where_index_rebuild()
    fresh = snapshot()
    assert fresh == maintained
    return fresh


def entries(pathway) -> dict:
    return {e.need.code: e for e in WhereIndexEntry.objects.filter(pathway=pathway).select_related("need")}


def ask(directory, *, need_code="speech-language", place="3350", age=24, **options):
    query = selectors.WhereQuery(
        directory=directory,
        need=need(need_code),
        role=role("mch-nurse"),
        age_months=age,
        place=places.resolve_place(place),
        **options,
    )
    return selectors.where_can_i_refer(query)


def eligible(directory, **kwargs) -> list[str]:
    return sorted(o.service.name for o in ask(directory, **kwargs).eligible)


def test_a_pathway_has_one_row_per_need_with_its_columns(directory):
    service = ServiceFactory(
        directory=directory, name="Speech", minimum_age_months=0, maximum_age_months=72, is_acco=True, lgas=["Hepburn"]
    )
    pathway = PathwayFactory(
        directory=directory,
        target_service=service,
        needs=["speech-language", "development"],
        referrer_roles=["gp"],
        max_age_months=60,
        urgent_target_days=7,
    )
    rows = entries(pathway)
    assert set(rows) == {"speech-language", "development"}
    row = rows["speech-language"]
    assert (row.directory_id, row.target_service_id, row.target_name) == (directory.pk, service.pk, "Speech")
    assert sorted(row.referrers) == sorted([str(role("mch-nurse").pk), str(role("gp").pk)])
    assert (row.low_age, row.high_age) == (0, 60)  # the pathway's maximum, the service's minimum
    assert row.catchment == ["l:Hepburn"] and row.has_catchment
    assert (row.target_status, row.target_capacity, row.target_is_acco) == ("active", "taking", True)
    assert (row.urgent_target_days, row.typical_wait_days, row.need_count) == (7, 30, 2)
    rebuilt()


def test_the_rows_follow_the_pathway(directory):
    service = ServiceFactory(directory=directory, name="Speech")
    pathway = PathwayFactory(directory=directory, target_service=service)
    assert eligible(directory) == ["Speech"]

    services.pathway_update(pathway=pathway, min_age_months=36)
    assert entries(pathway)["speech-language"].low_age == 36
    assert eligible(directory) == []
    services.pathway_update(pathway=pathway, min_age_months=None, catchment_lgas=[places.HEPBURN])
    assert entries(pathway)["speech-language"].catchment == [f"l:{places.HEPBURN}"]
    assert eligible(directory) == [] and eligible(directory, place="3460") == ["Speech"]  # Daylesford: Hepburn

    services.pathway_update(pathway=pathway, needs=[need("development")])
    assert set(entries(pathway)) == {"development"}
    assert eligible(directory, place="3460") == []
    pathway.needs.add(need("speech-language"))  # the ORM's way (admin, shell): signals keep it right
    assert set(entries(pathway)) == {"development", "speech-language"}
    assert entries(pathway)["development"].need_count == 2
    rebuilt()

    pathway.source_role = role("gp")  # no longer the nurse's pathway …
    pathway.save()
    assert eligible(directory, place="3460") == []
    pathway.referrer_roles.add(role("mch-nurse"))  # … until the nurse is one of its other referrer roles
    assert eligible(directory, place="3460") == ["Speech"]
    rebuilt()

    pathway.is_active = False
    pathway.save()
    assert entries(pathway) == {}
    assert ask(directory, place="3460").empty
    pathway.is_active = True
    pathway.save()
    pathway.delete()
    assert WhereIndexEntry.objects.count() == 0


def test_the_rows_follow_a_need_from_the_terms_side(directory):
    pathway = PathwayFactory(directory=directory, needs=["development"])
    need("speech-language").pathways.add(pathway)
    assert set(entries(pathway)) == {"development", "speech-language"}
    need("speech-language").pathways.remove(pathway)
    assert set(entries(pathway)) == {"development"}
    need("development").pathways.clear()
    assert entries(pathway) == {}
    rebuilt()


def test_the_rows_follow_the_target_service(directory):
    service = ServiceFactory(directory=directory, name="Speech")
    pathway = PathwayFactory(directory=directory, target_service=service)

    services.service_update(service=service, capacity_status=Service.Capacity.CLOSED)
    assert entries(pathway)["speech-language"].target_capacity == "closed"
    result = ask(directory)
    assert result.eligible == [] and [o.service.name for o in result.not_eligible] == ["Speech"]

    service.capacity_status, service.name, service.maximum_age_months = Service.Capacity.TAKING, "Speech Clinic", 12
    service.save()
    row = entries(pathway)["speech-language"]
    assert (row.target_capacity, row.target_name, row.high_age) == ("taking", "Speech Clinic", 12)
    assert eligible(directory) == [] and eligible(directory, age=6) == ["Speech Clinic"]

    service.status = Service.Status.TEMPORARILY_CLOSED  # listed: shown as not fitting now
    service.save()
    assert ask(directory, age=6).not_eligible[0].reasons == ["The service is temporarily closed."]
    service.status = Service.Status.INACTIVE  # not listed: gone from the index
    service.save()
    assert entries(pathway) == {}
    service.status = Service.Status.ACTIVE
    service.save()
    assert set(entries(pathway)) == {"speech-language"}
    rebuilt()

    service.delete()  # its pathways, catchment and rows go with it
    assert WhereIndexEntry.objects.count() == 0 and not Pathway.objects.exists()
    connection.check_constraints()


def test_the_rows_follow_the_catchment(directory):
    service = ServiceFactory(directory=directory, name="Speech")
    pathway = PathwayFactory(directory=directory, target_service=service)
    assert eligible(directory, place="3460") == ["Speech"]  # no catchment: anywhere

    services.service_update(service=service, catchment_lgas=[places.BALLARAT])
    assert entries(pathway)["speech-language"].catchment == [f"l:{places.BALLARAT}"]
    assert eligible(directory, place="3460") == [] and eligible(directory, place="3350") == ["Speech"]

    area = ServiceArea.objects.create(
        directory=directory, service=service, name="Postcode 3460", area_type="postcode", code="3460"
    )
    assert eligible(directory, place="3460") == ["Speech"]
    area.delete()
    assert eligible(directory, place="3460") == []
    service.service_areas.all().delete()  # a queryset's delete sends each row's post_delete too
    assert entries(pathway)["speech-language"].has_catchment is False
    assert eligible(directory, place="3460") == ["Speech"]

    # The pathway's own catchment wins over the service's.
    ServiceArea.objects.create(directory=directory, service=service, name="3356", area_type="postcode", code="3356")
    pathway.catchment_postcodes = ["3460"]
    pathway.save()
    assert entries(pathway)["speech-language"].catchment == ["p:3460"]
    assert eligible(directory, place="3460") == ["Speech"] and eligible(directory, place="3356") == []
    rebuilt()


def test_a_need_relation_change_shows_in_the_next_answer(directory):
    ServiceFactory(directory=directory)
    PathwayFactory(
        directory=directory, target_service=ServiceFactory(directory=directory, name="FV"), needs=["family-violence"]
    )
    assert eligible(directory, need_code="child-safety-wellbeing") == []
    relation = services.need_relation_add(
        directory=directory, need=need("family-violence"), related_need=need("child-safety-wellbeing")
    )
    assert eligible(directory, need_code="child-safety-wellbeing") == ["FV"]
    services.need_relation_remove(relation=relation)
    assert eligible(directory, need_code="child-safety-wellbeing") == []


def test_deferred_refreshes_are_written_once_at_the_end(directory):
    with where_index_deferred():
        pathway = PathwayFactory(directory=directory, needs=["speech-language", "development"])
        assert not WhereIndexEntry.objects.exists()
    assert set(entries(pathway)) == {"speech-language", "development"}


def test_the_command_rebuilds_a_directory_or_all(directory):
    pathway = PathwayFactory(directory=directory)
    other = PathwayFactory(directory=DirectoryFactory())
    before = snapshot()
    WhereIndexEntry.objects.all().delete()
    out = io.StringIO()
    call_command("where_index_rebuild", partnership=directory.partnership.slug, stdout=out)
    assert "Wrote 1 where-index rows." in out.getvalue()
    assert set(WhereIndexEntry.objects.values_list("pathway_id", flat=True)) == {pathway.pk}
    call_command("where_index_rebuild", stdout=io.StringIO())
    assert snapshot() == before and {e.pathway_id for e in WhereIndexEntry.objects.all()} == {pathway.pk, other.pk}


def test_the_demo_directory_is_indexed_as_a_rebuild_would(demo):
    assert WhereIndexEntry.objects.filter(directory=demo["directory"]).exists()
    rebuilt()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_forward_indexes_the_pathways_already_there():
    """0009 creates the table and fills it from the pathways and services in place."""
    service = ServiceFactory(name="Speech", postcodes=["3350"])
    pathway = PathwayFactory(directory=service.directory, target_service=service, needs=["speech-language", "housing"])
    retired = PathwayFactory(directory=service.directory, target_service=service, is_active=False)
    maintained = snapshot()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("referrals", "0008_network_insights")])
        assert "referrals_whereindexentry" not in connection.introspection.table_names()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert snapshot() == maintained
    assert set(entries(pathway)) == {"speech-language", "housing"} and entries(retired) == {}
    assert entries(pathway)["housing"].catchment == ["p:3350"]


def test_an_hsds_import_keeps_the_rows_right_and_a_dry_run_leaves_them(directory, client):
    service = services.service_create(
        directory=directory, name="Speech", catchment_postcodes=["3356"], catchment_lgas=[places.HEPBURN]
    )
    pathway = PathwayFactory(directory=directory, target_service=service)
    assert entries(pathway)["speech-language"].catchment == [f"l:{places.HEPBURN}", "p:3356"]
    exported = client.get(f"/api/hsds/services/{service.pk}").json()
    exported["service_areas"] = []  # the file says: no catchment now

    services.hsds_import_run(directory=directory, payload=exported, dry_run=True)
    assert entries(pathway)["speech-language"].catchment == [f"l:{places.HEPBURN}", "p:3356"]
    report = services.hsds_import_run(directory=directory, payload=exported)
    assert report["rejected"] == []
    assert entries(pathway)["speech-language"].has_catchment is False
    assert eligible(directory, place="3350") == ["Speech"]
    rebuilt()

    exported["status"] = "inactive"
    services.hsds_import_run(directory=directory, payload=exported)
    assert entries(pathway) == {} and ask(directory).empty


def test_only_the_best_second_steps_are_read_and_ties_read_them_all(directory):
    """Two-step routes come from the second steps read freshest and shortest first; with `limit` 2 the best two
    are the same as when every second step is judged, also when they all tie (then all of them are read)."""
    gp = ServiceFactory(directory=directory, name="GP clinic", practitioner_roles=["gp"])
    PathwayFactory(directory=directory, target_service=gp, typical_wait_days=5)
    for i, wait in enumerate([90, 10, 60, 30, 20, 80, 70, 40, 50, 100]):
        paediatrician = ServiceFactory(directory=directory, name=f"Paediatrician {i}")
        PathwayFactory(
            directory=directory, source_role=role("gp"), target_service=paediatrician, typical_wait_days=wait
        )
    query = selectors.WhereQuery(directory=directory, need=need("speech-language"), role=role("mch-nurse"))

    def shown(limit: int) -> list[tuple[str, int]]:
        return [(r.second.service.name, r.wait_days) for r in selectors.where_can_i_refer(query, limit=limit).two_step]

    assert shown(2) == [("Paediatrician 1", 15), ("Paediatrician 4", 25)]
    assert shown(2) == shown(20)[:2] and len(shown(20)) == 10
    Pathway.objects.filter(source_role=role("gp")).update(typical_wait_days=30)  # all tie: read them all
    where_index_rebuild()
    assert shown(2) == [("Paediatrician 0", 35), ("Paediatrician 1", 35)]
