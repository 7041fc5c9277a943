"""SMS through the commercial services' official SDKs, each pointed at a real HTTP
server on loopback standing in for the service's endpoint: the request the SDK makes
carries our phone, template and parameters, and an error answer becomes a failure."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from notify.backends.aliyun import AliyunSmsBackend
from notify.backends.base import OutboundMessage, TemporaryFailure
from notify.backends.templated import template_params
from notify.backends.tencent import TencentSmsBackend

ORDER_SMS = (
    "【联调联战】出动指令LQ-2026-0007：森林火灾，松林镇东街。任务：扑救。"
    "回复4821签收，或点 https://linkage.example.gov.cn/notifications/a/Zk3vQ9xT2m"
)
ANSWER_SMS = "已签收出动指令 LQ-2026-0007"


class FakeService:
    """Answers each POST with the next (status, JSON) queued, else the default; keeps
    every request: path, query, headers, body."""

    def __init__(self, default: tuple[int, dict]) -> None:
        self.default = default
        self.answers: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                service.requests.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(body) if body.startswith(b"{") else None,
                    }
                )
                status, payload = service.answers.pop(0) if service.answers else service.default
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def sms(key: str = "k-order", to: str = "13812345678", body: str = ORDER_SMS):
    return OutboundMessage(key=key, channel="sms", to=to, body=body)


# --- the template mapping ---------------------------------------------------------------


def test_an_order_sms_becomes_text_code_action_and_link_without_the_sign():
    params = template_params(ORDER_SMS, limit=35)
    assert params.text == "出动指令LQ-2026-0007：森林火灾，松林镇东街。任务：扑救"
    assert (params.code, params.action) == ("4821", "签收")
    assert params.link == "https://linkage.example.gov.cn/notifications/a/Zk3vQ9xT2m"


def test_a_long_text_is_shortened_to_the_variable_limit_but_code_and_link_stay_whole():
    params = template_params(
        "【联调联战】" + "很长的任务说明" * 10 + "。回复1234应答，或点 http://x/a/t", limit=20
    )
    assert len(params.text) == 20 and params.text.endswith("…")
    assert (params.code, params.action, params.link) == ("1234", "应答", "http://x/a/t")


def test_an_answer_sms_has_only_text():
    params = template_params(ANSWER_SMS)
    assert params.text == ANSWER_SMS and not params.is_call


# --- Alibaba Cloud ----------------------------------------------------------------------

ALIYUN_OK = (200, {"Code": "OK", "Message": "OK", "BizId": "900619", "RequestId": "r-1"})


@pytest.fixture
def aliyun_service():
    service = FakeService(ALIYUN_OK)
    yield service
    service.stop()


def aliyun(service, **options):
    return AliyunSmsBackend(
        **{
            "endpoint": service.url,
            "access_key_id": "LTAI-test",
            "access_key_secret": "secret",
            "region": "cn-hangzhou",
            "sign_name": "联调联战",
            "template_code": "SMS_480001",
            "answer_template_code": "SMS_480002",
            "timeout": 3,
            **options,
        }
    )


def test_aliyun_sends_our_phone_template_and_params_through_the_sdk(aliyun_service):
    [result] = aliyun(aliyun_service).send_messages([sms()])
    assert result.accepted and result.gateway_id == "900619"
    [request] = aliyun_service.requests
    assert request["headers"]["x-acs-action"] == "SendSms"
    assert request["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test")
    query = request["query"]
    assert query["PhoneNumbers"] == "13812345678"
    assert query["SignName"] == "联调联战"
    assert query["TemplateCode"] == "SMS_480001"
    assert query["OutId"] == "k-order"
    assert json.loads(query["TemplateParam"]) == {
        "text": "出动指令LQ-2026-0007：森林火灾，松林镇东街。任务：扑救",
        "code": "4821",
        "action": "签收",
        "link": "https://linkage.example.gov.cn/notifications/a/Zk3vQ9xT2m",
    }


def test_aliyun_sends_answers_with_the_answer_template(aliyun_service):
    aliyun(aliyun_service).send_messages([sms(key="k-answer", body=ANSWER_SMS)])
    query = aliyun_service.requests[0]["query"]
    assert query["TemplateCode"] == "SMS_480002"
    assert json.loads(query["TemplateParam"]) == {"text": ANSWER_SMS}


def test_aliyun_endpoint_and_template_come_from_settings(aliyun_service, settings):
    settings.NOTIFY_ALIYUN_ENDPOINT = aliyun_service.url
    settings.NOTIFY_ALIYUN_ACCESS_KEY_ID = "LTAI-settings"
    settings.NOTIFY_ALIYUN_ACCESS_KEY_SECRET = "s"
    settings.NOTIFY_ALIYUN_SIGN_NAME = "临清应急"
    settings.NOTIFY_ALIYUN_TEMPLATE_CODE = "SMS_9"
    [result] = AliyunSmsBackend().send_messages([sms()])
    assert result.accepted
    assert aliyun_service.requests[0]["query"]["SignName"] == "临清应急"
    assert aliyun_service.requests[0]["query"]["TemplateCode"] == "SMS_9"


def test_aliyun_refusing_a_number_fails_that_message_for_good(aliyun_service):
    aliyun_service.answers = [
        (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r"}),
        ALIYUN_OK,
    ]
    bad, good = aliyun(aliyun_service).send_messages([sms("k1", to="1"), sms("k2")])
    assert not bad.accepted and bad.permanent and "MOBILE_NUMBER_ILLEGAL" in bad.error
    assert good.accepted


def test_aliyun_flow_control_is_retried_later_not_given_up(aliyun_service):
    aliyun_service.answers = [
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "r"})
    ]
    [result] = aliyun(aliyun_service).send_messages([sms()])
    assert not result.accepted and not result.permanent


def test_aliyun_server_error_is_a_temporary_failure_of_the_batch(aliyun_service):
    aliyun_service.default = (
        503,
        {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"},
    )
    with pytest.raises(TemporaryFailure):
        aliyun(aliyun_service).send_messages([sms("k1"), sms("k2")])


def test_aliyun_wrong_credentials_hold_every_message_for_the_next_attempt(aliyun_service):
    aliyun_service.default = (
        400,
        {
            "Code": "InvalidAccessKeyId.NotFound",
            "Message": "Specified access key is not found.",
            "RequestId": "r",
        },
    )
    with pytest.raises(TemporaryFailure, match="InvalidAccessKeyId"):
        aliyun(aliyun_service).send_messages([sms()])


def test_aliyun_unreachable_is_a_temporary_failure(aliyun_service):
    backend = aliyun(aliyun_service)
    aliyun_service.stop()
    with pytest.raises(TemporaryFailure):
        backend.send_messages([sms()])


# --- Tencent Cloud ----------------------------------------------------------------------


def tencent_ok(serial="2433:3275389", code="Ok"):
    return (
        200,
        {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": serial,
                        "PhoneNumber": "+8613812345678",
                        "Fee": 1,
                        "SessionContext": "k-order",
                        "Code": code,
                        "Message": "send success" if code == "Ok" else "失败",
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": "r-1",
            }
        },
    )


@pytest.fixture
def tencent_service():
    service = FakeService(tencent_ok())
    yield service
    service.stop()


def tencent(service, **options):
    return TencentSmsBackend(
        **{
            "endpoint": service.url,
            "secret_id": "AKID-test",
            "secret_key": "secret",
            "region": "ap-guangzhou",
            "sdk_app_id": "1400987654",
            "sign_name": "联调联战",
            "template_id": "2233001",
            "answer_template_id": "2233002",
            "timeout": 3,
            **options,
        }
    )


def test_tencent_sends_our_phone_template_and_params_through_the_sdk(tencent_service):
    [result] = tencent(tencent_service).send_messages([sms()])
    assert result.accepted and result.gateway_id == "2433:3275389"
    [request] = tencent_service.requests
    assert request["headers"]["x-tc-action"] == "SendSms"
    assert request["headers"]["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")
    assert request["json"] == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400987654",
        "SignName": "联调联战",
        "TemplateId": "2233001",
        "TemplateParamSet": [
            "出动指令LQ-2026-0007：森林火灾，松林镇东街。任务：扑救",
            "4821",
            "签收",
            "https://linkage.example.gov.cn/notifications/a/Zk3vQ9xT2m",
        ],
        "SessionContext": "k-order",
    }


def test_tencent_sends_answers_with_the_answer_template(tencent_service):
    tencent(tencent_service).send_messages([sms(key="k-answer", body=ANSWER_SMS)])
    body = tencent_service.requests[0]["json"]
    assert body["TemplateId"] == "2233002" and body["TemplateParamSet"] == [ANSWER_SMS]


def test_tencent_endpoint_and_template_come_from_settings(tencent_service, settings):
    settings.NOTIFY_TENCENT_ENDPOINT = tencent_service.url
    settings.NOTIFY_TENCENT_SECRET_ID = "AKID-settings"
    settings.NOTIFY_TENCENT_SECRET_KEY = "k"
    settings.NOTIFY_TENCENT_SDK_APP_ID = "1400000001"
    settings.NOTIFY_TENCENT_SIGN_NAME = "临清应急"
    settings.NOTIFY_TENCENT_TEMPLATE_ID = "77"
    [result] = TencentSmsBackend().send_messages([sms()])
    assert result.accepted
    body = tencent_service.requests[0]["json"]
    assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == (
        "1400000001",
        "临清应急",
        "77",
    )
    assert tencent_service.requests[0]["headers"]["x-tc-region"] == "ap-guangzhou"


def test_tencent_refusing_a_number_fails_that_message_for_good(tencent_service):
    tencent_service.answers = [
        (
            200,
            {
                "Response": {
                    "Error": {
                        "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                        "Message": "手机号格式错误",
                    },
                    "RequestId": "r",
                }
            },
        ),
        tencent_ok(),
    ]
    bad, good = tencent(tencent_service).send_messages([sms("k1", to="1"), sms("k2")])
    assert not bad.accepted and bad.permanent and "IncorrectPhoneNumber" in bad.error
    assert good.accepted


def test_tencent_a_failed_send_status_fails_the_message(tencent_service):
    tencent_service.answers = [tencent_ok(code="FailedOperation.PhoneNumberInBlacklist")]
    [result] = tencent(tencent_service).send_messages([sms()])
    assert not result.accepted and result.permanent and "Blacklist" in result.error


def test_tencent_internal_error_is_a_temporary_failure_of_the_batch(tencent_service):
    tencent_service.default = (
        200,
        {
            "Response": {
                "Error": {"Code": "InternalError.Timeout", "Message": "超时"},
                "RequestId": "r",
            }
        },
    )
    with pytest.raises(TemporaryFailure, match="InternalError"):
        tencent(tencent_service).send_messages([sms("k1"), sms("k2")])


def test_tencent_http_5xx_is_a_temporary_failure(tencent_service):
    tencent_service.default = (502, {"error": "bad gateway"})
    with pytest.raises(TemporaryFailure):
        tencent(tencent_service).send_messages([sms()])


def test_tencent_unreachable_is_a_temporary_failure(tencent_service):
    backend = tencent(tencent_service)
    tencent_service.stop()
    with pytest.raises(TemporaryFailure):
        backend.send_messages([sms()])


def test_voice_is_not_sent_as_sms(tencent_service, aliyun_service):
    call = OutboundMessage(key="v", channel="voice", to="13812345678", body="签收请按1。")
    for backend in (tencent(tencent_service), aliyun(aliyun_service)):
        [result] = backend.send_messages([call])
        assert not result.accepted and result.permanent
    assert not tencent_service.requests and not aliyun_service.requests


def test_an_unconfigured_service_fails_its_hand_overs_for_the_health_page(settings):
    settings.NOTIFY_ALIYUN_SIGN_NAME = ""
    settings.NOTIFY_TENCENT_SECRET_ID = ""
    settings.NOTIFY_TENCENT_SDK_APP_ID = ""
    for backend, error in ((AliyunSmsBackend(), "SIGN_NAME"), (TencentSmsBackend(), "SDK_APP_ID")):
        with pytest.raises(TemporaryFailure, match=error):
            backend.send_messages([sms()])
