"""Credentials of 等保 2.0 level 3: API tokens (expiry per client kind, rotation,
revocation) and who must log in with a second factor (TOTP).

A token's secret is shown once, when it is issued; the database keeps its sha256 only.
People's tokens expire after ``API_TOKEN_HOURS``; the provincial sync client's after
``SYNC_TOKEN_DAYS`` and are rotated before that: the new one is returned and the old one
stays valid ``SYNC_TOKEN_OVERLAP_HOURS`` longer, so a client deploying the new secret
loses no request. Every token of a user dies when its password changes or the account
is deactivated (``User.save`` and, independently, the authentication class).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import CredentialEvent, record_event
from core.exceptions import ConflictError, NotFoundError, PermissionDeniedError
from core.models import ApiToken, TokenKind, User
from core.roles import Role

PREFIX_LENGTH = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def token_kind_for(user: User) -> str:
    return TokenKind.SYNC_CLIENT if user.has_role(Role.SYNC_CLIENT) else TokenKind.PERSON


def token_lifetime(kind: str) -> timedelta:
    if kind == TokenKind.SYNC_CLIENT:
        return timedelta(days=settings.SYNC_TOKEN_DAYS)
    return timedelta(hours=settings.API_TOKEN_HOURS)


def _record(
    type: CredentialEvent, *, user: User, token: ApiToken, actor: Any, ip_address: str | None
):
    # Events need a jurisdiction; a platform operator without an organisation has none.
    if user.jurisdiction is None:
        return
    record_event(
        type=type,
        jurisdiction=user.jurisdiction,
        subject=user,
        actor=actor,
        organisation=user.organisation,
        ip_address=ip_address,
        payload={"token_id": token.pk, "prefix": token.prefix, "kind": token.kind},
    )


def _new_token(user: User, kind: str, name: str, now: datetime) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_secret(secret),
        prefix=secret[:PREFIX_LENGTH],
        kind=kind,
        name=name[:100],
        created_at=now,
        expires_at=now + token_lifetime(kind),
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def issue_token(*, user: User, name: str = "") -> IssuedToken:
    """A new token for ``user`` after it proved who it is (password, and code if due).
    The login itself is the audit log's business (token-endpoint logins are recorded
    there), so no event here."""
    return _new_token(user, token_kind_for(user), name, timezone.now())


@transaction.atomic
def rotate_token(*, token_id: int, ip_address: str | None = None) -> IssuedToken:
    """Replace a sync client's token: a new one for a full lifetime; the old one ends
    ``SYNC_TOKEN_OVERLAP_HOURS`` from now (or earlier, if it would anyway)."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
    if token.kind != TokenKind.SYNC_CLIENT:
        raise PermissionDeniedError(
            _("Only sync-client tokens are rotated; people request a new token.")
        )
    if token.rotated_at is not None or token.revoked_at is not None:
        raise ConflictError(_("This token has already been replaced."))
    now = timezone.now()
    token.rotated_at = now
    overlap = timedelta(hours=settings.SYNC_TOKEN_OVERLAP_HOURS)
    token.expires_at = min(token.expires_at, now + overlap)
    token.save(update_fields=["rotated_at", "expires_at"])
    issued = _new_token(token.user, token.kind, token.name, now)
    _record(
        CredentialEvent.TOKEN_ROTATED,
        user=token.user,
        token=token,
        actor=token.user,
        ip_address=ip_address,
    )
    return issued


def tokens_visible_to(actor: User):
    """The actor's own tokens; an administrator's also those of the users of its
    jurisdiction and below (never a superuser's)."""
    own = ApiToken.objects.filter(user=actor)
    if actor.is_superuser:
        return ApiToken.objects.all()
    jurisdiction = actor.jurisdiction
    if not actor.has_role(Role.ADMINISTRATOR) or jurisdiction is None:
        return own
    return (
        ApiToken.objects.filter(
            user__organisation__jurisdiction__path__startswith=jurisdiction.path,
            user__is_superuser=False,
        )
        | own
    )


@transaction.atomic
def revoke_token(*, actor: User, token_id: int, ip_address: str | None = None) -> ApiToken:
    """End one token now: the actor's own, or (administrators) one of a user in their
    jurisdiction. Anything else is "not found", like a token that does not exist."""
    token = (
        tokens_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("user__organisation__jurisdiction")
        .filter(pk=token_id)
        .first()
    )
    if token is None:
        raise NotFoundError(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _record(
            CredentialEvent.TOKEN_REVOKED,
            user=token.user,
            token=token,
            actor=actor,
            ip_address=ip_address,
        )
    return token


def record_password_changed(*, user: User, ip_address: str | None = None) -> None:
    """The event of a password change made on the platform's own page."""
    if user.jurisdiction is None:
        return
    with transaction.atomic():
        record_event(
            type=CredentialEvent.PASSWORD_CHANGED,
            jurisdiction=user.jurisdiction,
            subject=user,
            actor=user,
            organisation=user.organisation,
            ip_address=ip_address,
        )


# --- second factor ---------------------------------------------------------------------


def otp_required_for(user: User) -> bool:
    """Must this user log in with a TOTP code? Its roles (``OTP_REQUIRED_ROLES``), and
    superusers whenever that list is not empty."""
    roles = [r for r in settings.OTP_REQUIRED_ROLES if r]
    if not roles:
        return False
    return user.is_superuser or user.has_role(*roles)


def confirmed_device(user: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def needs_second_factor(user: User) -> bool:
    """Required by role, or chosen: a user who has enrolled a device always uses it."""
    return otp_required_for(user) or confirmed_device(user) is not None


def record_otp_enrolled(*, user: User, ip_address: str | None = None) -> None:
    if user.jurisdiction is None:
        return
    with transaction.atomic():
        record_event(
            type=CredentialEvent.OTP_ENROLLED,
            jurisdiction=user.jurisdiction,
            subject=user,
            actor=user,
            organisation=user.organisation,
            ip_address=ip_address,
        )
