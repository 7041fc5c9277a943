"""After the check-digit fix (GB 11643), report stored ID numbers that are now refused.

Only reports: rows stay as they are and can still be read; the validator applies to the
next write. ``manage.py check_id_numbers`` lists the same rows at any time."""

from django.db import migrations


def report(apps, schema_editor):
    from forces.id_number_audit import invalid_id_numbers

    found = invalid_id_numbers(
        apps.get_model("forces", "Personnel"), apps.get_model("forces", "Expert")
    )
    if not found:
        return
    print(f"\n  {len(found)} stored ID number(s) fail GB 11643 (see manage.py check_id_numbers):")
    for row in found:
        print(f"    {row.line()}")


class Migration(migrations.Migration):
    dependencies = [
        ("forces", "0002_personal_phone_validators"),
    ]

    operations = [
        migrations.RunPython(report, migrations.RunPython.noop, elidable=True),
    ]
