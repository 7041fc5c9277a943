"""The embedded SMS and voice gateway: messages land in ``SimulatedMessage`` (the
simulator outbox page), where a newcomer sees exactly what would have been sent and can
type the reply a phone would send. Like a real gateway it accepts a key at most once."""

from __future__ import annotations

from django.utils import timezone

from notify.backends.base import BaseBackend, OutboundMessage, SendResult


class SimulatorBackend(BaseBackend):
    max_batch = 500

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        from notify.models import Delivery, SimulatedMessage

        keys = [m.key for m in messages]
        known = dict(SimulatedMessage.objects.filter(key__in=keys).values_list("key", "pk"))
        origin = {
            row["key"]: row
            for row in Delivery.objects.filter(key__in=keys).values(
                "key", "pk", "notification__jurisdiction_id"
            )
        }
        now = timezone.now()
        fresh = [
            SimulatedMessage(
                channel=m.channel,
                to=m.to,
                body=m.body,
                key=m.key,
                sent_at=now,
                delivery_id=origin.get(m.key, {}).get("pk"),
                jurisdiction_id=origin.get(m.key, {}).get("notification__jurisdiction_id"),
            )
            for m in messages
            if m.key not in known
        ]
        # A concurrent sender of the same key loses quietly: the key is sent once.
        SimulatedMessage.objects.bulk_create(fresh, ignore_conflicts=True)
        ids = dict(SimulatedMessage.objects.filter(key__in=keys).values_list("key", "pk"))
        return [
            SendResult(key=m.key, accepted=True, gateway_id=f"sim-{ids.get(m.key, '')}")
            for m in messages
        ]
