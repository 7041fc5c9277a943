"""API tokens (``Authorization: Token <secret>``, or ``Bearer``) checked on every request.

Whatever revoked a token elsewhere, this refuses it too: a token issued before the
user's last password change, or of an inactive user, is dead even if no code path
marked it revoked (a queryset ``update()`` skips ``User.save``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core.credentials import hash_secret
from core.models import ApiToken, RequestNonce

KEYWORDS = (b"token", b"bearer")
# last_used_at is for people reading the token list, not an audit trail: one write a
# minute per token at most, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class TokenRevoked(exceptions.AuthenticationFailed):
    default_code = "token_revoked"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header."), code="authentication_failed"
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token."), code="authentication_failed"
            ) from None
        return self.authenticate_credentials(secret)

    def authenticate_credentials(self, secret: str):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="authentication_failed")
        return check_token(token)

    def authenticate_header(self, request):
        return "Token"


def check_token(token: ApiToken):
    """(user, token) if the token is alive; refuses revoked and expired ones."""
    user = token.user
    changed = user.password_changed_at
    if (
        token.revoked_at is not None
        or not user.is_active
        or (changed is not None and token.created_at < changed)
    ):
        raise TokenRevoked(_("This token has been revoked. Request a new one."))
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenExpired(_("This token has expired. Request a new one."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme as the OpenAPI schema shows it (``/api/schema/``)."""

    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )


# --- signed requests (DESIGN11 "Signed inbound requests") ---------------------------------

KEY_HEADER = "HTTP_X_LINKAGE_KEY"
TIMESTAMP_HEADER = "HTTP_X_LINKAGE_TIMESTAMP"
NONCE_HEADER = "HTTP_X_LINKAGE_NONCE"
SIGNATURE_HEADER = "HTTP_X_LINKAGE_SIGNATURE"
SIGNED_WINDOW = 300  # seconds either side of our clock
_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SignatureInvalid(exceptions.AuthenticationFailed):
    default_code = "bad_signature"


class SignatureStale(exceptions.AuthenticationFailed):
    default_code = "stale_timestamp"


class RequestReplayed(exceptions.AuthenticationFailed):
    default_code = "replayed"


def signed_text(method: str, full_path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """What a signed request signs: method, path with query, timestamp, nonce and the
    sha256 of the raw body, one per line."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{full_path}\n{timestamp}\n{nonce}\n{digest}".encode()


def request_signature(
    key: str, method: str, full_path: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """The ``X-Linkage-Signature`` value; ``key`` is the token's secret hash (the sha256
    hex of the secret), which the client computes and the server stores."""
    text = signed_text(method, full_path, timestamp, nonce, body)
    return "sha256=" + hmac.new(key.encode(), text, hashlib.sha256).hexdigest()


def prune_nonces(*, now=None) -> int:
    """Forget nonces older than the window (their timestamps are refused anyway)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=2 * SIGNED_WINDOW)
    deleted, _detail = RequestNonce.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class SignedRequestAuthentication(BaseAuthentication):
    """A request signed with an API token's key instead of carrying the token:
    ``X-Linkage-Key`` (the token's prefix, as the token list shows it),
    ``X-Linkage-Timestamp`` (unix seconds, within 300 s of our clock),
    ``X-Linkage-Nonce`` (8–64 of ``A-Za-z0-9_-``, never twice) and
    ``X-Linkage-Signature: sha256=<hex HMAC-SHA256(sha256_hex(secret),
    "<METHOD>\\n<path?query>\\n<timestamp>\\n<nonce>\\n<sha256 hex of body>")>``.
    The secret itself never travels, and a recorded request cannot be sent again."""

    def authenticate(self, request):
        meta = request._request.META
        signed = meta.get(SIGNATURE_HEADER)
        if not signed:
            return None
        key = meta.get(KEY_HEADER, "")
        timestamp = meta.get(TIMESTAMP_HEADER, "")
        nonce = meta.get(NONCE_HEADER, "")
        if not key or not timestamp.isdigit() or not _NONCE.match(nonce):
            raise SignatureInvalid(
                _("A signed request needs X-Linkage-Key, X-Linkage-Timestamp and X-Linkage-Nonce.")
            )
        try:
            body = request._request.body
        except RawPostDataException:
            raise SignatureInvalid(_("The request body could not be read.")) from None
        path = request._request.get_full_path()
        method = request._request.method or ""
        match = None
        for token in ApiToken.objects.select_related("user").filter(prefix=key[:8])[:10]:
            expected = request_signature(token.key_hash, method, path, timestamp, nonce, body)
            if hmac.compare_digest(expected.encode(), signed.strip().encode()):
                match = token
        if match is None:
            raise SignatureInvalid(_("The request signature does not verify."))
        now = timezone.now()
        if abs(now.timestamp() - int(timestamp)) > SIGNED_WINDOW:
            raise SignatureStale(_("The request timestamp is too far from our clock."))
        user, token = check_token(match)
        try:
            # Its own transaction (ATOMIC_REQUESTS is off): a nonce is spent even if the
            # view then fails.
            with transaction.atomic():
                RequestNonce.objects.create(token=token, nonce=nonce, created_at=now)
        except IntegrityError:
            raise RequestReplayed(_("This request has already been received.")) from None
        return user, token

    def authenticate_header(self, request):
        return "Token"


class SignedRequestScheme(OpenApiAuthenticationExtension):
    """The signed-request scheme in the OpenAPI schema."""

    target_class = "core.api.authentication.SignedRequestAuthentication"
    name = "signedRequest"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Linkage-Signature",
            "description": (
                "sha256=<hex HMAC-SHA256(key, METHOD\\npath?query\\ntimestamp\\nnonce\\n"
                "sha256 hex of body)>, where key is the sha256 hex of the API token's secret; "
                "with X-Linkage-Key (token prefix), X-Linkage-Timestamp (unix seconds, "
                "±300 s) and X-Linkage-Nonce (8-64 of A-Za-z0-9_-, used once)."
            ),
        }
