"""API tokens (``Authorization: Token <secret>``, or ``Bearer``) checked on every request.

Whatever revoked a token elsewhere, this refuses it too: a token issued before the
user's last password change, or of an inactive user, is dead even if no code path
marked it revoked (a queryset ``update()`` skips ``User.save``).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core.credentials import hash_secret
from core.models import ApiToken

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

    def authenticate_header(self, request):
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme as the OpenAPI schema shows it (``/api/schema/``)."""

    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
