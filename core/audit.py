"""The tamper-evident audit trail (等保 2.0 level 3, issue 8).

Every ``core.Event`` carries ``hash = sha256(prev_hash + canonical content)``, chained over
``seq``: changing, deleting or re-numbering a row breaks the chain at that row, and
``verify_chain`` (the ``verify_audit`` command and the /audit/ page) finds the first
break. The content function lives here alone so that writer and verifier cannot drift.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def canonical_content(
    *,
    seq: int,
    type: str,
    jurisdiction_id: int,
    subject_type: str,
    subject_id: str,
    subject_label: str,
    payload: Any,
    actor_id: int | None,
    organisation_id: int | None,
    ip_address: str | None,
    created_at: dt.datetime,
) -> str:
    """One event's content as a stable string: sorted keys, no whitespace, UTC time with
    microseconds (what SQLite and PostgreSQL both store and give back unchanged)."""
    return json.dumps(
        {
            "seq": seq,
            "type": type,
            "jurisdiction": jurisdiction_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "subject_label": subject_label,
            "payload": payload,
            "actor": actor_id,
            "organisation": organisation_id,
            "ip_address": ip_address or None,
            "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


# The columns ``canonical_content`` reads, for ``values()`` queries over many rows.
CONTENT_FIELDS = (
    "seq",
    "type",
    "jurisdiction_id",
    "subject_type",
    "subject_id",
    "subject_label",
    "payload",
    "actor_id",
    "organisation_id",
    "ip_address",
    "created_at",
)


def row_hash(row: dict[str, Any], prev_hash: str) -> str:
    """The hash a row of ``values(*CONTENT_FIELDS)`` should carry after ``prev_hash``."""
    return chain_hash(prev_hash, canonical_content(**{k: row[k] for k in CONTENT_FIELDS}))


# --- verifying the chain -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: ``broken_seq`` is None when the chain holds."""

    count: int
    last_seq: int | None
    broken_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk every event in seq order and return the first row where the chain breaks.

    Reasons name the kind of tampering only (no row content), so the report can be shown
    to an administrator who may not read every event.
    """
    from core.models import Event, EventCounter

    rows = Event.objects.order_by("seq").values("prev_hash", "hash", *CONTENT_FIELDS)
    count = 0
    prev: dict[str, Any] | None = None
    for row in rows.iterator(chunk_size=chunk_size):
        problem = _first_problem(row, prev)
        if problem:
            return ChainReport(count, prev["seq"] if prev else None, *problem)
        count += 1
        prev = row
    counter = EventCounter.objects.filter(pk=1).values("value", "last_hash").first()
    last_seq = prev["seq"] if prev else None
    if counter and counter["value"] != (last_seq or 0):
        return ChainReport(
            count,
            last_seq,
            (last_seq or 0) + 1,
            _("The newest events (after seq %(seq)s) were deleted.") % {"seq": last_seq or 0},
        )
    if counter and prev and counter["last_hash"] != prev["hash"]:
        return ChainReport(
            count, last_seq, last_seq, _("The newest event was changed or replaced.")
        )
    return ChainReport(count, last_seq)


def _first_problem(row: dict[str, Any], prev: dict[str, Any] | None) -> tuple[int, str] | None:
    from core.models import Event

    seq = row["seq"]
    if prev is None:
        if row["prev_hash"]:
            return seq, _("Events before this one were deleted.")
    elif seq != prev["seq"] + 1:
        return prev["seq"] + 1, _("Missing seq: the event was deleted.")
    elif row["prev_hash"] != prev["hash"]:
        elsewhere = (
            Event.objects.filter(hash=row["prev_hash"]).values_list("seq", flat=True).first()
        )
        if elsewhere is not None:
            return seq, _(
                "Events were re-ordered: this event follows seq %(seq)s in the chain."
            ) % {"seq": elsewhere}
        return seq, _("The event before this one was deleted or replaced.")
    if row_hash(row, row["prev_hash"]) != row["hash"]:
        return seq, _("The content was changed (hash mismatch).")
    return None


# --- security events: logins, refusals, reveals ---------------------------------------------

logger = logging.getLogger(__name__)


class SecurityEvent(models.TextChoices):
    """Event types of the security audit (等保 2.0 level 3: who, when, from where)."""

    LOGIN = "security.login", gettext_lazy("Login")
    LOGIN_FAILED = "security.login_failed", gettext_lazy("Failed login")
    LOGOUT = "security.logout", gettext_lazy("Logout")
    TOKEN_ISSUED = "security.token_issued", gettext_lazy("API token issued")
    TOKEN_REFUSED = "security.token_refused", gettext_lazy("API token refused")
    REFUSED = "security.refused", gettext_lazy("Access refused")
    REVEAL = "security.reveal", gettext_lazy("Personal data revealed")
    CALLBACK_REFUSED = "security.callback_refused", gettext_lazy("Gateway callback refused")


# Administrative changes (accounts, organisations, operators' admin edits) belong in the
# audit page too; their services record them with ``ip_address=client_address(request)``.
ADMINISTRATIVE_PREFIXES = ("user.", "account.", "organisation.", "admin.")
AUDIT_PREFIXES = ("security.", *ADMINISTRATIVE_PREFIXES)


def client_address(request: Any) -> str | None:
    """The client's address as django-axes sees it (so lockouts and the audit agree):
    ``TRUSTED_PROXY_COUNT`` decides whether X-Forwarded-For is believed. Takes a Django
    or a DRF request."""
    from axes.helpers import get_client_ip_address

    request = getattr(request, "_request", request)
    if request is None:
        return None
    return get_client_ip_address(request) or None


def proxy_aware_address(request: Any) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: behind ``TRUSTED_PROXY_COUNT`` proxies, the entry of
    X-Forwarded-For that the outermost trusted proxy appended; else the socket address.
    Entries further left were written by the client and prove nothing."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def _root_jurisdiction():
    from core.models import Jurisdiction

    return Jurisdiction.objects.filter(parent=None).order_by("path").first()


def record_security_event(
    *,
    type: str,
    request: Any,
    user: Any = None,
    username: str = "",
    subject: Any = None,
    payload: dict[str, Any] | None = None,
) -> Any:
    """Record a security event with its user, time and client address, in its own
    transaction. ``user`` is the signed-in user; for a failed login give ``username``.
    Never put a password or a token in ``payload``.

    Filed under the user's jurisdiction, else (unknown username, a superuser without an
    organisation) the root of the tree; skipped when there is no jurisdiction at all.
    A database error is logged, not raised: the answer to the request must not depend
    on it (a refusal stays a 403/404)."""
    from core.events import record_event
    from core.models import User

    try:
        with transaction.atomic():
            account = user
            if account is None and username:
                account = User.objects.filter(username=username).first()
            jurisdiction = (account.jurisdiction if account is not None else None) or (
                _root_jurisdiction()
            )
            if jurisdiction is None:
                return None
            body = {"username": username or getattr(account, "username", "")}
            body.update(payload or {})
            return record_event(
                type=str(type),
                jurisdiction=jurisdiction,
                subject=subject if subject is not None else (account or jurisdiction),
                payload=body,
                actor=user,
                organisation=getattr(account, "organisation", None),
                ip_address=client_address(request),
            )
    except DatabaseError:
        logger.warning("security event %s not recorded", type, exc_info=True)
        return None


def is_api_request(request: Any) -> bool:
    from rest_framework.request import Request

    return isinstance(request, Request)


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_security_event(type=SecurityEvent.LOGIN, request=request, user=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_security_event(type=SecurityEvent.LOGOUT, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The token endpoint records its own refusals (security.token_refused).
    if request is None or is_api_request(request):
        return
    username = str(credentials.get("username", ""))[:150]
    payload = {"locked": True} if getattr(request, "axes_locked_out", False) else None
    record_security_event(
        type=SecurityEvent.LOGIN_FAILED, request=request, username=username, payload=payload
    )


def record_refusal(request: Any, status: int) -> None:
    """A signed-in user's 403 or 404 (a page or the API): who tried what, from where."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    record_security_event(
        type=SecurityEvent.REFUSED,
        request=request,
        user=user,
        payload={"status": status, "method": request.method, "path": request.path[:200]},
    )


