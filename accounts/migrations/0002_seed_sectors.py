from django.db import migrations

SECTORS = [
    ("Medical", "medical", 10),
    ("Education and care", "education-and-care", 20),
    ("Community services", "community-services", 30),
    ("Other", "other", 90),
]


def add_sectors(apps, schema_editor):
    Sector = apps.get_model("accounts", "Sector")
    for name, slug, ordering in SECTORS:
        Sector.objects.get_or_create(slug=slug, defaults={"name": name, "ordering": ordering})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_sectors, migrations.RunPython.noop)]
