"""Who gets what, and how the chase escalates, by default (issue 10): every deployment
has these rows, not only the demo. Administrators change them per organisation."""

from django.db import migrations

RULES = [
    ("order", "force_account", ["in_app"]),
    ("order", "force_duty_phone", ["sms"]),
    ("order", "force_leader", ["sms"]),
    ("notice", "org_duty_phone", ["sms"]),
    ("notice", "org_users", ["in_app"]),
    ("consent", "org_duty_phone", ["sms"]),
    ("consent", "org_users", ["in_app"]),
    ("plan_submitted", "approvers", ["in_app", "sms"]),
    ("order_overdue", "dispatchers", ["in_app"]),
    ("order_overdue", "duty_officers", ["in_app"]),
    ("roll_call", "force_account", ["in_app"]),
    ("roll_call", "force_duty_phone", ["sms"]),
]

# (purpose, after minutes, audience, channel): no acknowledgement after 3 minutes → SMS
# again; 6 → voice call; 10 → the organisation's leader and the jurisdiction's duty
# officers.
STEPS = [
    ("order", 3, "force_duty_phone", "sms"),
    ("order", 3, "force_leader", "sms"),
    ("order", 6, "force_duty_phone", "voice"),
    ("order", 6, "force_leader", "voice"),
    ("order", 10, "org_leader", "sms"),
    ("order", 10, "duty_officers", "in_app"),
    ("order", 10, "duty_officers", "sms"),
    ("roll_call", 5, "force_duty_phone", "voice"),
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
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