# --- the audit page's queries -----------------------------------------------------------------


def type_label(event_type: str) -> str:
    """The Chinese name of an audit event type; the code itself for one not named here."""
    from core.events import ADMINISTRATIVE_LABELS  # core.events imports this module

    if event_type in SecurityEvent.values:
        return str(SecurityEvent(event_type).label)
    return str(ADMINISTRATIVE_LABELS.get(event_type, event_type))


def audit_events_for(user: Any):
    """Security and administrative events of the user's jurisdiction and below."""
    from core.models import Event

    matches = models.Q()
    for prefix in AUDIT_PREFIXES:
        matches |= models.Q(type__startswith=prefix)
    return Event.objects.visible_to(user).filter(matches)


def reveals_for(user: Any):
    """The reveal log (``PersonalDataAccess``) of records in the user's jurisdiction."""
    from django.apps import apps
    from django.db.models.functions import Cast

    from core.models import PersonalDataAccess
    from core.services import REVEALABLE_PHONES

    rows = PersonalDataAccess.objects.all()
    if user.is_superuser:
        return rows
    visible = models.Q(pk__in=[])
    for label in REVEALABLE_PHONES:
        ids = (
            apps.get_model(label)
            .objects.visible_to(user)
            .annotate(sid=Cast("pk", models.CharField()))
            .values("sid")
        )
        visible |= models.Q(subject_type=label, subject_id__in=ids)
    return rows.filter(visible)
