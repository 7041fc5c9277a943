"""The walls of the notification pages (issue 10): who may open which page, whose rows
each operator sees (jurisdiction), whose phone numbers are shown in full, and the
one-time link's page, which has no login and so must give nothing away."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client

from notify import registry
from notify.choices import Channel, Purpose
from notify.models import (
    Delivery,
    GatewayStatus,
    InboundMessage,
    Notification,
    SimulatedMessage,
)
from tests.notify.conftest import Recorder, order_notification
from tests.security.test_headers import scan

pytestmark = pytest.mark.django_db

LEADER = "13812345678"
MASKED_LEADER = "138****5678"
LINK = re.compile(r"/a/([A-Za-z0-9_-]+)")

OPERATOR_PAGES = ["/notifications/simulator/", "/notifications/health/"]
EVERYONE_PAGES = ["/notifications/", "/notifications/bell/"]

PERSONAS = {
    # persona: may open the operator pages
    "duty_officer_a": True,
    "admin_a": True,
    "admin_city": True,
    "approver_a": False,
    "dispatcher_a": False,
    "editor_a": False,
    "force_account_a": False,
    "screen_a": False,
    "sync_client": False,
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    """An order notification about force A in the simulator, with a throwaway handler."""
    recorder = Recorder()
    registry.register(Purpose.ORDER, acknowledge=recorder, verb="签收")
    with django_capture_on_commit_callbacks(execute=True):
        notification = order_notification(world)
    yield SimpleNamespace(world=world, handler=recorder, notification=notification)
    registry.unregister(Purpose.ORDER)


def page_as(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_operator_pages_admit_administrators_and_duty_officers_only(sent, persona):
    client = page_as(getattr(sent.world, persona))
    for url in OPERATOR_PAGES:
        expected = 200 if PERSONAS[persona] else 403
        assert client.get(url).status_code == expected, (persona, url)
    for url in EVERYONE_PAGES:
        assert client.get(url).status_code == 200, (persona, url)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_nobody_else_can_reply_or_retry(sent, persona):
    if PERSONAS[persona]:
        return
    client = page_as(getattr(sent.world, persona))
    message = SimulatedMessage.objects.filter(channel=Channel.SMS).first()
    delivery = Delivery.objects.filter(channel=Channel.SMS).first()
    code = sent.notification.reply_code
    assert (
        client.post(f"/notifications/simulator/{message.pk}/reply/", {"body": code}).status_code
        == 403
    )
    assert client.post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 403
    assert InboundMessage.objects.count() == 0
    assert sent.handler.calls == []


def test_signed_out_visitors_are_sent_to_log_in(sent):
    client = Client()
    for url in ["/notifications/", *OPERATOR_PAGES]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    message = SimulatedMessage.objects.filter(channel=Channel.SMS).first()
    response = client.post(f"/notifications/simulator/{message.pk}/reply/", {"body": "1"})
    assert response.status_code == 302
    assert InboundMessage.objects.count() == 0


def test_another_county_sees_none_of_county_a_and_cannot_touch_it(sent):
    client = page_as(sent.world.duty_officer_b)
    page = client.get("/notifications/simulator/").content.decode()
    for message in SimulatedMessage.objects.all():
        assert message.body.split("http")[0] not in page
        assert LINK.search(message.body).group(1) not in page  # the one-time links
    assert MASKED_LEADER not in page and LEADER not in page
    health = client.get("/notifications/health/").content.decode()
    assert sent.notification.title not in health
    message = SimulatedMessage.objects.filter(channel=Channel.SMS).first()
    reply = client.post(
        f"/notifications/simulator/{message.pk}/reply/", {"body": sent.notification.reply_code}
    )
    assert reply.status_code == 404
    delivery = Delivery.objects.filter(channel=Channel.SMS).first()
    assert client.post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 404
    assert InboundMessage.objects.count() == 0
    assert sent.handler.calls == []


def test_the_city_sees_its_counties(sent):
    page = page_as(sent.world.admin_city).get("/notifications/simulator/").content.decode()
    assert sms_body(LEADER).split("http")[0] in page


def sms_body(phone: str) -> str:
    return SimulatedMessage.objects.get(channel=Channel.SMS, to=phone).body


def test_a_duty_officer_sees_masked_phones_an_administrator_in_full(sent):
    for url in ["/notifications/simulator/", "/notifications/health/"]:
        Delivery.objects.filter(address=LEADER).update(status="failed")
        officer = page_as(sent.world.duty_officer_a).get(url).content.decode()
        assert LEADER not in officer, url
        assert "0635-2345678" not in officer, url
    assert (
        MASKED_LEADER in page_as(sent.world.duty_officer_a).get(OPERATOR_PAGES[0]).content.decode()
    )
    admin = page_as(sent.world.admin_a).get("/notifications/simulator/").content.decode()
    assert LEADER in admin


def test_replies_list_masks_the_sender(sent, django_capture_on_commit_callbacks):
    client = page_as(sent.world.duty_officer_a)
    message = SimulatedMessage.objects.get(channel=Channel.SMS, to=LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/notifications/simulator/{message.pk}/reply/", {"body": "随便说说"})
    page = client.get("/notifications/simulator/").content.decode()
    assert 'class="list-group-item sim-inbound"' in page
    assert LEADER not in page


def test_the_link_page_needs_no_login_and_leaks_nothing_when_spent(sent):
    token = re.search(r"/a/([A-Za-z0-9_-]+)", sms_body(LEADER)).group(1)
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert anonymous.post(f"/a/{token}").status_code == 200  # no CSRF cookie, no session
    spent = anonymous.get(f"/a/{token}")
    assert spent.status_code == 410
    text = spent.content.decode()
    for secret in (sent.notification.title, sent.notification.body, LEADER, MASKED_LEADER):
        assert secret not in text
    assert "sessionid" not in spent.cookies


def test_notification_pages_carry_no_inline_script_or_handler(sent):
    token = re.search(r"/a/([A-Za-z0-9_-]+)", sms_body(LEADER)).group(1)
    client = page_as(sent.world.admin_a)
    urls = [*EVERYONE_PAGES, *OPERATOR_PAGES, f"/a/{token}", "/a/unknown-token-0000"]
    for url in urls:
        response = client.get(url)
        found = scan(response.content.decode())
        assert found.inline_scripts == [] and found.handlers == [], (url, found.__dict__)


def test_an_unmatched_reply_shows_only_where_that_number_was_sent_to(
    sent, django_capture_on_commit_callbacks
):
    message = SimulatedMessage.objects.get(channel=Channel.SMS, to=LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        page_as(sent.world.duty_officer_a).post(
            f"/notifications/simulator/{message.pk}/reply/", {"body": "收到了吗"}
        )
    reply = InboundMessage.objects.get()
    assert reply.notification_id is None  # matched nothing
    mine = page_as(sent.world.duty_officer_a).get("/notifications/simulator/").content.decode()
    assert "收到了吗" in mine
    theirs = page_as(sent.world.duty_officer_b).get("/notifications/simulator/").content.decode()
    assert "收到了吗" not in theirs


def test_numbers_quoted_in_gateway_errors_are_masked_for_duty_officers(sent):
    Delivery.objects.filter(address=LEADER).update(
        status="failed", last_error=f"号码{LEADER}不可达"
    )
    GatewayStatus.objects.update_or_create(
        channel=Channel.SMS,
        backend="notify.backends.http.HttpGatewayBackend",
        defaults={"consecutive_failures": 1, "last_error": f"rejected {LEADER}"},
    )
    officer = page_as(sent.world.duty_officer_a).get("/notifications/health/").content.decode()
    assert LEADER not in officer
    assert f"号码{MASKED_LEADER}不可达" in officer and f"rejected {MASKED_LEADER}" in officer
    admin = page_as(sent.world.admin_a).get("/notifications/health/").content.decode()
    assert f"号码{LEADER}不可达" in admin


def test_the_link_page_shows_no_id_number_even_if_the_text_had_one(sent, client):
    id_number = "371581199001011234"
    Notification.objects.filter(pk=sent.notification.pk).update(
        body=f"联系人身份证{id_number}，请出动。"
    )
    token = LINK.search(sms_body(LEADER)).group(1)
    page = client.get(f"/a/{token}").content.decode()
    assert "请出动" in page
    assert id_number not in page
