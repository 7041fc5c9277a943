"""Every write of a compensation claim (应急救援补偿, Liaocheng §四.1; Rongcheng §四 "报补偿
意见，经市政府审核同意"): where no party is liable or the liable party cannot pay, a
force's claim for an incident — or a requisition owner's — with its costs by category and
attachments: draft → submitted → reviewed by the department → approved (the government's
decision, recorded by the bureau approver with its document number) → paid; returned for
correction or rejected on the way.

Each function locks the claim, authorises (``permissions``), checks the transition
(``COMPENSATION_TRANSITIONS``), saves with update_fields, tells the next step's people
(``notifications``) and records its event last. ``claimed_amount`` is always the sum of
the costs: only these functions write either.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import Incident
from command.reports import check_attachment
from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Organisation, User
from forces.models import Force
from support.choices import (
    COMPENSATION_TRANSITIONS,
    CompensationStatus,
    CostCategory,
    LiabilityBasis,
    RequisitionStatus,
)
from support.compensation import notifications
from support.compensation.permissions import (
    can_approve,
    can_claim,
    can_claim_for_force,
    can_claim_for_requisition,
    can_pay,
    can_review,
    can_send_back,
    claimant_organisation,
)
from support.events import CompensationEvent
from support.models import CompensationAttachment, CompensationClaim, CompensationCost, Requisition
from support.requisition.services import new_number

__all__ = [
    "CostLine",
    "add_attachment",
    "approve_claim",
    "create_claim",
    "record_payment",
    "reject_claim",
    "return_claim",
    "review_claim",
    "submit_claim",
    "update_claim",
]

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
MAX_COSTS = 100
MAX_ATTACHMENTS = 20
CLAIM_FIELDS = ("basis", "liable_party", "summary", "bank_account_name", "bank_account")
EDITABLE = frozenset({CompensationStatus.DRAFT, CompensationStatus.RETURNED})


@dataclass(frozen=True)
class CostLine:
    category: str
    description: str
    amount: Any


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        return None
    return amount


def _lines(costs: Sequence[Any]) -> list[CostLine]:
    lines = []
    for cost in costs:
        if isinstance(cost, CostLine):
            lines.append(cost)
        else:
            lines.append(
                CostLine(
                    category=cost.get("category", ""),
                    description=cost.get("description", ""),
                    amount=cost.get("amount"),
                )
            )
    return lines


def _check_costs(costs: Sequence[Any]) -> list[CompensationCost]:
    lines = _lines(costs)
    errors: list[str] = []
    if len(lines) > MAX_COSTS:
        errors.append(_("At most %(n)d cost lines.") % {"n": MAX_COSTS})
    rows = []
    for number, line in enumerate(lines, start=1):
        problems = []
        if line.category not in CostCategory.values:
            problems.append(_("choose a category"))
        description = (line.description or "").strip()
        if not description:
            problems.append(_("describe the cost"))
        amount = _money(line.amount)
        if amount is None:
            problems.append(_("the amount is a positive sum in yuan"))
        if problems:
            errors.append(_("Line %(n)d: %(p)s.") % {"n": number, "p": "; ".join(problems)})
            continue
        rows.append(
            CompensationCost(category=line.category, description=description[:200], amount=amount)
        )
    if errors:
        raise ValidationFailed(_("The costs are incomplete."), errors={"costs": errors})
    return rows


def _check_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    basis = data.get("basis") or ""
    if basis not in LiabilityBasis.values:
        errors["basis"] = [_("Say why the public purse pays.")]
    liable_party = (data.get("liable_party") or "").strip()
    if basis == LiabilityBasis.LIABLE_UNABLE and not liable_party:
        errors["liable_party"] = [_("Name the liable party that cannot pay.")]
    summary = (data.get("summary") or "").strip()
    if not summary:
        errors["summary"] = [_("Say what was done.")]
    account = (data.get("bank_account") or "").replace(" ", "")
    if account and not (account.isdigit() and 8 <= len(account) <= 30):
        errors["bank_account"] = [_("A bank account number is 8 to 30 digits.")]
    if errors:
        raise ValidationFailed(_("The claim is incomplete."), errors=errors)
    return {
        "basis": basis,
        "liable_party": liable_party[:150],
        "summary": summary[:4000],
        "bank_account_name": (data.get("bank_account_name") or "").strip()[:150],
        "bank_account": account,
    }


def _bureau_of(jurisdiction) -> Organisation:
    bureau = (
        Organisation.objects.filter(
            kind=OrganisationKind.EMERGENCY_BUREAU, jurisdiction=jurisdiction, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if bureau is None:
        raise ValidationFailed(
            _("%(area)s has no emergency management bureau to review the claim.")
            % {"area": jurisdiction.name},
            code="no_reviewing_department",
        )
    return bureau


def _replace_costs(claim: CompensationClaim, rows: list[CompensationCost]) -> None:
    CompensationCost.objects.filter(claim=claim).delete()
    for row in rows:
        row.claim = claim
        row.save()
    claim.claimed_amount = sum((row.amount for row in rows), Decimal("0.00"))


def _event(claim: CompensationClaim, type_: str, actor: User, **extra: Any) -> None:
    record_event(
        type=type_,
        jurisdiction=claim.jurisdiction,
        subject=claim,
        payload={
            "claim": claim.pk,
            "number": claim.number,
            "incident": claim.incident_id,
            "status": claim.status,
            "claimed": str(claim.claimed_amount),
            **extra,
        },
        actor=actor,
        organisation=claimant_organisation(claim),
    )


def create_claim(
    *, actor: User, data: dict[str, Any], costs: Sequence[Any] = ()
) -> CompensationClaim:
    """A draft claim: for a force (``data["force"]`` and ``data["incident"]``) by its own
    accounts, or for a returned requisition (``data["requisition"]``) by the bureau on
    the owner's behalf. The reviewing department is the force's industry authority, else
    the bureau of the incident's jurisdiction."""
    force = data.get("force")
    requisition = data.get("requisition")
    if (force is None) == (requisition is None):
        raise ValidationFailed(
            _("A claim is for a force or for a requisition."),
            errors={"force": [_("Choose a force or a requisition, not both.")]},
        )
    with transaction.atomic():
        if requisition is not None:
            requisition = (
                Requisition.objects.select_for_update(of=("self",))
                .select_related("jurisdiction", "incident__jurisdiction", "owner_organisation")
                .filter(pk=getattr(requisition, "pk", requisition))
                .first()
            )
            if requisition is None:
                raise NotFoundError(_("No such requisition."))
            if not can_claim_for_requisition(actor, requisition):
                raise PermissionDeniedError(_("You may not claim for this requisition."))
            if requisition.status != RequisitionStatus.RETURNED:
                raise InvalidTransition(
                    _("A requisition is compensated once the equipment is returned."),
                    code="requisition_not_returned",
                )
            if CompensationClaim.objects.filter(requisition=requisition).exists():
                raise ConflictError(_("This requisition already has a claim."), code="claim_exists")
            incident = requisition.incident
            claimant = requisition.owner_name
            reviewing = _bureau_of(incident.jurisdiction)
        else:
            force = (
                Force.objects.select_related("organisation", "industry_authority", "jurisdiction")
                .filter(pk=getattr(force, "pk", force))
                .first()
            )
            if force is None:
                raise NotFoundError(_("No such force."))
            if not can_claim_for_force(actor, force):
                raise PermissionDeniedError(_("You may not claim for this force."))
            incident_ref = data.get("incident")
            incident = (
                Incident.objects.select_related("jurisdiction")
                .filter(pk=getattr(incident_ref, "pk", incident_ref))
                .first()
                if incident_ref is not None
                else None
            )
            if incident is None:
                raise ValidationFailed(
                    _("Choose the incident."), errors={"incident": [_("Choose the incident.")]}
                )
            claimant = force.name
            reviewing = force.industry_authority or _bureau_of(incident.jurisdiction)
        fields = _check_fields(data)
        rows = _check_costs(costs)
        claim = CompensationClaim.objects.create(
            number=new_number("BC"),
            jurisdiction=incident.jurisdiction,
            incident=incident,
            force=force,
            requisition=requisition,
            claimant_name=claimant[:150],
            reviewing_department=reviewing,
            created_by=actor,
            **fields,
        )
        _replace_costs(claim, rows)
        claim.save(update_fields=["claimed_amount"])
        _event(claim, CompensationEvent.CREATED, actor)
    return claim


