"""Cross-region reinforcement (Liaocheng §三.一.2): the same-level bureau asks, the
upper-level bureau decides."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.choices import IncidentStatus
from command.models import Incident
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import User
from core.permissions import in_jurisdiction
from dispatch.choices import (
    ReinforcementStatus,
)
from dispatch.events import DispatchEvent, reinforcement_decision_event
from dispatch.exceptions import (
    AlreadyDecided,
    DrafterCannotApprove,
)
from dispatch.models import (
    ReinforcementRequest,
)
from dispatch.permissions import is_bureau_approver_of, may_apply_for_reinforcement


@transaction.atomic
def request_reinforcement(
    *, actor: User, incident_id: int, needs: str, reason: str
) -> ReinforcementRequest:
    """The same-level bureau applies to the upper-level bureau (Liaocheng §三.一.2)."""
    incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
    if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
        raise NotFoundError(_("No such incident in your jurisdiction."))
    level = actor.jurisdiction
    if not may_apply_for_reinforcement(actor, level):
        raise PermissionDeniedError(_("The same-level bureau applies for reinforcement."))
    if level.parent_id is None:
        raise InvalidTransition(_("There is no upper level to ask."), code="no_upper_level")
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("The incident is closed."), code="incident_closed")
    errors = {
        k: [_("This field is required.")]
        for k, v in (("needs", needs), ("reason", reason))
        if not (v or "").strip()
    }
    if errors:
        raise ValidationFailed(_("Say what is needed and why."), errors=errors)
    request = ReinforcementRequest(
        incident=incident,
        requesting_jurisdiction=level,
        upper_jurisdiction=level.parent,
        needs=needs,
        reason=reason,
        requested_by=actor,
    )
    request._history_user = actor
    request.save()
    record_event(
        type=DispatchEvent.REINFORCEMENT_REQUESTED,
        jurisdiction=incident.jurisdiction,
        subject=request,
        actor=actor,
        payload={"request_id": request.pk, "incident_id": incident.pk, "upper": level.parent.code},
    )
    return request


@transaction.atomic
def decide_reinforcement(
    *, actor: User, request_id: int, approve: bool, reason: str = ""
) -> ReinforcementRequest:
    """The upper-level bureau approves or rejects (a rejection needs a reason)."""
    request = (
        ReinforcementRequest.objects.select_for_update(of=("self",))
        .select_related("upper_jurisdiction", "incident__jurisdiction")
        .filter(pk=request_id)
        .first()
    )
    if (
        request is None
        or not ReinforcementRequest.objects.visible_to(actor).filter(pk=request_id).exists()
    ):
        raise NotFoundError(_("No such reinforcement request."))
    if not is_bureau_approver_of(actor, request.upper_jurisdiction):
        raise PermissionDeniedError(_("Only the upper-level bureau decides reinforcement."))
    if request.requested_by_id == actor.pk:
        raise DrafterCannotApprove(_("The applicant cannot decide its own request."))
    if request.status != ReinforcementStatus.REQUESTED:
        raise AlreadyDecided(_("This request was already decided."))
    if not approve and not reason.strip():
        raise ValidationFailed(
            _("A rejection needs a reason."),
            code="reason_required",
            errors={"reason": [_("A rejection needs a reason.")]},
        )
    request.status = ReinforcementStatus.APPROVED if approve else ReinforcementStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason.strip()
    request._history_user = actor
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_event(
        type=reinforcement_decision_event(request.status),
        jurisdiction=request.incident.jurisdiction,
        subject=request,
        actor=actor,
        payload={"request_id": request.pk, "incident_id": request.incident_id},
    )
    return request
