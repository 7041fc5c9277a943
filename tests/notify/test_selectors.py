"""What the pages read: the bell, the user's list, the subject's deliveries, the health
page and the simulator outbox — scoped by jurisdiction, phones masked."""

from __future__ import annotations

import pytest

from core.exceptions import InvalidTransition, NotFoundError, PermissionDeniedError
from notify import selectors, services
from notify.choices import Channel, DeliveryStatus
from notify.models import Delivery
from tests.notify.conftest import order_notification
from tests.notify.test_outbox import Flaky

pytestmark = pytest.mark.django_db


def test_the_bell_counts_unread_in_app_notifications_until_opened(nw):
    account = nw.world.force_account_a
    assert selectors.unread_count(account) == 0
    order_notification(nw.world)
    services.send_pending()
    assert selectors.unread_count(account) == 1
    [item] = selectors.inbox(account)
    assert item.notification.title.startswith("出动指令")
    assert selectors.unread_count(nw.world.duty_officer_a) == 0
    assert services.mark_read(actor=account) == 1
    assert selectors.unread_count(account) == 0
    assert list(selectors.inbox(account)) == [item]


def test_the_subjects_deliveries_show_masked_phones(nw):
    order_notification(nw.world)
    rows = list(selectors.deliveries_for(nw.world.force_a))
    assert [(d.channel, d.shown_address) for d in rows] == [
        (Channel.IN_APP, ""),
        (Channel.SMS, "0635-****678"),
        (Channel.SMS, "138****5678"),
    ]
    assert selectors.deliveries_for(nw.world.force_b).count() == 0
    many = selectors.deliveries_for_many([nw.world.force_a, nw.world.force_b])
    assert len(many[nw.world.force_a.pk]) == 3 and many[nw.world.force_b.pk] == []


def test_the_simulator_outbox_is_for_the_jurisdictions_managers(nw):
    order_notification(nw.world)
    services.send_pending()
    w = nw.world
    assert selectors.simulator_outbox(w.admin_a).count() == 2
    assert selectors.simulator_outbox(w.duty_officer_a).count() == 2
    assert {m.shown_to for m in selectors.simulator_outbox(w.admin_a)} == {
        "0635-****678",
        "138****5678",
    }
    assert selectors.simulator_outbox(w.duty_officer_b).count() == 0
    assert selectors.simulator_outbox(w.dispatcher_a).count() == 0
    assert selectors.simulator_outbox(w.force_account_a).count() == 0


def test_the_health_page_shows_retries_and_failures_of_the_jurisdiction(nw, settings):
    settings.NOTIFY_BACKENDS = {**settings.NOTIFY_BACKENDS, "sms": "tests.notify.test_outbox.Flaky"}
    Flaky.calls, Flaky.failures, Flaky.accepted = 0, 99, []
    order_notification(nw.world)
    services.send_pending()
    health = selectors.gateway_health(nw.world.admin_a)
    assert len(health.retrying) == 2 and health.queued == 0
    assert {(s.channel, s.consecutive_failures) for s in health.statuses} >= {("sms", 1)}
    assert selectors.gateway_health(nw.world.duty_officer_b).retrying == []
    assert selectors.gateway_health(nw.world.force_account_a).statuses == []


def test_retry_now_sends_at_once_for_the_jurisdictions_managers_only(
    nw, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BACKENDS = {**settings.NOTIFY_BACKENDS, "sms": "tests.notify.test_outbox.Flaky"}
    Flaky.calls, Flaky.failures, Flaky.accepted = 0, 1, []
    order_notification(nw.world)
    services.send_pending()
    delivery = Delivery.objects.filter(channel=Channel.SMS).first()
    with pytest.raises(PermissionDeniedError):
        services.retry_delivery(actor=nw.world.dispatcher_a, delivery_id=delivery.pk)
    with pytest.raises(NotFoundError):
        services.retry_delivery(actor=nw.world.duty_officer_b, delivery_id=delivery.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_delivery(actor=nw.world.admin_a, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert Flaky.accepted == [delivery.key]
    with pytest.raises(InvalidTransition):
        services.retry_delivery(actor=nw.world.admin_a, delivery_id=delivery.pk)
