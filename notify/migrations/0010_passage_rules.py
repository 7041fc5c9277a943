"""Who a passage request (交通管制、应急通道, Liaocheng §四.2) reaches and how its chase
escalates, by default. Administrators change them per organisation.

The addressee's (traffic police, transport bureau) 24-hour duty phone gets an SMS with a
reply code and a one-time link, its accounts an in-app message; no acknowledgement after
10 minutes → SMS again, 20 → a voice call to the duty phone (a key press acknowledges),
30 → the bureau's duty officers of the request's jurisdiction in-app, who then phone the
addressee or record its answer on its behalf."""

from django.db import migrations

RULES = [
    ("passage_request", "org_duty_phone", ["sms"]),
    ("passage_request", "org_users", ["in_app"]),
]

STEPS = [
    ("passage_request", 10, "org_duty_phone", "sms"),
    ("passage_request", 20, "org_duty_phone", "voice"),
    ("passage_request", 30, "duty_officers", "in_app"),
]


def seed(apps, schema_editor):
    RecipientRule = apps.get_model("notify", "RecipientRule")
    EscalationStep = apps.get_model("notify", "EscalationStep")
    for purpose, audience, channels in RULES:
        RecipientRule.objects.get_or_create(
            purpose=purpose,
            audience=audience,
            organisation=None,
            defaults={"channels": channels},
        )
    for purpose, minutes, audience, channel in STEPS:
        EscalationStep.objects.get_or_create(
            purpose=purpose,
            after_minutes=minutes,
            audience=audience,
            channel=channel,
            organisation=None,
        )


def unseed(apps, schema_editor):
    RecipientRule = apps.get_model("notify", "RecipientRule")
    EscalationStep = apps.get_model("notify", "EscalationStep")
    for purpose, audience, _channels in RULES:
        RecipientRule.objects.filter(
            purpose=purpose, audience=audience, organisation__isnull=True
        ).delete()
    for purpose, minutes, audience, channel in STEPS:
        EscalationStep.objects.filter(
            purpose=purpose,
            after_minutes=minutes,
            audience=audience,
            channel=channel,
            organisation__isnull=True,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0009_support_purposes")]

    operations = [migrations.RunPython(seed, unseed)]
