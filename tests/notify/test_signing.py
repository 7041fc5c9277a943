"""The protocol's signature: HMAC-SHA256 over "timestamp.body", fresh for 300 s."""

from __future__ import annotations

import pytest

from notify import signing
from notify.backends.base import OutboundMessage, TemporaryFailure
from notify.backends.http import HttpGatewayBackend
from tests.notify.gateway_server import sign as gateway_sign

BODY = b'{"event_id":"e1","type":"receipt"}'
NOW = 1_796_000_000


def test_our_signature_is_the_one_the_gateway_computes():
    assert signing.sign("s3cret", BODY, now=NOW) == gateway_sign(b"s3cret", BODY, now=NOW)


def test_a_signature_verifies_within_300_seconds_either_way():
    headers = signing.sign("s3cret", BODY, now=NOW)
    ts, sig = headers[signing.TIMESTAMP_HEADER], headers[signing.SIGNATURE_HEADER]
    for now in (NOW - 300, NOW, NOW + 300):
        signing.verify("s3cret", BODY, ts, sig, now=now)
    for now in (NOW - 301, NOW + 301):
        with pytest.raises(signing.BadSignature, match="window"):
            signing.verify("s3cret", BODY, ts, sig, now=now)


def test_another_secret_another_body_or_another_time_does_not_verify():
    headers = signing.sign("s3cret", BODY, now=NOW)
    ts, sig = headers[signing.TIMESTAMP_HEADER], headers[signing.SIGNATURE_HEADER]
    with pytest.raises(signing.BadSignature):
        signing.verify("other", BODY, ts, sig, now=NOW)
    with pytest.raises(signing.BadSignature):
        signing.verify("s3cret", BODY + b" ", ts, sig, now=NOW)
    with pytest.raises(signing.BadSignature):
        signing.verify("s3cret", BODY, str(NOW + 1), sig, now=NOW)
    with pytest.raises(signing.BadSignature, match="no gateway secret"):
        signing.verify("", BODY, ts, sig, now=NOW)


def test_the_secret_file_wins_over_the_variable(settings, tmp_path):
    path = tmp_path / "gateway.secret"
    path.write_text("from-the-file\n", encoding="utf-8")
    settings.NOTIFY_GATEWAY_SECRET = "from-the-variable"
    settings.NOTIFY_GATEWAY_SECRET_FILE = str(path)
    assert signing.gateway_secret() == b"from-the-file"


@pytest.mark.parametrize(
    ("url", "secret", "error"),
    [("", "s", "NOTIFY_GATEWAY_URL"), ("http://127.0.0.1:9", "", "NOTIFY_GATEWAY_SECRET")],
)
def test_an_unconfigured_gateway_fails_its_hand_overs_for_the_health_page(
    settings, url, secret, error
):
    settings.NOTIFY_GATEWAY_URL = url
    settings.NOTIFY_GATEWAY_SECRET = secret
    settings.NOTIFY_GATEWAY_SECRET_FILE = ""
    backend = HttpGatewayBackend()
    with pytest.raises(TemporaryFailure, match=error):
        backend.send_messages([OutboundMessage(key="k", channel="sms", to="1", body="b")])
