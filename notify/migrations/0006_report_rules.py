"""Who is reminded of a report due (issue 13, 30-minute reporting): the duty officers of
the incident's jurisdiction, in-app and by SMS, 10 minutes before the deadline and again
when the report is late (迟报). No escalation steps: the late reminder is its own
notification, sent by the report tick."""

from django.db import migrations

RULES = [("report_due", "duty_officers", ["in_app", "sms"])]


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
    dependencies = [("notify", "0005_command_hq_purposes")]

    operations = [migrations.RunPython(seed, unseed)]
