"""What the subscriber pages and API show besides the row: the lag behind the log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from core.models import Event
from core.visibility import event_filter
from sync.models import Subscriber

LAG_BOUND = 10000  # counted up to here; more shows as "10000+"


@dataclass(frozen=True)
class Lag:
    events: int  # events visible to the client after the cursor, at most LAG_BOUND
    bounded: bool  # True when there are more than LAG_BOUND
    latest_seq: int  # the newest seq the client may see


def lag_of(subscriber: Subscriber) -> Lag:
    """Events of the subscriber's jurisdiction its client may see after its cursor (a
    bounded count, two queries)."""
    visible = Event.objects.filter(
        event_filter(subscriber.client),
        jurisdiction__path__startswith=subscriber.jurisdiction.path,
    )
    latest = visible.aggregate(m=Max("seq"))["m"] or 0
    if latest <= subscriber.cursor:
        return Lag(0, False, latest)
    count = visible.filter(seq__gt=subscriber.cursor).values("pk")[: LAG_BOUND + 1].count()
    return Lag(min(count, LAG_BOUND), count > LAG_BOUND, latest)
