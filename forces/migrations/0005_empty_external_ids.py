"""Data: a missing external id is "" (not NULL), like every other optional text."""

from django.db import migrations


def forwards(apps, schema_editor):
    for name in ("Force", "HistoricalForce", "Expert", "HistoricalExpert"):
        apps.get_model("forces", name).objects.filter(external_id__isnull=True).update(
            external_id=""
        )


class Migration(migrations.Migration):
    dependencies = [("forces", "0004_external_id_nullable")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
