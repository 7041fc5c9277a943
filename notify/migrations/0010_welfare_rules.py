"""Who welfare reaches (issue 14, Liaocheng §四.4): a lapsing accident insurance or a
medical examination due (SUPPORT_ALERT) reaches the force's organisation accounts in-app
and the force leader by SMS; a rescuer's injury or death (CASUALTY) reaches the bureau's
duty officers in-app and by SMS and its approvers in-app."""

from django.db import migrations

RULES = [
    ("support_alert", "org_users", ["in_app"]),
    ("support_alert", "force_leader", ["sms"]),
    ("casualty", "duty_officers", ["in_app", "sms"]),
    ("casualty", "approvers", ["in_app"]),
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
        if purpose == "support_alert" and audience == "org_users":
            continue  # shared with the reserves' rules
        RecipientRule.objects.filter(
            purpose=purpose, audience=audience, organisation__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0009_support_purposes")]

    operations = [migrations.RunPython(seed, unseed)]
