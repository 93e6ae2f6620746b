"""Services verified here showed the coordinator's own e-mail as `assurer_email` (public pages and HSDS):
replace it with the partnership's contact address. Who verified stays in `assured_by`."""

from django.db import migrations


def forwards(apps, schema_editor):
    Service = apps.get_model("referrals", "Service")
    for service in Service.objects.filter(assured_by__isnull=False).select_related("directory__partnership"):
        service.assurer_email = service.directory.partnership.contact_email
        service.save(update_fields=["assurer_email"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_hsds_import_jobs")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
