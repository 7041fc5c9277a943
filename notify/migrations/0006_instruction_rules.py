"""Who a response instruction (指令, Tieling §三.二.4) reaches and how its chase escalates,
by default: every deployment has these rows. Administrators change them per department.

At activation the department's duty phone gets an SMS (reply code, one-time link) and its
accounts an in-app message; no acknowledgement after 10 minutes → SMS again, 20 → a voice
call to the duty phone (a key press acknowledges), 30 → the department's seated person
(its leader in the HQ) by SMS and call, and the bureau's duty officers of the response's
jurisdiction in-app, who then chase or sign on its behalf (值班员代签)."""

from django.db import migrations

RULES = [
    ("instruction", "org_duty_phone", ["sms"]),
    ("instruction", "org_users", ["in_app"]),
    ("instruction", "org_leader", ["sms"]),
]

STEPS = [
    ("instruction", 10, "org_duty_phone", "sms"),
    ("instruction", 20, "org_duty_phone", "voice"),
    ("instruction", 30, "org_leader", "sms"),
    ("instruction", 30, "org_leader", "voice"),
    ("instruction", 30, "duty_officers", "in_app"),
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
    dependencies = [("notify", "0005_command_hq_purposes")]

    operations = [migrations.RunPython(seed, unseed)]
