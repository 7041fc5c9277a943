"""Forces' and experts' external ids: drop the column-wide UNIQUE and widen to 100
characters, still nullable, so 0005 can turn NULL into "" and 0006 add the constraint
that is unique only where not empty."""

from django.db import migrations, models


def _field():
    return models.CharField(blank=True, max_length=100, null=True, verbose_name="external id")


class Migration(migrations.Migration):
    dependencies = [("forces", "0003_report_invalid_id_numbers")]

    operations = [
        migrations.AlterField(model_name=name, name="external_id", field=_field())
        for name in ("force", "historicalforce", "expert", "historicalexpert")
    ]
