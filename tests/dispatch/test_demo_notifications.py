"""The demo exercises the whole chain (issue 10): its approved plan texted every force's
duty phone through the embedded simulator, and approving the plan that waits does the
same, so a newcomer sees in the simulator outbox exactly what would have been sent."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from core.models import User
from dispatch import services
from dispatch.choices import OrderStatus, PlanStatus
from dispatch.models import CallOutOrder, CallOutPlan
from notify import services as notify_services
from notify.choices import Channel, InboundCode, Purpose
from notify.models import Notification, SimulatedMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _domain_handlers():
    """The registry is process-wide and other tests replace a purpose's handler with
    their own: these tests need the real ones, as AppConfig.ready() registers them."""
    from dispatch.notifications import register_handlers as dispatch_handlers
    from duty.rollcalls.notifications import register_handlers as duty_handlers

    dispatch_handlers()
    duty_handlers()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_every_demo_order_was_texted_or_acknowledged_before_the_text_left(demo):
    # The demo is built in one transaction; its sending happens after that commits. An
    # order its force acknowledged meanwhile is not chased: its text is never sent.
    notify_services.send_pending()
    orders = list(CallOutOrder.objects.select_related("force"))
    assert orders
    for order in orders:
        notification = Notification.objects.get(purpose=Purpose.ORDER, object_id=order.pk)
        texted = SimulatedMessage.objects.filter(
            to=order.force.duty_phone,
            channel=Channel.SMS,
            body__contains=f"回复{notification.reply_code}签收",
        ).exists()
        if order.status == OrderStatus.ISSUED:
            assert texted and notification.acknowledged_at is None
        else:
            assert not texted
            assert order.acknowledged_via == "web" and order.acknowledged_label
            assert notification.acknowledged_label == order.acknowledged_label


def test_approving_the_waiting_demo_plan_texts_its_forces_and_a_reply_acknowledges(
    demo, django_capture_on_commit_callbacks
):
    plan = CallOutPlan.objects.filter(status=PlanStatus.SUBMITTED).first()
    assert plan is not None
    approver = User.objects.get(username="linqing_approver")
    before = SimulatedMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        orders = services.approve_plan(actor=approver, plan_id=plan.pk)
    assert SimulatedMessage.objects.count() > before
    order = orders[0]
    sms = SimulatedMessage.objects.filter(to=order.force.duty_phone, body__contains=order.number)
    code = re.search(r"回复(\d{4,5})签收", sms.get().body).group(1)
    outcome = notify_services.receive_reply(phone=order.force.duty_phone, body=code)
    assert outcome.code == InboundCode.ACKNOWLEDGED
    order.refresh_from_db()
    assert order.acknowledged_via == "sms"
