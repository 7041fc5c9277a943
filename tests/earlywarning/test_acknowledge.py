"""Acknowledging a warning (叫应) happens once, whatever the path and however many at
once (issue 12: "50 concurrent acknowledgements of one recipient give one
acknowledgement"; RELIABILITY.md: row locks plus constraints, on PostgreSQL — SQLite
ignores row locks)."""

from __future__ import annotations

import pytest

from core.exceptions import InvalidTransition
from core.models import Event
from earlywarning import services
from earlywarning.models import WarningRecipient
from notify import services as notify_services
from notify.choices import InboundCode, Purpose
from notify.models import Notification
from tests.dispatch.test_concurrency import _run_concurrently
from tests.earlywarning.helpers import published_flood, warning_rules

__all__ = ["warning_rules"]

CONCURRENT = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_acknowledgements_of_one_recipient_give_one(warning_world, warning_rules):
    """Half the threads are the duty officer clicking 代签, half are SMS replies from the
    grid person's phone arriving through different gateway events."""
    w = warning_world
    warning = published_flood(w)
    recipient = WarningRecipient.objects.get(warning=warning, grid=w.grid_a1)
    code = Notification.objects.get(purpose=Purpose.WARNING, object_id=recipient.pk).reply_code

    def answer(i: int) -> str:
        if i % 2:
            try:
                services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)
            except InvalidTransition as refused:
                return refused.code
            return "acknowledged"
        outcome = notify_services.receive_reply(
            phone=w.grid_a1.person_phone, body=code, event_id=f"gateway-{i}"
        )
        return outcome.code

    results, errors = _run_concurrently(answer, CONCURRENT)
    assert errors == []
    assert results.count("acknowledged") == 1, results
    assert set(results) == {"acknowledged", "already_acknowledged", InboundCode.ALREADY}
    assert Event.objects.filter(type="warning.acknowledged").count() == 1
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is not None
    notification = Notification.objects.get(purpose=Purpose.WARNING, object_id=recipient.pk)
    assert notification.acknowledged_at is not None


@pytest.mark.django_db
def test_a_second_acknowledgement_is_refused_and_records_nothing(warning_world):
    w = warning_world
    warning = published_flood(w)
    recipient = WarningRecipient.objects.get(warning=warning, force=w.force_a)
    services.acknowledge_recipient(actor=w.force_account_a, recipient_id=recipient.pk)
    recipient.refresh_from_db()
    assert recipient.acknowledged_label == str(w.force_account_a)
    with pytest.raises(services.AlreadyAcknowledged):
        services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)
    assert Event.objects.filter(type="warning.acknowledged").count() == 1
    event = Event.objects.get(type="warning.acknowledged")
    assert event.payload["kind"] == "force"
    assert event.payload["channel"] == "web"
    assert event.actor == w.force_account_a
