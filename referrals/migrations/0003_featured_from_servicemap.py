"""FeaturedService and FeaturedPathway move from the servicemap app (now part of referrals) with their rows.

The migration state gains the two models exactly as servicemap's 0001_initial defined them; the database keeps
its tables and rows:

- on a database that ran servicemap's migrations, servicemap_featuredservice and servicemap_featuredpathway are
  renamed to referrals_featuredservice and referrals_featuredpathway (rows, ids, constraints kept), and their
  content types move to referrals (so permissions and admin history follow);
- on a new database the two tables are created.

The 'servicemap' rows left in django_migrations are harmless: Django ignores recorded migrations of apps that are
not installed (migrate, showmigrations and makemigrations --check all pass with them). Backwards, the tables go
back to their servicemap names when servicemap's 0001_initial is recorded as applied, and are dropped otherwise.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder

MODELS = ("FeaturedService", "FeaturedPathway")


def _servicemap_was_migrated(schema_editor) -> bool:
    recorder = MigrationRecorder(schema_editor.connection)
    return recorder.has_table() and recorder.migration_qs.filter(app="servicemap", name="0001_initial").exists()


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for name in MODELS:
        model_name = name.lower()
        if not content_types.filter(app_label=target, model=model_name).exists():
            content_types.filter(app_label=source, model=model_name).update(app_label=target)


def adopt_servicemap_tables(apps, schema_editor):
    tables = set(schema_editor.connection.introspection.table_names())
    for name in MODELS:
        model = apps.get_model("referrals", name)
        old_table = f"servicemap_{model._meta.model_name}"
        if old_table in tables:
            schema_editor.alter_db_table(model, old_table, model._meta.db_table)
        else:
            schema_editor.create_model(model)
    _move_content_types(apps, schema_editor, source="servicemap", target="referrals")


def return_servicemap_tables(apps, schema_editor):
    give_back = _servicemap_was_migrated(schema_editor)
    for name in reversed(MODELS):
        model = apps.get_model("referrals", name)
        if give_back:
            schema_editor.alter_db_table(model, model._meta.db_table, f"servicemap_{model._meta.model_name}")
        else:
            schema_editor.delete_model(model)
    if give_back:
        _move_content_types(apps, schema_editor, source="referrals", target="servicemap")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('events', '0001_initial'),
        ('referrals', '0002_seed_vocabulary'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FeaturedPathway',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='featured_pathways', to='events.event')),
                        ('pathway', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='featured_in', to='referrals.pathway')),
                    ],
                    options={
                        'ordering': ['event', 'pathway__target_service__name'],
                        'constraints': [models.UniqueConstraint(fields=('event', 'pathway'), name='featured_pathway_once')],
                    },
                ),
                migrations.CreateModel(
                    name='FeaturedService',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='featured_services', to='events.event')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='featured_in', to='referrals.service')),
                    ],
                    options={
                        'ordering': ['event', 'service__name'],
                        'constraints': [models.UniqueConstraint(fields=('event', 'service'), name='featured_service_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_servicemap_tables, return_servicemap_tables),
    ]
