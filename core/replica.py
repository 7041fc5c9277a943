"""Read-only report queries on a replica, when one is configured (``DATABASE_REPLICA_URL``).

A report wraps its reads in ``with replica_reads():``; the router then sends them to the
``replica`` database. Without a replica, or inside a transaction on the primary (where a
read must see the transaction's own writes), reads stay on ``default``. Writes and
migrations always go to ``default``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_READS = ContextVar("linkage_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside this block may be served by the replica (seconds behind the primary)."""
    token = _READS.set(True)
    try:
        yield
    finally:
        _READS.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Listed in DATABASE_ROUTERS always; a no-op until a replica is configured."""

    def db_for_read(self, model, **hints):
        if not _READS.get() or not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
