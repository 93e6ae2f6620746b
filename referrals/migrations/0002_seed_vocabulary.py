from django.db import migrations


def add_vocabulary(apps, schema_editor):
    from referrals.vocabulary import sync_vocabulary

    sync_vocabulary(apps.get_model("referrals", "Taxonomy"), apps.get_model("referrals", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(add_vocabulary, migrations.RunPython.noop)]
