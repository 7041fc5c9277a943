"""Who a warning reaches and how its chase escalates, by default (issue 12; DESIGN12
"Notifications"): every deployment has these rows. Administrators change them per
organisation. A cancellation is told through the same audiences and channels, once.

Duty officers asked to answer are reached as their bureau's accounts (org_users,
in-app); the duty_officers audience has no first-sending rule: it is the county's duty
officers a silent grid person is raised to at 15 minutes, and a rule here would send
them one message per grid the moment a warning is published."""

from django.db import migrations

WARNING_RULES = [
    ("grid_person", ["sms"]),
    ("force_account", ["in_app"]),
    ("force_duty_phone", ["sms"]),
    ("org_duty_phone", ["sms"]),
    ("org_users", ["in_app"]),
]
RULES = [
    *(("warning", audience, channels) for audience, channels in WARNING_RULES),
    *(("warning_cancelled", audience, channels) for audience, channels in WARNING_RULES),
]

# No answer after 5 minutes → SMS again; 10 → voice call; 15 → the grid's supervisor (the
# township's leader on duty) by SMS and call, and the county's duty officers in-app.
STEPS = [
    ("warning", 5, "grid_person", "sms"),
    ("warning", 5, "force_duty_phone", "sms"),
    ("warning", 5, "org_duty_phone", "sms"),
    ("warning", 10, "grid_person", "voice"),
    ("warning", 10, "force_duty_phone", "voice"),
    ("warning", 10, "org_duty_phone", "voice"),
    ("warning", 15, "supervisor", "sms"),
    ("warning", 15, "supervisor", "voice"),
    ("warning", 15, "duty_officers", "in_app"),
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
    dependencies = [("notify", "0003_warning_purposes_and_audiences")]

    operations = [migrations.RunPython(seed, unseed)]
