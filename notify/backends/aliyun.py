"""SMS through Alibaba Cloud (阿里云短信服务), official SDK ``alibabacloud-dysmsapi20170525``.

One ``SendSms`` per message (each message has its own reply code and link), with the
approved sign name and template (notify.backends.templated explains the variables) and
our idempotency key as ``OutId``, which comes back in the service's receipts. The
service does not deduplicate by OutId: a worker that dies between the service's answer
and our commit sends that one message again. Settings: NOTIFY_ALIYUN_ACCESS_KEY_ID /
_ACCESS_KEY_SECRET, _ENDPOINT (a host, or http(s)://host:port for a private endpoint),
_REGION, _SIGN_NAME, _TEMPLATE_CODE, _ANSWER_TEMPLATE_CODE; NOTIFY_GATEWAY_TIMEOUT.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings

from notify.backends.base import BaseBackend, OutboundMessage, SendResult, TemporaryFailure
from notify.backends.templated import template_params

# Answers that say "not now" rather than "never" (flow control, balance, the service's
# own trouble): the message waits for the next attempt.
TRANSIENT_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.AMOUNT_NOT_ENOUGH",
        "isv.OUT_OF_SERVICE",
        "isp.SYSTEM_ERROR",
        "isp.RAM_PERMISSION_DENY",
        "SignatureNonceUsed",
        "Throttling.User",
    }
)


def split_endpoint(endpoint: str, default_scheme: str = "https") -> tuple[str, str]:
    """``(scheme, host[:port])`` of a setting that may or may not carry a scheme."""
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        return parts.scheme, parts.netloc
    return default_scheme, endpoint.strip("/")


class AliyunSmsBackend(BaseBackend):
    max_batch = 50

    def __init__(self, **options) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        super().__init__(**options)

        def option(name: str):
            return options.get(name.lower(), getattr(settings, f"NOTIFY_ALIYUN_{name}", ""))

        self.sign_name = option("SIGN_NAME")
        self.template_code = option("TEMPLATE_CODE")
        self.answer_template_code = option("ANSWER_TEMPLATE_CODE")
        # Raised at hand-over, not here, so it shows on the health page (see http.py).
        self.misconfigured = ""
        if not (self.sign_name and self.template_code):
            self.misconfigured = "NOTIFY_ALIYUN_SIGN_NAME and _TEMPLATE_CODE are required"
        scheme, host = split_endpoint(option("ENDPOINT"))
        timeout_ms = int(
            float(options.get("timeout", getattr(settings, "NOTIFY_GATEWAY_TIMEOUT", 10))) * 1000
        )
        config = Config(
            access_key_id=option("ACCESS_KEY_ID"),
            access_key_secret=option("ACCESS_KEY_SECRET"),
            endpoint=host,
            protocol=scheme,
            region_id=option("REGION"),
            connect_timeout=min(3000, timeout_ms),
            read_timeout=timeout_ms,
        )
        self.client = None
        try:
            self.client = Client(config)
        except Exception as exc:  # the SDK checks its configuration at construction
            self.misconfigured = self.misconfigured or f"Alibaba Cloud client: {exc}"[:300]

    def _request(self, message: OutboundMessage):
        from alibabacloud_dysmsapi20170525 import models

        params = template_params(message.body)
        if params.is_call or not self.answer_template_code:
            template, values = (
                self.template_code,
                {
                    "text": params.text,
                    "code": params.code,
                    "action": params.action,
                    "link": params.link,
                },
            )
        else:
            template, values = self.answer_template_code, {"text": params.text}
        return models.SendSmsRequest(
            phone_numbers=message.to,
            sign_name=self.sign_name,
            template_code=template,
            template_param=json.dumps(values, ensure_ascii=False),
            out_id=message.key,
        )

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        from alibabacloud_tea_openapi.exceptions import ClientException

        if self.misconfigured:
            raise TemporaryFailure(self.misconfigured)
        results: list[SendResult] = []
        for index, message in enumerate(messages):
            if message.channel != "sms":
                results.append(
                    SendResult(
                        key=message.key,
                        accepted=False,
                        error="Alibaba Cloud SMS sends SMS only",
                        permanent=True,
                    )
                )
                continue
            try:
                body = self.client.send_sms(self._request(message)).body
            except ClientException as exc:
                # A 4xx to the call itself: a wrong key, sign or template — an operator's
                # fix, not the message's fault; the message waits for the next attempt.
                error = f"Alibaba Cloud refused the request: {exc.code}"
                if not results:
                    raise TemporaryFailure(error) from None
                results.extend(
                    SendResult(key=m.key, accepted=False, error=error) for m in messages[index:]
                )
                break
            except Exception as exc:  # network, timeout, 5xx, throttling: the SDK's many types
                error = f"Alibaba Cloud unreachable: {type(exc).__name__}"
                if not results:
                    raise TemporaryFailure(error) from None
                results.extend(
                    SendResult(key=m.key, accepted=False, error=error) for m in messages[index:]
                )
                break
            if body.code == "OK":
                results.append(
                    SendResult(key=message.key, accepted=True, gateway_id=body.biz_id or "")
                )
            else:
                results.append(
                    SendResult(
                        key=message.key,
                        accepted=False,
                        error=f"{body.code}: {body.message}"[:500],
                        permanent=body.code not in TRANSIENT_CODES,
                    )
                )
        return results
