"""Who hears of an allocation (issue 14, 调拨): the bureau approvers of its jurisdiction
when it awaits approval (in-app and SMS); once approved, the keeper of each source
warehouse by SMS (deliver by when, where) and the requester in-app."""

from django.db import migrations

RULES = [
    ("allocation_submitted", "approvers", ["in_app", "sms"]),
    ("allocation_approved", "keeper", ["sms"]),
    ("allocation_approved", "org_users", ["in_app"]),
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
