"""On PostgreSQL, refuse every UPDATE and DELETE of the event log and the personal-data
access log in the database itself, whoever asks (the admin, a shell, a raw query).
The hash chain (0007) must be written before this exists. SQLite has no such trigger;
the models refuse there, and ``verify_audit`` shows any change made around them."""

from django.db import migrations

TABLES = ("core_event", "core_personaldataaccess")

INSTALL = """
CREATE OR REPLACE FUNCTION linkage_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'insufficient_privilege',
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';
END
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(INSTALL, None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION linkage_refuse_change()",
            None,
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", None)
    schema_editor.execute("DROP FUNCTION IF EXISTS linkage_refuse_change()", None)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_chain_existing_events")]
    operations = [migrations.RunPython(install, uninstall)]
