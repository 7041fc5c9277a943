"""The notification pages (issue 10): the bell on every page, my notifications, the
simulator's outbox where a newcomer sees what would have been sent and plays the phone,
the one-time link of an SMS, and the delivery health page with "retry now"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notify import services
from notify.choices import Audience, Channel, DeliveryStatus, Purpose
from notify.models import (
    Delivery,
    GatewayStatus,
    InboundMessage,
    Notification,
    RecipientRule,
    SimulatedMessage,
)
from tests import factories as f
from tests.notify.conftest import order_notification

pytestmark = pytest.mark.django_db

LEADER = "13812345678"
DUTY_PHONE = "0635-2345678"
LINK = re.compile(r"/a/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The link page counts misses per address in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(nw, django_capture_on_commit_callbacks):
    """An order notification about force A, handed to the simulator."""
    with django_capture_on_commit_callbacks(execute=True):
        nw.notification = order_notification(nw.world)
    return nw


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def html(response) -> str:
    return response.content.decode()


def sms_to(phone: str) -> SimulatedMessage:
    return SimulatedMessage.objects.filter(channel=Channel.SMS, to=phone).latest("pk")


def token_in(message: SimulatedMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the bell ------------------------------------------------------------------------------


def test_every_page_shows_the_bell_with_the_unread_count(sent, as_user):
    client = as_user(sent.world.force_account_a)
    for url in ("/", "/dispatch/orders/", "/notifications/"):
        page = html(client.get(url))
        assert 'id="notify-bell"' in page, url
        assert 'id="notify-unread" data-count="1"' in page, url
    assert "js/notify.js" in page


def test_the_bell_has_no_count_when_nothing_is_unread(sent, as_user):
    page = html(as_user(sent.world.dispatcher_a).get("/"))
    assert 'id="notify-bell"' in page
    assert "notify-unread" not in page


def test_the_bell_refresh_answers_the_count_and_nothing_once_signed_out(sent, as_user, client):
    client = as_user(sent.world.force_account_a)
    response = client.get("/notifications/bell/")
    assert response.status_code == 200
    assert 'data-count="1"' in html(response)
    assert "<nav" not in html(response)  # a fragment, not a page
    client.logout()
    response = client.get("/notifications/bell/")
    assert response.status_code == 204  # htmx swaps nothing: no login page in the bar


# --- my notifications ----------------------------------------------------------------------


def test_my_notifications_lists_mine_unread_first_marked(sent, as_user):
    page = html(as_user(sent.world.force_account_a).get("/notifications/"))
    assert sent.notification.title in page
    assert 'data-read="false"' in page
    assert "1 条未读" in page or "1 unread" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_subject(sent, as_user):
    client = as_user(sent.world.force_account_a)
    delivery = Delivery.objects.get(channel=Channel.IN_APP, user=sent.world.force_account_a)
    response = client.get(f"/notifications/{delivery.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/forces/{sent.world.force_a.pk}/"
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert "notify-unread" not in html(client.get("/notifications/bell/"))
    assert 'data-read="true"' in html(client.get("/notifications/"))


def test_a_notification_linking_off_site_opens_the_list_instead(nw, as_user):
    notification = order_notification(nw.world)
    Notification.objects.filter(pk=notification.pk).update(link="//evil.example/phish")
    delivery = Delivery.objects.get(channel=Channel.IN_APP, user=nw.world.force_account_a)
    response = as_user(nw.world.force_account_a).get(f"/notifications/{delivery.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_mark_all_read(sent, as_user):
    client = as_user(sent.world.force_account_a)
    assert client.post("/notifications/read/").status_code == 302
    assert not Delivery.objects.filter(channel=Channel.IN_APP, read_at__isnull=True).exists()


def test_nobody_else_sees_or_opens_my_notification(sent, as_user):
    delivery = Delivery.objects.get(channel=Channel.IN_APP, user=sent.world.force_account_a)
    client = as_user(sent.world.editor_a)  # same organisation, another person
    assert sent.notification.title not in html(client.get("/notifications/"))
    assert client.get(f"/notifications/{delivery.pk}/open/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.read_at is None


# --- the simulator -------------------------------------------------------------------------


def test_the_simulator_shows_a_newcomer_what_would_have_been_sent(sent, as_user):
    response = as_user(sent.world.duty_officer_a).get("/notifications/simulator/")
    page = html(response)
    assert response.status_code == 200
    assert 'id="simulator-explained"' in page
    for message in SimulatedMessage.objects.all():
        text, _http, link = message.body.partition("http")
        assert text in page
        assert f'href="http{link}"' in page  # the one-time link opens from here, as on a phone
    assert "队长 张建国" in page  # who the message was for
    assert sent.notification.title in page
    assert page.count('class="sim-reply') == 2  # a reply box per SMS


def test_a_reply_typed_in_the_simulator_acknowledges_like_a_phone(
    sent, as_user, django_capture_on_commit_callbacks
):
    client = as_user(sent.world.duty_officer_a)
    message = sms_to(LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/notifications/simulator/{message.pk}/reply/",
            {"body": sent.notification.reply_code},
        )
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "已签收" in sent_answer(response)
    (subject_id, responder, _text) = sent.handler.calls[0]
    assert subject_id == sent.world.force_a.pk
    assert responder.channel == "sms"
    assert "138****5678" in responder.label
    sent.notification.refresh_from_db()
    assert sent.notification.acknowledged_at is not None
    # The answer went back to the phone through the same outbox, and the reply is listed.
    assert SimulatedMessage.objects.filter(to=LEADER).count() == 2
    assert InboundMessage.objects.get().outcome == "acknowledged"
    assert 'data-outcome="acknowledged"' in html(response)


def test_a_reply_that_matches_nothing_gets_a_clear_answer_and_changes_nothing(sent, as_user):
    client = as_user(sent.world.duty_officer_a)
    message = sms_to(LEADER)
    wrong = "0000" if sent.notification.reply_code != "0000" else "0001"
    response = client.post(
        f"/notifications/simulator/{message.pk}/reply/", {"body": f"回复{wrong}"}, follow=True
    )
    assert response.status_code == 200
    assert any("手机将收到" in text or "phone" in text for text in flashed(response))
    assert sent.handler.calls == []
    sent.notification.refresh_from_db()
    assert sent.notification.acknowledged_at is None


def test_an_empty_reply_is_refused_on_the_page(sent, as_user):
    message = sms_to(LEADER)
    response = as_user(sent.world.duty_officer_a).post(
        f"/notifications/simulator/{message.pk}/reply/", {"body": "  "}, follow=True
    )
    assert response.status_code == 200
    assert InboundMessage.objects.count() == 0


def test_press_1_in_a_simulated_voice_call_acknowledges(
    nw, as_user, django_capture_on_commit_callbacks
):
    # This organisation's leader is called rather than texted (a rule per organisation).
    RecipientRule.objects.create(
        purpose=Purpose.ORDER,
        audience=Audience.FORCE_LEADER,
        channels=[Channel.VOICE],
        organisation=nw.world.water_a,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification = order_notification(nw.world)
    call = SimulatedMessage.objects.get(channel=Channel.VOICE)
    client = as_user(nw.world.admin_a)
    page = html(client.get("/notifications/simulator/"))
    assert 'class="sim-keypress' in page
    response = client.post(f"/notifications/simulator/{call.pk}/press-1/", follow=True)
    assert response.status_code == 200
    assert sent_answer(response)
    assert nw.handler.calls[0][1].channel == "voice"
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None


def sent_answer(response) -> str:
    return next(text for text in flashed(response) if "手机将收到" in text or "phone" in text)


def test_without_the_simulator_there_is_no_simulator_page(sent, as_user, settings):
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "notify.backends.email.EmailBackend",
        "voice": "notify.backends.email.EmailBackend",
    }
    client = as_user(sent.world.admin_a)
    assert client.get("/notifications/simulator/").status_code == 404
    message = sms_to(LEADER)
    response = client.post(f"/notifications/simulator/{message.pk}/reply/", {"body": "1"})
    assert response.status_code == 404
    assert InboundMessage.objects.count() == 0
    page = html(client.get("/notifications/health/"))
    assert "nav-notify-simulator" not in page and "open-simulator" not in page


def test_the_navigation_offers_the_simulator_and_health_to_operators_only(sent, as_user):
    client = as_user(sent.world.duty_officer_a)
    assert 'id="nav-notify-simulator"' in html(client.get("/"))
    page = html(client.get("/notifications/"))
    assert 'id="open-health"' in page and 'id="open-simulator"' in page
    client = as_user(sent.world.dispatcher_a)
    assert "nav-notify-simulator" not in html(client.get("/"))
    page = html(client.get("/notifications/"))
    assert "open-health" not in page and "open-simulator" not in page


# --- the one-time link -----------------------------------------------------------------------


def test_the_link_page_shows_the_order_and_one_button_without_login(sent, client):
    token = token_in(sms_to(LEADER))
    response = client.get(f"/a/{token}")
    page = html(response)
    assert response.status_code == 200
    assert sent.notification.title in page
    assert sent.notification.body in page
    assert page.count('type="submit"') == 1
    assert "签收" in page
    assert 'name="viewport"' in page


def test_pressing_the_link_button_acknowledges_once(sent, client):
    token = token_in(sms_to(LEADER))
    response = client.post(f"/a/{token}")
    assert response.status_code == 200
    assert "已签收" in html(response)
    assert sent.handler.calls[0][1].channel == "link"
    # Used: the page says so, shows nothing of the order, and changes nothing.
    for again in (client.get(f"/a/{token}"), client.post(f"/a/{token}")):
        assert again.status_code == 410
        assert sent.notification.title not in html(again)
    assert len(sent.handler.calls) == 1


def test_a_link_to_an_order_answered_by_reply_says_so(
    sent, client, django_capture_on_commit_callbacks
):
    token = token_in(sms_to(LEADER))
    with django_capture_on_commit_callbacks(execute=True):
        services.receive_reply(phone=DUTY_PHONE, body=sent.notification.reply_code)
    for response in (client.get(f"/a/{token}"), client.post(f"/a/{token}")):
        assert response.status_code == 410
        assert sent.notification.title not in html(response)
    assert [call[1].channel for call in sent.handler.calls] == ["sms"]


def test_the_sms_link_as_written_opens_the_same_page(sent, client):
    message = sms_to(LEADER)
    path = re.search(r"https?://[^/\s]+(/\S*?a/[A-Za-z0-9_-]+)", message.body).group(1)
    assert client.get(path).status_code == 200


def test_an_expired_link_is_gone_with_a_chinese_page(sent, client):
    token = token_in(sms_to(LEADER))
    Notification.objects.filter(pk=sent.notification.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    for response in (client.get(f"/a/{token}"), client.post(f"/a/{token}")):
        assert response.status_code == 410
        assert sent.notification.title not in html(response)
        assert 'lang="zh-CN"' in html(response)
    assert sent.handler.calls == []


@pytest.mark.parametrize(
    "token", ["AAAAAAAAAAAAAAAA", "x", "%00", "a" * 300, "..%2F..%2Fetc", "%F0%9F%92%A3" * 3]
)
def test_an_unknown_or_malformed_token_is_a_plain_404(sent, client, token):
    for response in (client.get(f"/a/{token}"), client.post(f"/a/{token}")):
        assert response.status_code == 404
        assert sent.notification.title not in html(response)
    assert sent.handler.calls == []


def test_an_address_that_keeps_guessing_is_refused_for_a_while(sent, client):
    token = token_in(sms_to(LEADER))
    for i in range(20):
        assert client.get(f"/a/guess{i:012d}").status_code == 404
    assert client.get(f"/a/{token}").status_code == 429
    assert client.post(f"/a/{token}").status_code == 429
    assert sent.handler.calls == []
    # Another address is not affected.
    assert client.get(f"/a/{token}", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_the_link_page_is_never_cached_and_sends_no_referrer(sent, client):
    token = token_in(sms_to(LEADER))
    response = client.get(f"/a/{token}")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


# --- delivery health -------------------------------------------------------------------------


@pytest.fixture
def troubled(sent):
    """One SMS waiting for its third attempt, one failed for good, and an SMS gateway that
    has failed three times in a row."""
    leader = Delivery.objects.get(channel=Channel.SMS, address=LEADER)
    duty = Delivery.objects.get(channel=Channel.SMS, audience="force_duty_phone")
    soon = timezone.now() + timedelta(minutes=4)
    Delivery.objects.filter(pk=leader.pk).update(
        status=DeliveryStatus.QUEUED, attempts=2, next_attempt_at=soon, last_error="网关超时"
    )
    Delivery.objects.filter(pk=duty.pk).update(
        status=DeliveryStatus.FAILED, attempts=8, last_error="号码无效（网关拒收）"
    )
    GatewayStatus.objects.update_or_create(
        channel=Channel.SMS,
        backend="notify.backends.http.HttpGatewayBackend",
        defaults={"consecutive_failures": 3, "last_error": "connection refused"},
    )
    sent.leader, sent.duty = leader, duty
    return sent


def test_the_health_page_shows_gateways_retries_and_failures(troubled, as_user):
    page = html(as_user(troubled.world.duty_officer_a).get("/notifications/health/"))
    assert "connection refused" in page
    assert 'data-failures="3"' in page
    assert f'data-delivery-id="{troubled.leader.pk}" data-status="queued"' in page
    assert "网关超时" in page
    assert f'data-delivery-id="{troubled.duty.pk}" data-status="failed"' in page
    assert "号码无效（网关拒收）" in page
    assert 'id="retrying-total">1<' in page
    assert 'id="failed-total">1<' in page
    assert "notify.backends.simulator.SimulatorBackend" in page  # what is configured


def test_retry_now_sends_a_failed_message_again(
    troubled, as_user, django_capture_on_commit_callbacks
):
    client = as_user(troubled.world.admin_a)
    before = SimulatedMessage.objects.filter(key=troubled.duty.key).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notifications/deliveries/{troubled.duty.pk}/retry/")
    assert response.status_code == 302
    troubled.duty.refresh_from_db()
    assert troubled.duty.status == DeliveryStatus.SENT
    # The simulator, like a gateway, takes a key once: it holds the message once.
    assert SimulatedMessage.objects.filter(key=troubled.duty.key).count() == max(before, 1)


def test_retry_of_a_delivered_message_is_refused_on_the_page(sent, as_user):
    delivered = Delivery.objects.filter(channel=Channel.SMS).first()
    response = as_user(sent.world.admin_a).post(
        f"/notifications/deliveries/{delivered.pk}/retry/", follow=True
    )
    assert response.status_code == 200
    delivered.refresh_from_db()
    assert delivered.status == DeliveryStatus.SENT


def test_the_operator_pages_cost_the_same_queries_for_more_messages(
    nw, as_user, django_capture_on_commit_callbacks
):
    client = as_user(nw.world.admin_a)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    with django_capture_on_commit_callbacks(execute=True):
        order_notification(nw.world)
    Delivery.objects.filter(channel=Channel.SMS).update(status=DeliveryStatus.FAILED)
    few = {url: queries(url) for url in ("/notifications/simulator/", "/notifications/health/")}
    for n in range(3):
        force = f.force(nw.world.editor_a, nw.world.water_a, name=f"临清市第{n}抢险队")
        with django_capture_on_commit_callbacks(execute=True):
            order_notification(nw.world, force=force)
    Delivery.objects.filter(channel=Channel.SMS).update(status=DeliveryStatus.FAILED)
    for url, count in few.items():
        assert queries(url) == count, url
