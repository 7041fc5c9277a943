"""Compensation claims: a force's claim (or a requisition owner's) with its costs, through
department review, the government's approval recorded by the bureau approver, and payment;
the total kept by the service; who may take each step; each step an event and a
notification to the next step's people."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.events import Event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    PermissionDeniedError,
    ValidationFailed,
)
from notify.choices import Purpose
from notify.models import Delivery, Notification
from support.choices import CompensationStatus
from support.compensation import services
from support.events import CompensationEvent
from support.models import CompensationClaim
from tests.support.requisition_fixtures import (  # noqa: F401
    COSTS,
    claim_data,
    make_claim,
    requisition_world_fixture,
    returned_requisition,
    reviewed_claim,
    submitted_claim,
)

pytestmark = pytest.mark.django_db


def test_the_amount_claimed_is_the_sum_of_the_costs_and_follows_their_changes(
    requisition_world,
):
    w = requisition_world
    claim = make_claim(w)
    assert claim.claimed_amount == Decimal("15650.50")
    assert claim.status == CompensationStatus.DRAFT
    assert claim.reviewing_department == w.water_a  # the force's industry authority
    assert claim.claimant_name == "临清市水利抢险队"
    claim = services.update_claim(
        actor=w.editor_a,
        claim_id=claim.pk,
        data=claim_data(w),
        costs=[{"category": "fuel", "description": "柴油", "amount": "100.005"}],
    )
    claim.refresh_from_db()
    assert claim.claimed_amount == Decimal("100.01")
    assert claim.costs.count() == 1


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("editor_a", True),
        ("force_account_a", True),
        ("duty_officer_a", False),
        ("editor_b", False),
        ("force_account_b", False),
        ("dispatcher_a", False),
        ("editor_power_a", False),
    ],
)
def test_only_the_forces_own_accounts_claim_for_it(requisition_world, persona, allowed):
    w = requisition_world
    actor = getattr(w, persona)
    if allowed:
        assert make_claim(w, actor=actor).created_by == actor
    else:
        with pytest.raises(PermissionDeniedError):
            make_claim(w, actor=actor)


@pytest.mark.parametrize(
    "cost",
    [
        {"category": "fuel", "description": "柴油", "amount": "0"},
        {"category": "fuel", "description": "柴油", "amount": "-5"},
        {"category": "fuel", "description": "", "amount": "5"},
        {"category": "gold", "description": "柴油", "amount": "5"},
        {"category": "fuel", "description": "柴油", "amount": "abc"},
    ],
)
def test_a_wrong_cost_line_is_refused_and_named(requisition_world, cost):
    w = requisition_world
    with pytest.raises(ValidationFailed) as caught:
        make_claim(w, costs=[cost])
    assert "costs" in caught.value.errors
    assert "1" in caught.value.errors["costs"][0]
    assert not CompensationClaim.objects.exists()


def test_a_liable_party_that_cannot_pay_must_be_named(requisition_world):
    w = requisition_world
    with pytest.raises(ValidationFailed) as caught:
        make_claim(w, basis="liable_unable", liable_party="")
    assert "liable_party" in caught.value.errors


def test_an_empty_claim_cannot_be_submitted(requisition_world):
    w = requisition_world
    claim = make_claim(w, costs=[])
    with pytest.raises(ValidationFailed):
        services.submit_claim(actor=w.editor_a, claim_id=claim.pk)


def test_the_whole_procedure_with_an_event_and_a_notification_for_each_step(
    requisition_world,
):
    w = requisition_world
    claim = submitted_claim(w)
    notified = Notification.objects.get(purpose=Purpose.COMPENSATION, closed_at__isnull=True)
    assert Delivery.objects.filter(notification=notified, user=w.editor_a).exists()
    claim = services.review_claim(actor=w.editor_a, claim_id=claim.pk, opinion="属实")
    to_approvers = Notification.objects.get(purpose=Purpose.COMPENSATION, closed_at__isnull=True)
    assert Delivery.objects.filter(notification=to_approvers, user=w.approver_a).exists()
    claim = services.approve_claim(
        actor=w.approver_a,
        claim_id=claim.pk,
        amount="15000",
        approval_reference="临政字〔2026〕88号",
    )
    assert claim.approved_amount == Decimal("15000.00")
    claim = services.record_payment(actor=w.duty_officer_a, claim_id=claim.pk, reference="PZ-01")
    assert claim.status == CompensationStatus.PAID and claim.paid_at is not None
    assert (
        Notification.objects.filter(purpose=Purpose.COMPENSATION, closed_at__isnull=True).count()
        == 1
    )
    types = list(
        Event.objects.filter(type__startswith="compensation.")
        .order_by("seq")
        .values_list("type", flat=True)
    )
    assert types == [
        CompensationEvent.CREATED,
        CompensationEvent.SUBMITTED,
        CompensationEvent.REVIEWED,
        CompensationEvent.APPROVED,
        CompensationEvent.PAID,
    ]
    assert Event.objects.filter(type=CompensationEvent.PAID, organisation=w.water_a).exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("editor_a", True),  # 临清市水利局, the force's industry authority
        ("duty_officer_a", False),
        ("approver_a", False),
        ("editor_b", False),
        ("force_account_a", False),
    ],
)
def test_the_industry_authority_reviews(requisition_world, persona, allowed):
    w = requisition_world
    claim = submitted_claim(w)
    actor = getattr(w, persona)
    if allowed:
        services.review_claim(actor=actor, claim_id=claim.pk, opinion="属实")
    else:
        with pytest.raises(PermissionDeniedError):
            services.review_claim(actor=actor, claim_id=claim.pk, opinion="属实")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("approver_a", True),
        ("admin_a", True),
        ("approver_city", True),
        ("duty_officer_a", False),
        ("approver_b", False),
        ("editor_a", False),
        ("dispatcher_a", False),
    ],
)
def test_the_bureau_approver_of_the_jurisdiction_records_the_approval(
    requisition_world, persona, allowed
):
    w = requisition_world
    claim = reviewed_claim(w)
    actor = getattr(w, persona)
    kwargs = {"claim_id": claim.pk, "amount": "15000", "approval_reference": "临政字〔2026〕88号"}
    if allowed:
        services.approve_claim(actor=actor, **kwargs)
    else:
        with pytest.raises(PermissionDeniedError):
            services.approve_claim(actor=actor, **kwargs)


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [
        ("15650.51", "临政字〔2026〕88号", "amount"),
        ("0", "临政字〔2026〕88号", "amount"),
        ("15000", " ", "approval_reference"),
    ],
)
def test_approval_is_at_most_the_amount_claimed_with_its_document(
    requisition_world, amount, reference, field
):
    w = requisition_world
    claim = reviewed_claim(w)
    with pytest.raises(ValidationFailed) as caught:
        services.approve_claim(
            actor=w.approver_a, claim_id=claim.pk, amount=amount, approval_reference=reference
        )
    assert field in caught.value.errors


def test_approving_twice_approves_once(requisition_world):
    w = requisition_world
    claim = reviewed_claim(w)
    kwargs = {"claim_id": claim.pk, "amount": "15000", "approval_reference": "临政字〔2026〕88号"}
    services.approve_claim(actor=w.approver_a, **kwargs)
    with pytest.raises(InvalidTransition):
        services.approve_claim(actor=w.approver_city, **{**kwargs, "amount": "100"})
    claim.refresh_from_db()
    assert claim.approved_amount == Decimal("15000.00")
    assert Event.objects.filter(type=CompensationEvent.APPROVED).count() == 1


def test_a_returned_claim_is_corrected_and_submitted_again(requisition_world):
    w = requisition_world
    claim = submitted_claim(w)
    with pytest.raises(ValidationFailed):
        services.return_claim(actor=w.editor_a, claim_id=claim.pk, reason="")
    services.return_claim(actor=w.editor_a, claim_id=claim.pk, reason="缺少油料发票")
    claim = services.update_claim(
        actor=w.force_account_a,
        claim_id=claim.pk,
        data=claim_data(w),
        costs=[*COSTS, {"category": "transport", "description": "运输", "amount": "300"}],
    )
    claim = services.submit_claim(actor=w.force_account_a, claim_id=claim.pk)
    assert claim.status == CompensationStatus.SUBMITTED
    assert claim.claimed_amount == Decimal("15950.50")


def test_a_submitted_claim_cannot_be_edited_and_a_rejected_one_is_final(requisition_world):
    w = requisition_world
    claim = submitted_claim(w)
    with pytest.raises(InvalidTransition):
        services.update_claim(actor=w.editor_a, claim_id=claim.pk, data=claim_data(w))
    reviewed = services.review_claim(actor=w.editor_a, claim_id=claim.pk, opinion="属实")
    with pytest.raises(PermissionDeniedError):  # after review the approver decides
        services.reject_claim(actor=w.editor_a, claim_id=reviewed.pk, reason="有责任方")
    services.reject_claim(actor=w.approver_a, claim_id=reviewed.pk, reason="有责任方可承担")
    with pytest.raises(InvalidTransition):
        services.submit_claim(actor=w.editor_a, claim_id=claim.pk)


def test_payment_only_after_approval(requisition_world):
    w = requisition_world
    claim = reviewed_claim(w)
    with pytest.raises(InvalidTransition):
        services.record_payment(actor=w.duty_officer_a, claim_id=claim.pk, reference="PZ-01")


def test_the_bureau_claims_for_a_returned_requisition_and_reviews_it(requisition_world):
    w = requisition_world
    req = returned_requisition(w)
    costs = [{"category": "rental", "description": "挖掘机台班 2 天", "amount": "4800"}]
    data = {"requisition": req, "basis": "no_liable_party", "summary": "征用挖掘机两天"}
    with pytest.raises(PermissionDeniedError):
        services.create_claim(actor=w.editor_a, data=data, costs=costs)
    claim = services.create_claim(actor=w.duty_officer_a, data=data, costs=costs)
    assert claim.claimant_name == "临清市宏达建筑工程有限公司"
    assert claim.reviewing_department == w.bureau_a
    assert claim.incident == w.incident_a
    with pytest.raises(ConflictError):
        services.create_claim(actor=w.duty_officer_a, data=data, costs=costs)
    services.submit_claim(actor=w.editor_builder_a, claim_id=claim.pk)
    with pytest.raises(PermissionDeniedError):
        services.review_claim(actor=w.editor_builder_a, claim_id=claim.pk, opinion="属实")
    reviewed = services.review_claim(actor=w.duty_officer_a, claim_id=claim.pk, opinion="属实")
    assert reviewed.status == CompensationStatus.REVIEWED


def test_a_requisition_is_compensated_only_once_returned(requisition_world):
    from tests.support.requisition_fixtures import make_requisition

    w = requisition_world
    req = make_requisition(w)
    with pytest.raises(InvalidTransition):
        services.create_claim(
            actor=w.duty_officer_a,
            data={"requisition": req, "basis": "no_liable_party", "summary": "征用"},
            costs=COSTS,
        )


def test_attachments_are_checked_by_content(requisition_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = requisition_world
    claim = make_claim(w)
    pdf = SimpleUploadedFile("油料发票.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")
    attachment = services.add_attachment(actor=w.editor_a, claim_id=claim.pk, upload=pdf)
    assert attachment.name == "油料发票.pdf"
    fake = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed):
        services.add_attachment(actor=w.editor_a, claim_id=claim.pk, upload=fake)
    with pytest.raises(PermissionDeniedError):
        services.add_attachment(
            actor=w.editor_b,
            claim_id=claim.pk,
            upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )
    assert claim.attachments.count() == 1