def _locked(claim_id: int) -> CompensationClaim:
    claim = (
        CompensationClaim.objects.select_for_update(of=("self",))
        .select_related(
            "jurisdiction",
            "incident",
            "force__organisation",
            "requisition__jurisdiction",
            "requisition__owner_organisation",
            "reviewing_department__jurisdiction",
        )
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFoundError(_("No such claim."))
    return claim


def _check_transition(claim: CompensationClaim, target: str) -> None:
    if target not in COMPENSATION_TRANSITIONS[claim.status]:
        raise InvalidTransition(
            _("This claim is %(status)s.") % {"status": claim.get_status_display()},
            code="claim_state",
        )


def _editable(actor: User, claim: CompensationClaim) -> None:
    if not can_claim(actor, claim):
        raise PermissionDeniedError(_("You may not change this claim."))
    if claim.status not in EDITABLE:
        raise InvalidTransition(
            _("A claim can be changed while a draft or returned only."), code="claim_state"
        )


def update_claim(
    *,
    actor: User,
    claim_id: int,
    data: dict[str, Any],
    costs: Sequence[Any] | None = None,
) -> CompensationClaim:
    """Change a draft or returned claim; ``costs`` given replaces the cost lines."""
    with transaction.atomic():
        claim = _locked(claim_id)
        _editable(actor, claim)
        fields = _check_fields(data)
        for name, value in fields.items():
            setattr(claim, name, value)
        update = [*fields, "updated_at"]
        if costs is not None:
            _replace_costs(claim, _check_costs(costs))
            update.append("claimed_amount")
        claim.save(update_fields=update)
        _event(claim, CompensationEvent.UPDATED, actor)
    return claim


def add_attachment(
    *, actor: User, claim_id: int, upload: UploadedFile, name: str = ""
) -> CompensationAttachment:
    """Attach an invoice, a photo or a statement (JPG, PNG, PDF, DOCX, XLSX; size and
    first bytes checked) to a draft or returned claim."""
    check_attachment(upload)
    with transaction.atomic():
        claim = _locked(claim_id)
        _editable(actor, claim)
        if claim.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationFailed(
                _("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS},
                errors={"file": [_("Too many files.")]},
            )
        label = (name or "").strip() or os.path.basename(upload.name or "")
        attachment = CompensationAttachment(claim=claim, name=label[:150], uploaded_by=actor)
        attachment.file.save(os.path.basename(upload.name or "attachment"), upload, save=False)
        try:
            attachment.save()
            claim.save(update_fields=["updated_at"])
            _event(claim, CompensationEvent.UPDATED, actor, attachment=attachment.name)
        except Exception:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def submit_claim(*, actor: User, claim_id: int) -> CompensationClaim:
    """To the reviewing department (again, after a return)."""
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_claim(actor, claim):
            raise PermissionDeniedError(_("You may not submit this claim."))
        _check_transition(claim, CompensationStatus.SUBMITTED)
        if not claim.costs.exists() or claim.claimed_amount <= 0:
            raise ValidationFailed(
                _("A claim needs at least one cost."),
                errors={"costs": [_("A claim needs at least one cost.")]},
            )
        claim.status = CompensationStatus.SUBMITTED
        claim.submitted_at = timezone.now()
        claim.save(update_fields=["status", "submitted_at", "updated_at"])
        notifications.notify_step(claim)
        _event(claim, CompensationEvent.SUBMITTED, actor)
    return claim


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, errors={field: [message]})
    return value


def review_claim(*, actor: User, claim_id: int, opinion: str) -> CompensationClaim:
    """The reviewing department's opinion (报补偿意见); on to the government's approval."""
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_review(actor, claim):
            raise PermissionDeniedError(_("You may not review this claim."))
        _check_transition(claim, CompensationStatus.REVIEWED)
        opinion = _required(opinion, "opinion", _("Give the review opinion."))
        claim.status = CompensationStatus.REVIEWED
        claim.review_opinion = opinion[:4000]
        claim.reviewed_by = actor
        claim.reviewed_at = timezone.now()
        claim.save(
            update_fields=["status", "review_opinion", "reviewed_by", "reviewed_at", "updated_at"]
        )
        notifications.notify_step(claim)
        _event(claim, CompensationEvent.REVIEWED, actor)
    return claim


def approve_claim(
    *, actor: User, claim_id: int, amount: Any, approval_reference: str
) -> CompensationClaim:
    """Record the government's approval (经市政府审核同意): the amount granted (at most the
    amount claimed) and its document number. The claim is locked before its state is
    read: a second approval at the same moment waits, then finds it approved (409)."""
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_approve(actor, claim):
            raise PermissionDeniedError(_("You may not record the approval of this claim."))
        _check_transition(claim, CompensationStatus.APPROVED)
        granted = _money(amount)
        if granted is None:
            raise ValidationFailed(
                _("The amount approved is a positive sum in yuan."),
                errors={"amount": [_("The amount approved is a positive sum in yuan.")]},
            )
        if granted > claim.claimed_amount:
            raise ValidationFailed(
                _("The amount approved cannot exceed the amount claimed (%(claimed)s).")
                % {"claimed": claim.claimed_amount},
                errors={"amount": [_("At most the amount claimed.")]},
            )
        reference = _required(
            approval_reference, "approval_reference", _("Give the approval document number.")
        )
        claim.status = CompensationStatus.APPROVED
        claim.approved_amount = granted
        claim.approval_reference = reference[:60]
        claim.approved_by = actor
        claim.approved_at = timezone.now()
        claim.save(
            update_fields=[
                "status",
                "approved_amount",
                "approval_reference",
                "approved_by",
                "approved_at",
                "updated_at",
            ]
        )
        notifications.notify_step(claim)
        _event(claim, CompensationEvent.APPROVED, actor, approved=str(granted))
    return claim


def record_payment(*, actor: User, claim_id: int, reference: str) -> CompensationClaim:
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_pay(actor, claim):
            raise PermissionDeniedError(_("You may not record the payment of this claim."))
        _check_transition(claim, CompensationStatus.PAID)
        reference = _required(reference, "reference", _("Give the payment reference."))
        claim.status = CompensationStatus.PAID
        claim.payment_reference = reference[:60]
        claim.paid_at = timezone.now()
        claim.save(update_fields=["status", "payment_reference", "paid_at", "updated_at"])
        notifications.notify_step(claim)
        _event(claim, CompensationEvent.PAID, actor)
    return claim


def _send_back(actor: User, claim_id: int, reason: str, target: str, type_: str):
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_send_back(actor, claim):
            raise PermissionDeniedError(_("You may not decide on this claim."))
        _check_transition(claim, target)
        reason = _required(reason, "reason", _("Give the reason."))
        claim.status = target
        claim.return_reason = reason[:4000]
        claim.save(update_fields=["status", "return_reason", "updated_at"])
        notifications.notify_step(claim)
        _event(claim, type_, actor, reason=claim.return_reason)
    return claim


def return_claim(*, actor: User, claim_id: int, reason: str) -> CompensationClaim:
    """Back to the claimant for correction (then submitted again)."""
    return _send_back(
        actor, claim_id, reason, CompensationStatus.RETURNED, CompensationEvent.RETURNED
    )


def reject_claim(*, actor: User, claim_id: int, reason: str) -> CompensationClaim:
    """Not compensated (final)."""
    return _send_back(
        actor, claim_id, reason, CompensationStatus.REJECTED, CompensationEvent.REJECTED
    )
