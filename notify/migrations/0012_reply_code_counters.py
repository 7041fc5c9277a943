"""The two shared counters that hand out reply codes on PostgreSQL (see
notify.services._common.free_reply_codes); nothing on SQLite."""

from django.db import migrations

CREATE = """
CREATE SEQUENCE IF NOT EXISTS notify_reply_code_short
    MINVALUE 1000 MAXVALUE 9999 START 1000 CYCLE;
CREATE SEQUENCE IF NOT EXISTS notify_reply_code_long
    MINVALUE 10000 MAXVALUE 99999 START 10000 CYCLE;
"""
DROP = """
DROP SEQUENCE IF EXISTS notify_reply_code_short;
DROP SEQUENCE IF EXISTS notify_reply_code_long;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("notify", "0011_merge_support_rules")]

    operations = [migrations.RunPython(create, drop)]
