"""Who is told of a requisition and of each step of a compensation claim (issue 14):

- REQUISITION: the owner unit's duty phone or a private owner's own phone by SMS, the
  owner unit's accounts in the app;
- COMPENSATION: the reviewing department's accounts, the bureau's duty officers (when the
  bureau reviews) and approvers in the app; the claimant's accounts in the app and a
  requisition owner's phone by SMS."""

from django.db import migrations

RULES = [
    ("requisition", "org_duty_phone", ["sms"]),
    ("requisition", "org_users", ["in_app"]),
    ("compensation", "org_users", ["in_app"]),
    ("compensation", "duty_officers", ["in_app"]),
    ("compensation", "approvers", ["in_app"]),
    ("compensation", "org_duty_phone", ["sms"]),
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
