"""Who is told that an incident was handed to their unit (issue 13 intake,
Purpose.INCIDENT_HANDED): the taking unit's accounts in-app and its 24-hour duty phone by
SMS. Not chased: the unit takes the case over, it does not answer a roll call; the
centre still sees the hand-over on the incident page."""

from django.db import migrations

RULES = [
    ("incident_handed", "org_users", ["in_app"]),
    ("incident_handed", "org_duty_phone", ["sms"]),
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
        RecipientRule.objects.filter(purpose=purpose, audience=audience, organisation=None).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0005_command_hq_purposes")]

    operations = [migrations.RunPython(seed, unseed)]
