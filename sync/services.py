"""Writes of provincial sync: the outbound push subscribers (DESIGN11 "Subscriber").

An administrator keeps the subscribers of its jurisdiction and below (superusers all);
a sync client reads the subscribers that push for it. Every write locks the row,
authorises, validates, saves with ``update_fields`` and records a ``subscriber.*`` event
last. The signing secret is generated here unless the administrator gives one; it is
returned once (``IssuedSubscriber.secret``) and never read back through a page or the API.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import subjects
from core.events import record_event
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event, Jurisdiction, User
from core.roles import Role
from sync.events import SyncEvent
from sync.models import Subscriber

SECRET_MIN = 16
SECRET_MAX = 128
_KIND = re.compile(r"^[a-z0-9_]{1,64}$")
EDITABLE = ("name", "url", "kinds", "client")


@dataclass(frozen=True)
class IssuedSubscriber:
    subscriber: Subscriber
    secret: str  # shown once; "" when the administrator kept the old one


# --- who ------------------------------------------------------------------------------------


def can_manage_subscribers(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))
    )


def can_read_subscribers(user: Any) -> bool:
    return can_manage_subscribers(user) or bool(
        getattr(user, "is_authenticated", False) and user.has_role(Role.SYNC_CLIENT)
    )


def subscribers_visible_to(user: Any) -> QuerySet[Subscriber]:
    """Administrators: those of their jurisdiction and below; a sync client: its own."""
    base = Subscriber.objects.select_related("jurisdiction", "client")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if can_manage_subscribers(user):
        return base.visible_to(user)
    if user.has_role(Role.SYNC_CLIENT):
        return base.filter(client=user)
    return base.none()


def clients_for(actor: User) -> QuerySet[User]:
    """The sync-client accounts an administrator may push for: active, in its
    jurisdiction and below."""
    users = User.objects.filter(is_active=True, groups__name=Role.SYNC_CLIENT).select_related(
        "organisation__jurisdiction"
    )
    if actor.is_superuser:
        return users.order_by("username")
    jurisdiction = actor.jurisdiction
    if jurisdiction is None:
        return users.none()
    return users.filter(
        organisation__jurisdiction__path__startswith=jurisdiction.path, is_superuser=False
    ).order_by("username")


def jurisdictions_for(actor: User) -> QuerySet[Jurisdiction]:
    if actor.is_superuser:
        return Jurisdiction.objects.order_by("path")
    jurisdiction = actor.jurisdiction
    if jurisdiction is None:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(path__startswith=jurisdiction.path).order_by("path")


def _require_manager(actor: User) -> None:
    if not can_manage_subscribers(actor):
        raise PermissionDeniedError(_("Only administrators keep sync subscribers."))


def _locked(actor: User, subscriber_id: int) -> Subscriber:
    _require_manager(actor)
    found = (
        Subscriber.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("jurisdiction", "client")
        .filter(pk=subscriber_id)
        .first()
    )
    if found is None:
        raise NotFoundError(_("No such subscriber."))
    return found


# --- validation -----------------------------------------------------------------------------


def _clean(actor: User, data: dict[str, Any], current: Subscriber | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in data or current is None:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 100:
            errors["name"] = [_("Give a name of at most 100 characters.")]
        cleaned["name"] = name
    if "url" in data or current is None:
        url = str(data.get("url") or "").strip()
        try:
            if len(url) > 500:
                raise DjangoValidationError("too long")
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError:
            errors["url"] = [_("Give an http or https URL of at most 500 characters.")]
        cleaned["url"] = url
    if "kinds" in data:
        kinds = data.get("kinds") or []
        known = set(subjects.feed_kinds())
        if not isinstance(kinds, list | tuple) or not all(
            isinstance(k, str) and _KIND.match(k) for k in kinds
        ):
            errors["kinds"] = [_("Give subject kinds such as incident, force.")]
        elif unknown := sorted(set(kinds) - known):
            errors["kinds"] = [
                _("Unknown subject kinds: %(kinds)s. Known: %(known)s.")
                % {"kinds": ", ".join(unknown), "known": ", ".join(sorted(known))}
            ]
        else:
            cleaned["kinds"] = sorted(set(kinds))
    if "client" in data or current is None:
        client = data.get("client")
        client_id = getattr(client, "pk", client)
        found = clients_for(actor).filter(pk=client_id).first() if client_id else None
        if found is None:
            errors["client"] = [_("Choose a sync-client account of your jurisdiction.")]
        cleaned["client"] = found
    if "jurisdiction" in data or current is None:
        jurisdiction = data.get("jurisdiction")
        if current is not None and jurisdiction is not None:
            errors["jurisdiction"] = [_("A subscriber stays in its jurisdiction.")]
        code = getattr(jurisdiction, "code", jurisdiction)
        found_j = jurisdictions_for(actor).filter(code=code).first() if code else None
        if current is None and found_j is None:
            errors["jurisdiction"] = [_("Choose a jurisdiction you administer.")]
        cleaned["jurisdiction"] = found_j
    secret = data.get("secret")
    if secret:
        secret = str(secret)
        if not SECRET_MIN <= len(secret) <= SECRET_MAX or not secret.isprintable():
            errors["secret"] = [
                _("A secret has between %(min)d and %(max)d printable characters.")
                % {"min": SECRET_MIN, "max": SECRET_MAX}
            ]
        cleaned["secret"] = secret
    jurisdiction_obj = cleaned.get("jurisdiction") or (current.jurisdiction if current else None)
    client_obj = cleaned.get("client") or (current.client if current else None)
    if (
        jurisdiction_obj is not None
        and client_obj is not None
        and "client" not in errors
        and client_obj.organisation.jurisdiction_id != jurisdiction_obj.pk
    ):
        # The subscriber receives what its client sees: a client of another jurisdiction
        # would send that jurisdiction's changes under this one's name.
        errors["client"] = [_("Choose a sync-client account of the subscriber's jurisdiction.")]
    name = cleaned.get("name")
    if jurisdiction_obj is not None and name and "name" not in errors:
        same = Subscriber.objects.filter(jurisdiction=jurisdiction_obj, name=name)
        if current is not None:
            same = same.exclude(pk=current.pk)
        if same.exists():
            errors["name"] = [_("This jurisdiction already has a subscriber of that name.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    return cleaned


def _latest_seq() -> int:
    return Event.objects.aggregate(m=Max("seq"))["m"] or 0


# --- writes ---------------------------------------------------------------------------------


def create_subscriber(
    *, actor: User, data: dict[str, Any], ip_address: str | None = None
) -> IssuedSubscriber:
    """A new subscriber of ``data["jurisdiction"]`` pushing what ``data["client"]`` sees
    to ``data["url"]``. It starts at ``data["cursor"]`` (default: the latest seq now, so
    it receives what happens from now on; 0 sends the whole history)."""
    with transaction.atomic():
        _require_manager(actor)
        cleaned = _clean(actor, data, None)
        latest = _latest_seq()
        cursor = data.get("cursor")
        if cursor is None:
            cursor = latest
        if not isinstance(cursor, int) or not 0 <= cursor <= latest:
            raise ValidationFailed(
                _("The cursor is a seq between 0 and the latest one."),
                errors={"cursor": [_("Between 0 and %(n)d.") % {"n": latest}]},
            )
        secret = cleaned.pop("secret", None) or secrets.token_urlsafe(32)
        subscriber = Subscriber.objects.create(
            jurisdiction=cleaned["jurisdiction"],
            client=cleaned["client"],
            name=cleaned["name"],
            url=cleaned["url"],
            kinds=cleaned.get("kinds", []),
            secret=secret,
            cursor=cursor,
            active=bool(data.get("active", True)),
        )
        record_event(
            type=SyncEvent.SUBSCRIBER_CREATED,
            jurisdiction=subscriber.jurisdiction,
            subject=subscriber,
            actor=actor,
            ip_address=ip_address,
            payload={"name": subscriber.name, "cursor": cursor, "client": subscriber.client_id},
        )
    return IssuedSubscriber(subscriber=subscriber, secret=secret)


def update_subscriber(
    *, actor: User, subscriber_id: int, data: dict[str, Any], ip_address: str | None = None
) -> Subscriber:
    """Change name, url, kinds, client or (``data["secret"]``) the signing secret. The
    secret is never echoed in the event."""
    with transaction.atomic():
        subscriber = _locked(actor, subscriber_id)
        cleaned = _clean(actor, {k: v for k, v in data.items() if v is not None}, subscriber)
        cleaned.pop("jurisdiction", None)
        changed = []
        for field in (*EDITABLE, "secret"):
            if field in cleaned and getattr(subscriber, field) != cleaned[field]:
                setattr(subscriber, field, cleaned[field])
                changed.append(field)
        if not changed:
            return subscriber
        update_fields = [("client" if f == "client" else f) for f in changed]
        subscriber.save(update_fields=update_fields)
        _updated(subscriber, actor, ip_address, {"changed": changed})
    return subscriber


def _updated(subscriber: Subscriber, actor: User, ip_address: str | None, payload: dict):
    record_event(
        type=SyncEvent.SUBSCRIBER_UPDATED,
        jurisdiction=subscriber.jurisdiction,
        subject=subscriber,
        actor=actor,
        ip_address=ip_address,
        payload=payload,
    )


def set_active(
    *, actor: User, subscriber_id: int, active: bool, ip_address: str | None = None
) -> Subscriber:
    """Pause (nothing is sent; the cursor waits) or resume (due at once)."""
    with transaction.atomic():
        subscriber = _locked(actor, subscriber_id)
        if subscriber.active == active:
            return subscriber
        subscriber.active = active
        fields = ["active"]
        if active:
            subscriber.next_attempt_at = timezone.now()
            fields.append("next_attempt_at")
        subscriber.save(update_fields=fields)
        _updated(subscriber, actor, ip_address, {"active": active})
    return subscriber


def pause_subscriber(*, actor: User, subscriber_id: int, ip_address: str | None = None):
    return set_active(actor=actor, subscriber_id=subscriber_id, active=False, ip_address=ip_address)


def resume_subscriber(*, actor: User, subscriber_id: int, ip_address: str | None = None):
    return set_active(actor=actor, subscriber_id=subscriber_id, active=True, ip_address=ip_address)


def retry_now(*, actor: User, subscriber_id: int, ip_address: str | None = None) -> Subscriber:
    """Make a waiting subscriber due now (its backoff is cut short, the count kept)."""
    with transaction.atomic():
        subscriber = _locked(actor, subscriber_id)
        subscriber.next_attempt_at = timezone.now()
        subscriber.save(update_fields=["next_attempt_at"])
        _updated(subscriber, actor, ip_address, {"retry": True})
    return subscriber


def reset_cursor(
    *, actor: User, subscriber_id: int, cursor: int, ip_address: str | None = None
) -> Subscriber:
    """Move the cursor (0 resends everything; the latest seq skips the backlog). The
    batch in flight is forgotten and the subscriber is due at once."""
    with transaction.atomic():
        subscriber = _locked(actor, subscriber_id)
        latest = _latest_seq()
        if not isinstance(cursor, int) or not 0 <= cursor <= latest:
            raise ValidationFailed(
                _("The cursor is a seq between 0 and the latest one."),
                errors={"cursor": [_("Between 0 and %(n)d.") % {"n": latest}]},
            )
        before = subscriber.cursor
        subscriber.cursor = cursor
        subscriber.pending_until = None
        subscriber.attempts = 0
        subscriber.next_attempt_at = timezone.now()
        subscriber.save(update_fields=["cursor", "pending_until", "attempts", "next_attempt_at"])
        _updated(subscriber, actor, ip_address, {"cursor": cursor, "from": before})
    return subscriber


# --- the pusher's writes (no actor: the platform itself) ------------------------------------


def record_failing(subscriber: Subscriber, error: str) -> None:
    """The first failure after a success: one event, not one per attempt."""
    record_event(
        type=SyncEvent.SUBSCRIBER_FAILING,
        jurisdiction=subscriber.jurisdiction,
        subject=subscriber,
        payload={"error": error[:200], "cursor": subscriber.cursor},
    )


def record_recovered(subscriber: Subscriber, attempts: int, since: datetime | None) -> None:
    record_event(
        type=SyncEvent.SUBSCRIBER_RECOVERED,
        jurisdiction=subscriber.jurisdiction,
        subject=subscriber,
        payload={"attempts": attempts, "cursor": subscriber.cursor},
    )
