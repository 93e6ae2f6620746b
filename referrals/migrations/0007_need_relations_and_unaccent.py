"""Default related needs for existing directories, and PostgreSQL's unaccent (accent-insensitive search).

On SQLite the extension step does nothing: referrals/apps.py registers an `unaccent` SQL function on
each connection instead.
"""

from django.db import migrations


def add_relations(apps, schema_editor):
    from referrals import vocabulary

    Directory = apps.get_model("referrals", "Directory")
    NeedRelation = apps.get_model("referrals", "NeedRelation")
    TaxonomyTerm = apps.get_model("referrals", "TaxonomyTerm")
    for directory in Directory.objects.all():
        vocabulary.add_default_need_relations(directory, NeedRelation, TaxonomyTerm)


def create_unaccent(apps, schema_editor):
    # Django's UnaccentExtension reads pg_extension when migrating back, which breaks on SQLite.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_where_safety_and_speed")]

    operations = [
        migrations.RunPython(create_unaccent, migrations.RunPython.noop),
        migrations.RunPython(add_relations, migrations.RunPython.noop),
    ]
