"""Who hears of a reserves alert (issue 14: low stock, near expiry): the warehouse's keeper
by SMS, the owner organisation's accounts and the bureau's duty officers in-app. Purpose
support_alert is shared with welfare, whose own migration adds its audiences."""

from django.db import migrations

RULES = [
    ("support_alert", "keeper", ["sms"]),
    ("support_alert", "org_users", ["in_app"]),
    ("support_alert", "duty_officers", ["in_app"]),
]


def seed(apps, schema_editor):
    RecipientRule = apps.get_model("notify", "RecipientRule")
    for purpose, audience, channels in RULES:
        RecipientRule.objects.get_or_create(
            purpose=purpose, audience=audience, organisation=None, defaults={"channels": channels}
        )


def unseed(apps, schema_editor):
    RecipientRule = apps.get_model("notify", "RecipientRule")
    for purpose, audience, _channels in RULES:
        RecipientRule.objects.filter(
            purpose=purpose, audience=audience, organisation__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0009_support_purposes")]

    operations = [migrations.RunPython(seed, unseed)]
