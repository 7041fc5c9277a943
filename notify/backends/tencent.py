"""SMS through Tencent Cloud (腾讯云短信), official SDK ``tencentcloud-sdk-python-sms``
(API 2021-01-11).

One ``SendSms`` per message (each has its own reply code and link), with the SDK app,
approved sign name and template (positional variables, notify.backends.templated) and
our idempotency key as ``SessionContext``, which comes back in the service's receipts.
The service does not deduplicate: a worker that dies between its answer and our commit
sends that one message again. Settings: NOTIFY_TENCENT_SECRET_ID / _SECRET_KEY,
_ENDPOINT (a host, or http(s)://host:port for a private endpoint), _REGION,
_SDK_APP_ID, _SIGN_NAME, _TEMPLATE_ID, _ANSWER_TEMPLATE_ID; NOTIFY_GATEWAY_TIMEOUT.
"""

from __future__ import annotations

from django.conf import settings

from notify.backends.aliyun import split_endpoint
from notify.backends.base import BaseBackend, OutboundMessage, SendResult, TemporaryFailure
from notify.backends.templated import template_params

# Error code families that mean "not now" (network, the service's trouble, rate limits,
# an empty balance): the message waits for the next attempt. Anything else about the
# message (a bad number, a template mismatch) is final.
TRANSIENT_PREFIXES = (
    "ClientNetworkError",
    "ServerNetworkError",
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded",
    "FailedOperation.InsufficientBalanceInSmsPackage",
)
# Errors about the call itself (credentials, app id, sign, template): the operator's to
# fix; every message waits.
CONFIGURATION_PREFIXES = ("AuthFailure", "UnauthorizedOperation", "InvalidParameter.AppidAndBizId")


class TencentSmsBackend(BaseBackend):
    max_batch = 50

    def __init__(self, **options) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        super().__init__(**options)

        def option(name: str):
            return options.get(name.lower(), getattr(settings, f"NOTIFY_TENCENT_{name}", ""))

        self.sdk_app_id = str(option("SDK_APP_ID"))
        self.sign_name = option("SIGN_NAME")
        self.template_id = str(option("TEMPLATE_ID"))
        self.answer_template_id = str(option("ANSWER_TEMPLATE_ID") or "")
        # Raised at hand-over, not here, so it shows on the health page (see http.py).
        self.misconfigured = ""
        if not (self.sdk_app_id and self.sign_name and self.template_id):
            self.misconfigured = "NOTIFY_TENCENT_SDK_APP_ID, _SIGN_NAME, _TEMPLATE_ID are required"
        scheme, host = split_endpoint(option("ENDPOINT"))
        timeout = float(options.get("timeout", getattr(settings, "NOTIFY_GATEWAY_TIMEOUT", 10)))
        http = HttpProfile(
            protocol=scheme, endpoint=host, reqTimeout=max(int(timeout), 1), keepAlive=True
        )
        self.client = None
        try:
            self.client = sms_client.SmsClient(
                credential.Credential(option("SECRET_ID"), option("SECRET_KEY")),
                option("REGION"),
                ClientProfile(httpProfile=http),
            )
        except Exception as exc:  # the SDK refuses empty credentials at construction
            self.misconfigured = self.misconfigured or f"Tencent Cloud client: {exc}"[:300]

    def _request(self, message: OutboundMessage):
        from tencentcloud.sms.v20210111 import models

        params = template_params(message.body)
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.PhoneNumberSet = [self._e164(message.to)]
        request.SessionContext = message.key
        if params.is_call or not self.answer_template_id:
            request.TemplateId = self.template_id
            request.TemplateParamSet = [params.text, params.code, params.action, params.link]
        else:
            request.TemplateId = self.answer_template_id
            request.TemplateParamSet = [params.text]
        return request

    @staticmethod
    def _e164(phone: str) -> str:
        # Tencent wants +86 on mainland numbers; our data holds them without.
        digits = phone.strip()
        return digits if digits.startswith("+") else f"+86{digits}"

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )

        if self.misconfigured:
            raise TemporaryFailure(self.misconfigured)
        results: list[SendResult] = []
        for index, message in enumerate(messages):
            if message.channel != "sms":
                results.append(
                    SendResult(
                        key=message.key,
                        accepted=False,
                        error="Tencent Cloud SMS sends SMS only",
                        permanent=True,
                    )
                )
                continue
            try:
                response = self.client.SendSms(self._request(message))
            except TencentCloudSDKException as exc:
                code = str(exc.get_code() or "")
                if code.startswith(TRANSIENT_PREFIXES + CONFIGURATION_PREFIXES):
                    error = f"Tencent Cloud: {code}"
                    if not results:
                        raise TemporaryFailure(error) from None
                    results.extend(
                        SendResult(key=m.key, accepted=False, error=error) for m in messages[index:]
                    )
                    break
                results.append(
                    SendResult(
                        key=message.key,
                        accepted=False,
                        error=f"{code}: {exc.get_message()}"[:500],
                        permanent=True,
                    )
                )
                continue
            status = (response.SendStatusSet or [None])[0]
            if status is not None and status.Code == "Ok":
                results.append(
                    SendResult(key=message.key, accepted=True, gateway_id=status.SerialNo or "")
                )
            else:
                code = getattr(status, "Code", "") or "no status"
                results.append(
                    SendResult(
                        key=message.key,
                        accepted=False,
                        error=f"{code}: {getattr(status, 'Message', '')}"[:500],
                        permanent=not code.startswith(TRANSIENT_PREFIXES),
                    )
                )
        return results
