"""Who is told that an order is stood down (issue 13: an incident closed with its forces
still out): the force's accounts in-app, its 24-hour duty phone and its leader by SMS,
once. No escalation steps: a stand-down is told, not chased."""

from django.db import migrations

RULES = [
    ("order_ended", "force_account", ["in_app"]),
    ("order_ended", "force_duty_phone", ["sms"]),
    ("order_ended", "force_leader", ["sms"]),
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
    dependencies = [("notify", "0006_order_ended_purpose")]

    operations = [migrations.RunPython(seed, unseed)]
