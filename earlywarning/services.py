"""Every write of warnings (SPEC §3; DESIGN12 "Services"). Pages, API, CAP import, the
notify registry and the beat tick call these functions; each one, in one transaction,
locks its row, authorises (``earlywarning.permissions``), checks the state, writes,
records the event last and leaves sending to notify's after-commit hand-over.

Lifecycle: draft → published → updated (a newer version was published) | cancelled |
expired. A revision is a new draft whose ``previous`` is the published version;
publishing it closes the previous one and asks every recipient again (msgType Update).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from earlywarning import notifications
from earlywarning.choices import (
    KEY_PERIOD_LEVELS,
    Certainty,
    MessageType,
    RecipientKind,
    Urgency,
    WarningLevel,
    WarningSource,
    WarningStatus,
)
from earlywarning.events import WarningEvent
from earlywarning.models import HazardType, HazardWarning, WarningRecipient
from earlywarning.permissions import (
    acknowledges_on_behalf,
    can_acknowledge,
    can_draft,
    can_edit,
    can_publish,
    may_relay,
)
from earlywarning.targeting import between_codes, force_recipients, in_area
from earlywarning.targeting import recipients_for as target_recipients
from forces.choices import ForceStatus
from forces.models import Force, Specialty
from notify.types import Responder

BULK_BATCH = 1000


class WarningNotDraft(InvalidTransition):
    code = "warning_not_draft"


class WarningNotPublished(InvalidTransition):
    code = "warning_not_published"


class AlreadyAcknowledged(InvalidTransition):
    code = "already_acknowledged"


@dataclass(frozen=True)
class WarningData:
    hazard_type: HazardType
    level: str  # WarningLevel value
    areas: Sequence[Jurisdiction]  # at least one
    headline: str
    description: str
    effective_at: datetime
    expires_at: datetime
    instruction: str = ""
    force_instruction: str = ""
    polygon: str = ""  # CAP "lat,lon lat,lon …", closed ring, ≥ 4 pairs, WGS-84
    area_description: str = ""  # default: the area names joined with "、"
    urgency: str = Urgency.EXPECTED
    certainty: str = Certainty.LIKELY
    opens_key_period: bool = False  # orange and red only
    external_id: str = ""


# --- checks ---------------------------------------------------------------------------------

_PAIR = re.compile(r"^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$")


def validate_polygon(text: str) -> str:
    """A CAP polygon: "lat,lon" pairs separated by spaces, at least four, the first
    repeated last, WGS-84 ranges. Returns it normalised (single spaces)."""
    pairs = (text or "").split()
    if not pairs:
        return ""
    points = []
    for pair in pairs:
        match = _PAIR.match(pair)
        if match is None:
            raise ValidationFailed(
                _('The polygon is a list of "lat,lon" pairs separated by spaces.'),
                errors={"polygon": [_("Bad pair: %s") % pair[:40]]},
            )
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationFailed(
                _("A polygon point lies outside WGS-84 ranges."),
                errors={"polygon": [_("Out of range: %s") % pair[:40]]},
            )
        points.append((lat, lon))
    if len(points) < 4 or points[0] != points[-1]:
        raise ValidationFailed(
            _("A polygon needs at least four points, the first repeated last."),
            errors={"polygon": [_("Not a closed ring of at least four points.")]},
        )
    return " ".join(pairs)


def common_jurisdiction(areas: Sequence[Jurisdiction]) -> Jurisdiction:
    """The lowest jurisdiction that holds every area."""
    paths = [a.ancestors_and_self() for a in areas]
    common: list[str] = []
    for codes in zip(*paths, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    if not common:
        raise ValidationFailed(
            _("The areas share no jurisdiction."), errors={"areas": [_("No common jurisdiction.")]}
        )
    code = common[-1]
    for area in areas:
        if area.code == code:
            return area
    return Jurisdiction.objects.get(code=code)


def _check(data: WarningData) -> dict:
    """The model fields of ``data``, checked."""
    errors: dict[str, list[str]] = {}
    areas = list(dict.fromkeys(data.areas))
    if not areas:
        errors["areas"] = [_("Choose at least one area.")]
    if data.level not in WarningLevel.values:
        errors["level"] = [_("Unknown level.")]
    if not (data.headline or "").strip():
        errors["headline"] = [_("A headline is required.")]
    if not (data.description or "").strip():
        errors["description"] = [_("The text is required.")]
    if data.effective_at is None or data.expires_at is None:
        errors["expires_at"] = [_("Effective and expiry times are required.")]
    elif data.expires_at <= data.effective_at:
        errors["expires_at"] = [_("A warning expires after it takes effect.")]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    if data.certainty not in Certainty.values:
        errors["certainty"] = [_("Unknown certainty.")]
    if data.opens_key_period and data.level not in KEY_PERIOD_LEVELS:
        errors["opens_key_period"] = [_("Only an orange or red warning opens a key period.")]
    if not data.hazard_type.is_active:
        errors["hazard_type"] = [_("This hazard type is no longer in use.")]
    if errors:
        raise ValidationFailed(_("The warning is incomplete or inconsistent."), errors=errors)
    polygon = validate_polygon(data.polygon)
    description = data.area_description.strip() or "、".join(a.name for a in areas)
    return {
        "hazard_type": data.hazard_type,
        "level": data.level,
        "headline": data.headline.strip()[:160],
        "description": data.description.strip(),
        "instruction": data.instruction.strip(),
        "force_instruction": data.force_instruction.strip(),
        "polygon": polygon,
        "area_description": description[:300],
        "effective_at": data.effective_at,
        "expires_at": data.expires_at,
        "urgency": data.urgency,
        "certainty": data.certainty,
        "opens_key_period": bool(data.opens_key_period),
        "jurisdiction": common_jurisdiction(areas),
        "_areas": areas,
    }


def _locked(warning_id: int) -> HazardWarning:
    warning = (
        HazardWarning.objects.select_for_update(of=("self",))
        .select_related("hazard_type", "issuer", "jurisdiction")
        .filter(pk=warning_id)
        .first()
    )
    if warning is None:
        raise NotFoundError(_("No such warning."))
    return warning


def _event(type_, warning: HazardWarning, actor, payload: dict) -> None:
    record_event(
        type=type_,
        jurisdiction=warning.jurisdiction,
        subject=warning,
        payload={"warning": warning.pk, "identifier": warning.identifier, **payload},
        actor=actor,
        organisation=warning.issuer,
    )


def make_identifier(issuer: Organisation, created: datetime) -> str:
    local = timezone.localtime(created)
    return f"{issuer.jurisdiction.code}-{local:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


# --- drafts ---------------------------------------------------------------------------------


@transaction.atomic
def create_draft(
    *,
    actor: User,
    data: WarningData,
    issuer: Organisation | None = None,
    source: str = WarningSource.LOCAL,
    source_sender: str = "",
    source_identifier: str = "",
    source_sent: datetime | None = None,
) -> HazardWarning:
    """A new draft; nobody is told until it is published."""
    fields = _check(data)
    areas = fields.pop("_areas")
    if source not in WarningSource.values:
        raise ValidationFailed(_("Unknown source."))
    if not can_draft(actor, data.hazard_type, areas, source=source):
        raise PermissionDeniedError(_("You may not draft this warning for this area."))
    issuer = issuer or actor.organisation
    if issuer is None:
        raise ValidationFailed(_("A warning needs an issuing department."))
    if (
        source == WarningSource.LOCAL
        and issuer.pk != actor.organisation_id
        and not actor.jurisdiction.contains(issuer.jurisdiction)
    ):
        raise PermissionDeniedError(_("You may not draft warnings in another department's name."))
    if data.external_id and HazardWarning.objects.filter(external_id=data.external_id).exists():
        raise ConflictError(_("A warning with this external id exists."))
    now = timezone.now()
    warning = HazardWarning(
        identifier=make_identifier(issuer, now),
        sender=settings.WARNING_CAP_SENDER,
        issuer=issuer,
        source=source,
        source_sender=source_sender[:100],
        source_identifier=source_identifier[:100],
        source_sent=source_sent,
        external_id=data.external_id,
        created_by=actor,
        created_at=now,
        **fields,
    )
    warning._history_user = actor
    warning.save()
    warning.areas.set(areas)
    _event(
        WarningEvent.CREATED,
        warning,
        actor,
        {"level": warning.level, "hazard": data.hazard_type.code, "source": source},
    )
    return warning


_EDITABLE = (
    "hazard_type",
    "level",
    "headline",
    "description",
    "instruction",
    "force_instruction",
    "polygon",
    "area_description",
    "effective_at",
    "expires_at",
    "urgency",
    "certainty",
    "opens_key_period",
    "jurisdiction",
)


@transaction.atomic
def update_draft(*, actor: User, warning_id: int, data: WarningData) -> HazardWarning:
    """Change a draft. Nothing changed: no write, no event."""
    warning = _locked(warning_id)
    if not can_edit(actor, warning):
        raise PermissionDeniedError(_("You may not edit this warning."))
    if warning.status != WarningStatus.DRAFT:
        raise WarningNotDraft(_("Only a draft can be edited; revise a published warning."))
    fields = _check(data)
    areas = fields.pop("_areas")
    if not can_draft(actor, data.hazard_type, areas, source=warning.source):
        raise PermissionDeniedError(_("You may not draft this warning for this area."))
    changed = [name for name in _EDITABLE if getattr(warning, name) != fields[name]]
    old_areas = set(warning.areas.values_list("pk", flat=True))
    areas_changed = old_areas != {a.pk for a in areas}
    external_id = data.external_id or warning.external_id
    if external_id != warning.external_id:
        if HazardWarning.objects.filter(external_id=external_id).exclude(pk=warning.pk).exists():
            raise ConflictError(_("A warning with this external id exists."))
        changed.append("external_id")
        fields["external_id"] = external_id
    if not changed and not areas_changed:
        return warning
    for name in changed:
        setattr(warning, name, fields[name])
    warning._history_user = actor
    warning.save(update_fields=[*changed, "updated_at"])
    if areas_changed:
        warning.areas.set(areas)
    _event(
        WarningEvent.EDITED,
        warning,
        actor,
        {"fields": sorted(changed + (["areas"] if areas_changed else []))},
    )
    return warning


@transaction.atomic
def discard_draft(*, actor: User, warning_id: int) -> None:
    """Throw a draft away (the history keeps it)."""
    warning = _locked(warning_id)
    if not can_edit(actor, warning):
        raise PermissionDeniedError(_("You may not discard this warning."))
    if warning.status != WarningStatus.DRAFT:
        raise WarningNotDraft(_("Only a draft can be discarded."))
    warning._history_user = actor
    warning.delete()


# --- publishing -----------------------------------------------------------------------------


def _create_recipients(warning: HazardWarning, rows: list[WarningRecipient]) -> list:
    now = timezone.now()
    for row in rows:
        row.created_at = now
    WarningRecipient.objects.bulk_create(rows, batch_size=BULK_BATCH)
    if rows and rows[0].pk is None:  # a backend that returns no ids
        rows = list(warning.recipients.filter(created_at=now))
    return rows


def _end_previous(warning: HazardWarning, actor: User, now: datetime) -> HazardWarning | None:
    if warning.previous_id is None:
        return None
    previous = _locked(warning.previous_id)
    if previous.status != WarningStatus.PUBLISHED:
        raise WarningNotPublished(
            _("The version this revises is no longer in force; draft a new warning.")
        )
    previous.status = WarningStatus.UPDATED
    previous.ended_at = now
    previous.ended_by = actor
    previous._history_user = actor
    previous.save(update_fields=["status", "ended_at", "ended_by", "updated_at"])
    notifications.close_chase(list(previous.recipients.only("pk")))
    return previous


def _recipient_key(row: WarningRecipient) -> tuple:
    return (row.kind, row.grid_id, row.force_id, row.organisation_id, row.user_id)


def _carried_over(
    previous: HazardWarning, rows: list[WarningRecipient], warning: HazardWarning
) -> list[WarningRecipient]:
    """An update asks everyone the version it replaces asked, also the forces a relay
    added (they are not in the area's targeting): copies of the previous version's force
    recipients that the new targeting does not hold, where the new area still concerns
    them (in an area, or between an area and the warning's jurisdiction)."""
    have = {_recipient_key(row) for row in rows}
    area_paths = [area.path for area in warning.areas.all()]
    top = warning.jurisdiction.path

    def concerned(path: str) -> bool:
        return any(
            path.startswith(a) or (a.startswith(path) and path.startswith(top)) for a in area_paths
        )

    carried = []
    old_rows = previous.recipients.filter(kind=RecipientKind.FORCE).select_related("jurisdiction")
    for old in old_rows.order_by("pk"):
        if _recipient_key(old) in have or not concerned(old.jurisdiction.path):
            continue
        carried.append(
            WarningRecipient(
                warning=warning,
                kind=old.kind,
                jurisdiction_id=old.jurisdiction_id,
                grid_id=old.grid_id,
                force_id=old.force_id,
                organisation_id=old.organisation_id,
                user_id=old.user_id,
                label=old.label,
                phone=old.phone,
                supervisor_label=old.supervisor_label,
                supervisor_phone=old.supervisor_phone,
            )
        )
    return carried


@transaction.atomic
def publish_warning(*, actor: User, warning_id: int) -> HazardWarning:
    """Publish a draft: every recipient in the area is asked to answer (叫应). A revision
    ends the version it updates."""
    warning = _locked(warning_id)
    if not can_publish(actor, warning):
        raise PermissionDeniedError(_("You may not publish this warning."))
    if warning.status != WarningStatus.DRAFT:
        raise WarningNotDraft(_("This warning is not a draft."))
    now = timezone.now()
    if warning.expires_at <= now:
        raise ValidationFailed(
            _("This draft has already expired; change its expiry time first."),
            errors={"expires_at": [_("In the past.")]},
        )
    previous = _end_previous(warning, actor, now)
    warning.status = WarningStatus.PUBLISHED
    warning.published_at = now
    warning.published_by = actor
    warning._history_user = actor
    warning.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    rows = target_recipients(warning)
    if previous is not None:
        rows += _carried_over(previous, rows, warning)
    recipients = _create_recipients(warning, rows)
    notifications.notify_recipients(warning, recipients)
    _event(
        WarningEvent.PUBLISHED,
        warning,
        actor,
        {
            "level": warning.level,
            "hazard": warning.hazard_type.code,
            "recipients": len(recipients),
            "version": warning.version,
            "msg_type": warning.msg_type,
            "previous": previous.pk if previous is not None else None,
        },
    )
    return warning


@transaction.atomic
def revise_warning(*, actor: User, warning_id: int) -> HazardWarning:
    """Start an update of a published warning: a new draft copying every field."""
    warning = _locked(warning_id)
    if not can_publish(actor, warning):
        raise PermissionDeniedError(_("You may not revise this warning."))
    if warning.status != WarningStatus.PUBLISHED:
        raise WarningNotPublished(_("Only a warning in force can be revised."))
    if HazardWarning.objects.filter(previous=warning).exists():
        raise ConflictError(_("A revision of this warning is already being drafted."))
    now = timezone.now()
    areas = list(warning.areas.all())
    draft = HazardWarning(
        identifier=make_identifier(warning.issuer, now),
        sender=settings.WARNING_CAP_SENDER,
        version=warning.version + 1,
        previous=warning,
        msg_type=MessageType.UPDATE,
        issuer=warning.issuer,
        source=warning.source,
        created_by=actor,
        created_at=now,
        **{name: getattr(warning, name) for name in _EDITABLE},
    )
    draft._history_user = actor
    draft.save()
    draft.areas.set(areas)
    _event(
        WarningEvent.CREATED,
        draft,
        actor,
        {
            "level": draft.level,
            "hazard": draft.hazard_type.code,
            "source": draft.source,
            "revises": warning.pk,
            "version": draft.version,
        },
    )
    return draft


@transaction.atomic
def cancel_warning(*, actor: User, warning_id: int, reason: str) -> HazardWarning:
    """Lift a warning in force: the chase stops and every recipient is told once."""
    warning = _locked(warning_id)
    if not can_publish(actor, warning):
        raise PermissionDeniedError(_("You may not cancel this warning."))
    if warning.status != WarningStatus.PUBLISHED:
        raise WarningNotPublished(_("Only a warning in force can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why the warning is cancelled."), errors={"reason": [_("Required.")]}
        )
    now = timezone.now()
    warning.status = WarningStatus.CANCELLED
    warning.ended_at = now
    warning.ended_by = actor
    warning.cancel_reason = reason[:300]
    warning._history_user = actor
    warning.save(update_fields=["status", "ended_at", "ended_by", "cancel_reason", "updated_at"])
    recipients = list(warning.recipients.all())
    notifications.close_chase(recipients)
    notifications.notify_cancelled(warning, recipients)
    _event(WarningEvent.CANCELLED, warning, actor, {"reason": warning.cancel_reason})
    return warning


def _relay_scope(actor: User, warning: HazardWarning, wanted: Sequence[Jurisdiction]) -> list:
    """The warning's areas ∩ the actor's jurisdiction, or the jurisdictions asked for
    (each inside that intersection)."""
    own = actor.jurisdiction
    scope = []
    for area in warning.areas.all():
        if own.contains(area):
            scope.append(area)
        elif area.contains(own):
            scope.append(own)
    if not wanted:
        return scope
    for jurisdiction in wanted:
        if not any(s.contains(jurisdiction) for s in scope):
            raise PermissionDeniedError(
                _("%(name)s is outside the warning's area in your jurisdiction.")
                % {"name": jurisdiction.name}
            )
    return list(wanted)


@transaction.atomic
def relay_warning(
    *,
    actor: User,
    warning_id: int,
    specialties: Sequence[Specialty] = (),
    jurisdictions: Sequence[Jurisdiction] = (),
) -> int:
    """The bureau (or the fire brigade) sends a warning in force on to more forces;
    returns how many were added."""
    warning = _locked(warning_id)
    if not may_relay(actor, warning):
        raise PermissionDeniedError(_("You may not relay this warning."))
    if warning.status != WarningStatus.PUBLISHED:
        raise WarningNotPublished(_("Only a warning in force can be relayed."))
    scope = _relay_scope(actor, warning, jurisdictions)
    # As targeting does: in the scope, or between it and the warning's jurisdiction (a
    # county's forces for a township's warning).
    codes = between_codes(warning.jurisdiction, scope)
    forces = (
        Force.objects.filter(in_area("jurisdiction", scope, codes), is_active=True)
        .exclude(status=ForceStatus.UNAVAILABLE)
        .exclude(pk__in=warning.recipients.filter(force__isnull=False).values("force_id"))
    )
    if specialties:
        forces = forces.filter(specialties__in=[s.pk for s in specialties])
    rows = _create_recipients(warning, force_recipients(warning, forces))
    notifications.notify_recipients(warning, rows)
    _event(
        WarningEvent.RELAYED,
        warning,
        actor,
        {
            "added": len(rows),
            "specialties": sorted(s.code for s in specialties),
            "jurisdictions": sorted(j.code for j in scope),
            "by": actor.organisation.name if actor.organisation_id else "",
        },
    )
    return len(rows)


# --- answers --------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_recipient(
    *, actor: User | None, recipient_id: int, responder: Responder | None = None
) -> WarningRecipient:
    """A recipient answers (叫应): by SMS reply, link or voice key (``actor`` None, with
    the responder notify verified), on the platform, or a duty officer records it on its
    behalf (值班员代签)."""
    recipient = (
        WarningRecipient.objects.select_for_update(of=("self",))
        .select_related("warning__jurisdiction", "warning__issuer", "jurisdiction")
        .filter(pk=recipient_id)
        .first()
    )
    if recipient is None:
        raise NotFoundError(_("No such recipient."))
    if actor is None:
        if responder is None:
            raise PermissionDeniedError(_("An answer needs who gave it."))
    else:
        if not can_acknowledge(actor, recipient):
            raise PermissionDeniedError(_("You may not acknowledge for this recipient."))
        own = recipient.user_id == actor.pk or (
            recipient.organisation_id is not None
            and recipient.organisation_id == actor.organisation_id
        )
        if own or not acknowledges_on_behalf(actor, recipient):
            label = str(actor)
        else:
            label = f"值班员代签 {actor}"
        responder = Responder(channel="web", label=label[:100])
    if recipient.acknowledged_at is not None:
        raise AlreadyAcknowledged(_("Already acknowledged."))
    warning = recipient.warning
    if warning.status != WarningStatus.PUBLISHED:
        raise WarningNotPublished(_("This warning is no longer in force."))
    recipient.acknowledged_at = timezone.now()
    recipient.acknowledged_channel = str(responder.channel)[:16]
    recipient.acknowledged_label = str(responder.label)[:100]
    recipient.save(update_fields=["acknowledged_at", "acknowledged_channel", "acknowledged_label"])
    notifications.recipient_answered(recipient, responder)
    record_event(
        type=WarningEvent.ACKNOWLEDGED,
        jurisdiction=recipient.jurisdiction,
        subject=warning,
        payload={
            "warning": warning.pk,
            "recipient": recipient.pk,
            "kind": recipient.kind,
            "label": notifications.masked_label(recipient),
            "channel": recipient.acknowledged_channel,
        },
        actor=actor,
        organisation=warning.issuer,
    )
    return recipient


# --- the clock ------------------------------------------------------------------------------


def expire_due(*, now: datetime | None = None) -> int:
    """Published warnings past their expiry become expired; their chase stops."""
    now = now or timezone.now()
    expired = 0
    ids = list(
        HazardWarning.objects.filter(
            status=WarningStatus.PUBLISHED, expires_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    for warning_id in ids:
        with transaction.atomic():
            warning = (
                HazardWarning.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("jurisdiction", "issuer")
                .filter(pk=warning_id, status=WarningStatus.PUBLISHED, expires_at__lte=now)
                .first()
            )
            if warning is None:
                continue
            warning.status = WarningStatus.EXPIRED
            warning.ended_at = warning.expires_at
            warning.save(update_fields=["status", "ended_at", "updated_at"])
            notifications.close_chase(list(warning.recipients.only("pk")))
            _event(
                WarningEvent.EXPIRED, warning, None, {"expires_at": warning.expires_at.isoformat()}
            )
            expired += 1
    return expired
