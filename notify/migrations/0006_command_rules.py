"""Who a command hand-over and an after-action report reach, by default (issue 13).

A hand-over (Purpose.COMMAND_TRANSFERRED) is told once, not chased: the forces with open
orders in-app and by SMS (they must follow the new commander), the duty officers and the
brigade's dispatchers in-app. An after-action report (Purpose.AFTER_ACTION) is a desk
matter: the bureau's approvers and duty officers in-app on submission, the brigade's
accounts in-app when it is returned. No escalation steps for either."""

from django.db import migrations

RULES = [
    ("command_transferred", "force_account", ["in_app", "sms"]),
    ("command_transferred", "duty_officers", ["in_app"]),
    ("command_transferred", "dispatchers", ["in_app"]),
    ("after_action", "approvers", ["in_app"]),
    ("after_action", "duty_officers", ["in_app"]),
    ("after_action", "org_users", ["in_app"]),
]


def seed(apps, schema_editor):
    RecipientRule = apps.get_model("notify", "RecipientRule")
    for purpose, audience, channels in RULES:
        RecipientRule.objects.get_or_create(
            purpose=purpose,
            audience=audience,
            organisation=None,
            defaults={"channels": channels},
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
