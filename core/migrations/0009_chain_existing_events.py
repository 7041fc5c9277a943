"""Chain the events written before the hash chain existed, in seq order, and leave the
counter holding the newest hash so that the next event chains onto it. Runs before the
append-only trigger (0008) exists, since it updates rows."""

from django.db import migrations

from core.audit import CONTENT_FIELDS, row_hash


def chain_events(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    EventCounter = apps.get_model("core", "EventCounter")
    db = schema_editor.connection.alias
    prev_hash = ""
    batch = []
    rows = Event.objects.using(db).order_by("seq").values("pk", *CONTENT_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        digest = row_hash(row, prev_hash)
        batch.append(Event(pk=row["pk"], prev_hash=prev_hash, hash=digest))
        prev_hash = digest
        if len(batch) >= 2000:
            Event.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        Event.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
    EventCounter.objects.using(db).filter(pk=1).update(last_hash=prev_hash)


def unchain_events(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("core", "Event").objects.using(db).update(prev_hash="", hash="")
    apps.get_model("core", "EventCounter").objects.using(db).update(last_hash="")


class Migration(migrations.Migration):
    dependencies = [("core", "0008_event_created_at_set_by_writer")]
    operations = [migrations.RunPython(chain_events, unchain_events)]
