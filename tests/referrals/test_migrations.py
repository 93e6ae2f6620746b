"""The featured services and pathways move from the servicemap app into referrals with their rows.

Django-test-migrations style, with MigrationExecutor directly: put the database back where a site running the
servicemap app had it (referrals at 0002, servicemap's 0001_initial applied, featured rows in its tables), then
migrate forward and find the rows again.
"""

import django.db.models.deletion
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from referrals.models import FeaturedPathway, FeaturedService
from tests.events.factories import EventFactory
from tests.referrals.factories import PathwayFactory, ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = ("referrals", "0002_seed_vocabulary")
MOVE = ("referrals", "0003_featured_from_servicemap")


class ServicemapInitial(migrations.Migration):
    """servicemap/migrations/0001_initial.py as it was when the app was removed (copied verbatim)."""

    initial = True
    dependencies = [("events", "0001_initial"), ("referrals", "0002_seed_vocabulary")]
    operations = [
        migrations.CreateModel(
            name="FeaturedPathway",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="featured_pathways", to="events.event"
                    ),
                ),
                (
                    "pathway",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="featured_in", to="referrals.pathway"
                    ),
                ),
            ],
            options={
                "ordering": ["event", "pathway__target_service__name"],
                "constraints": [models.UniqueConstraint(fields=("event", "pathway"), name="featured_pathway_once")],
            },
        ),
        migrations.CreateModel(
            name="FeaturedService",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="featured_services", to="events.event"
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="featured_in", to="referrals.service"
                    ),
                ),
            ],
            options={
                "ordering": ["event", "service__name"],
                "constraints": [models.UniqueConstraint(fields=("event", "service"), name="featured_service_once")],
            },
        ),
    ]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.fixture
def servicemap_site():
    """The database of a site that still ran servicemap: its tables and rows, its migration recorded."""
    executor = _migrate([BEFORE])
    assert "referrals_featuredservice" not in _tables()
    state = executor._create_project_state(with_applied_migrations=True)  # what the database now has
    with connection.schema_editor() as editor:
        state = ServicemapInitial("0001_initial", "servicemap").apply(state, editor)
    MigrationRecorder(connection).record_applied("servicemap", "0001_initial")
    featured = ContentType.objects.filter(app_label="referrals", model__in=["featuredservice", "featuredpathway"])
    featured.update(app_label="servicemap")  # the content types were servicemap's
    ContentType.objects.clear_cache()
    yield state.apps
    ContentType.objects.clear_cache()
    _migrate(_latest())  # whatever happened, leave the database fully migrated
    MigrationRecorder(connection).migration_qs.filter(app="servicemap").delete()


@pytest.fixture
def rows():
    """A session, a service and a pathway, made with today's models before the database goes back in time
    (later migrations add columns that the old state does not have)."""
    service = ServiceFactory()
    return EventFactory(), service, PathwayFactory(directory=service.directory)


def test_migrating_forward_keeps_the_featured_services_and_pathways_of_a_servicemap_database(rows, servicemap_site):
    event, service, pathway = rows
    old_service = servicemap_site.get_model("servicemap", "FeaturedService")
    old_pathway = servicemap_site.get_model("servicemap", "FeaturedPathway")
    featured_service = old_service.objects.create(event_id=event.pk, service_id=service.pk)
    featured_pathway = old_pathway.objects.create(event_id=event.pk, pathway_id=pathway.pk)
    content_type_id = ContentType.objects.get(app_label="servicemap", model="featuredservice").pk

    _migrate(_latest())

    assert {"servicemap_featuredservice", "servicemap_featuredpathway"}.isdisjoint(_tables())
    moved = FeaturedService.objects.get()
    assert (moved.pk, moved.event, moved.service) == (featured_service.pk, event, service)
    assert moved.created_at == featured_service.created_at
    moved_pathway = FeaturedPathway.objects.get()
    assert (moved_pathway.pk, moved_pathway.event, moved_pathway.pathway) == (featured_pathway.pk, event, pathway)
    assert list(event.featured_services.all()) == [moved]
    # Permissions and admin history follow the content type; the servicemap rows stay in django_migrations, harmless.
    assert ContentType.objects.get(app_label="referrals", model="featuredservice").pk == content_type_id
    assert MigrationRecorder(connection).migration_qs.filter(app="servicemap").exists()
    # New rows still get fresh ids after the renamed tables' sequences.
    again = FeaturedService.objects.create(event=EventFactory(), service=service)
    assert again.pk > featured_service.pk


def test_migrating_back_gives_the_tables_back_to_servicemap(servicemap_site):
    _migrate(_latest())
    event, service = EventFactory(), ServiceFactory()
    featured = FeaturedService.objects.create(event=event, service=service)

    _migrate([BEFORE])

    assert {"servicemap_featuredservice", "servicemap_featuredpathway"} <= _tables()
    assert "referrals_featuredservice" not in _tables()
    rows = servicemap_site.get_model("servicemap", "FeaturedService").objects.values_list("pk", "service_id")
    assert list(rows) == [(featured.pk, service.pk)]


def test_a_new_database_gets_the_tables_without_servicemap():
    assert MOVE in MigrationRecorder(connection).applied_migrations()
    assert {"referrals_featuredservice", "referrals_featuredpathway"} <= _tables()
    assert "servicemap_featuredservice" not in _tables()
