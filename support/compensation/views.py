"""Compensation pages: the list (index of 应急救援补偿), the claim form with its costs
formset (a force's claim, or a requisition owner's from the requisition page), the detail
with costs, attachments, the steps taken and the forms of the next step. Every write goes
through ``services``. Outside the reader's reach a claim is 404, the wrong role 403."""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from command.reports import CONTENT_TYPES
from core.exceptions import DomainError
from core.web import RoleRequiredMixin, raise_for
from forces.models import Force
from support.choices import COMPENSATION_TRANSITIONS, CompensationStatus
from support.compensation import permissions, selectors, services
from support.compensation.forms import (
    ApproveForm,
    AttachmentForm,
    ClaimForm,
    CostFormSet,
    PaymentForm,
    ReasonForm,
    ReviewForm,
)
from support.models import CompensationAttachment, CompensationClaim
from support.requisition.selectors import visible_requisitions

PAGE_SIZE = 25


class CompensationMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return permissions.opens_claims(user)


def _claim(user: Any, pk: int) -> CompensationClaim:
    claim = selectors.visible_claims(user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


def own_forces(user: Any) -> QuerySet[Force]:
    """The forces the user may claim for (its organisation's)."""
    if user.is_superuser:
        return Force.objects.order_by("name")
    if user.organisation_id is None:
        return Force.objects.none()
    return Force.objects.filter(organisation_id=user.organisation_id).order_by("name")


def _may_create(user: Any) -> bool:
    first = own_forces(user).first()
    return first is not None and permissions.can_claim_for_force(user, first)


class ClaimListView(CompensationMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.visible_claims(request.user)
        status = request.GET.get("status", "")
        if status in CompensationStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "support/compensation/list.html",
            {
                "page": page,
                "status": status,
                "statuses": CompensationStatus.choices,
                "query": f"status={status}" if status else "",
                "may_create": _may_create(request.user),
            },
        )


def _costs(formset) -> list[dict[str, Any]]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class ClaimFormView(CompensationMixin, View):
    """New claim (for a force, or ``?requisition=``) or edit a draft/returned one."""

    def _setup(self, request: HttpRequest, pk: int | None):
        user = request.user
        claim = requisition = None
        if pk is not None:
            claim = _claim(user, pk)
            if not permissions.can_claim(user, claim):
                raise PermissionDenied
            requisition = claim.requisition
        else:
            raw = request.GET.get("requisition") or request.POST.get("requisition") or ""
            if raw:
                requisition = (
                    visible_requisitions(user).filter(pk=int(raw) if raw.isdigit() else 0).first()
                )
                if requisition is None:
                    raise Http404
                if not permissions.can_claim_for_requisition(user, requisition):
                    raise PermissionDenied
            elif not own_forces(user).exists():
                raise PermissionDenied
        return claim, requisition

    def _form(self, request, claim, requisition, data=None):
        for_requisition = requisition is not None or (claim is not None and claim.force_id is None)
        initial = {}
        if claim is not None:
            initial = {
                name: getattr(claim, name)
                for name in (
                    "basis",
                    "liable_party",
                    "summary",
                    "bank_account_name",
                    "bank_account",
                )
            }
        return ClaimForm(
            data,
            initial=initial,
            user=request.user,
            forces=None if claim is not None else own_forces(request.user),
            for_requisition=for_requisition,
        )

    def _formset(self, claim, data=None):
        initial = (
            [
                {"category": c.category, "description": c.description, "amount": c.amount}
                for c in claim.costs.all()
            ]
            if claim is not None
            else None
        )
        return CostFormSet(data, initial=initial, prefix="costs")

    def _render(self, request, claim, requisition, form, formset) -> HttpResponse:
        return render(
            request,
            "support/compensation/form.html",
            {"form": form, "formset": formset, "claim": claim, "requisition": requisition},
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        claim, requisition = self._setup(request, pk)
        return self._render(
            request,
            claim,
            requisition,
            self._form(request, claim, requisition),
            self._formset(claim),
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        claim, requisition = self._setup(request, pk)
        form = self._form(request, claim, requisition, request.POST)
        formset = self._formset(claim, request.POST)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                if claim is not None:
                    saved = services.update_claim(
                        actor=request.user, claim_id=claim.pk, data=data, costs=_costs(formset)
                    )
                else:
                    if requisition is not None:
                        data["requisition"] = requisition
                    saved = services.create_claim(
                        actor=request.user, data=data, costs=_costs(formset)
                    )
            except DomainError as exc:
                raise_for(exc)
                if isinstance(exc.errors, dict) and "costs" in exc.errors:
                    for message in exc.errors["costs"]:
                        formset._non_form_errors = formset.error_class([message])
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Claim %(n)s saved.") % {"n": saved.number})
                return HttpResponseRedirect(reverse("support:compensation_detail", args=[saved.pk]))
        return self._render(request, claim, requisition, form, formset)


def _detail_context(user: Any, claim: CompensationClaim, **given: Any) -> dict[str, Any]:
    allowed = COMPENSATION_TRANSITIONS[claim.status]
    claimant = permissions.can_claim(user, claim)
    editable = claimant and claim.status in services.EDITABLE

    def offer(name, condition, factory):
        return given.get(name) or (factory() if condition else None)

    return {
        "c": claim,
        "costs": list(claim.costs.all()),
        "attachments": list(claim.attachments.all()),
        "editable": editable,
        "may_submit": claimant and CompensationStatus.SUBMITTED in allowed,
        "attachment_form": offer("attachment_form", editable, AttachmentForm),
        "review_form": offer(
            "review_form",
            claim.status == CompensationStatus.SUBMITTED and permissions.can_review(user, claim),
            ReviewForm,
        ),
        "approve_form": offer(
            "approve_form",
            claim.status == CompensationStatus.REVIEWED and permissions.can_approve(user, claim),
            lambda: ApproveForm(initial={"amount": claim.claimed_amount}),
        ),
        "payment_form": offer(
            "payment_form",
            claim.status == CompensationStatus.APPROVED and permissions.can_pay(user, claim),
            PaymentForm,
        ),
        "reason_form": offer("reason_form", permissions.can_send_back(user, claim), ReasonForm),
    }


class ClaimDetailView(CompensationMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        claim = _claim(request.user, pk)
        return render(
            request, "support/compensation/detail.html", _detail_context(request.user, claim)
        )


ACTION_FORMS = {
    "attach": (AttachmentForm, "attachment_form"),
    "review": (ReviewForm, "review_form"),
    "approve": (ApproveForm, "approve_form"),
    "pay": (PaymentForm, "payment_form"),
    "decide": (ReasonForm, "reason_form"),
}


class ClaimActionView(CompensationMixin, View):
    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in (*ACTION_FORMS, "submit"):
            raise Http404
        claim = _claim(request.user, pk)
        user = request.user
        form = None
        try:
            if action == "submit":
                services.submit_claim(actor=user, claim_id=pk)
            else:
                form_class, name = ACTION_FORMS[action]
                form = form_class(request.POST, request.FILES)
                if not form.is_valid():
                    context = _detail_context(user, claim, **{name: form})
                    return render(request, "support/compensation/detail.html", context, status=400)
                data = form.cleaned_data
                if action == "attach":
                    services.add_attachment(
                        actor=user, claim_id=pk, upload=data["file"], name=data["name"]
                    )
                elif action == "review":
                    services.review_claim(actor=user, claim_id=pk, opinion=data["opinion"])
                elif action == "approve":
                    services.approve_claim(
                        actor=user,
                        claim_id=pk,
                        amount=data["amount"],
                        approval_reference=data["approval_reference"],
                    )
                elif action == "pay":
                    services.record_payment(actor=user, claim_id=pk, reference=data["reference"])
                elif request.POST.get("decision") == "reject":
                    services.reject_claim(actor=user, claim_id=pk, reason=data["reason"])
                else:
                    services.return_claim(actor=user, claim_id=pk, reason=data["reason"])
        except DomainError as exc:
            raise_for(exc)
            claim = _claim(user, pk)
            if form is None:
                messages.error(request, exc.detail)
                return HttpResponseRedirect(reverse("support:compensation_detail", args=[pk]))
            form.add_domain_error(exc)
            context = _detail_context(user, claim, **{ACTION_FORMS[action][1]: form})
            return render(request, "support/compensation/detail.html", context, status=400)
        return HttpResponseRedirect(reverse("support:compensation_detail", args=[pk]))


class AttachmentDownloadView(CompensationMixin, View):
    """Files are served only to those who read the claim (/media/ is not served)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = CompensationAttachment.objects.select_related("claim").filter(pk=pk).first()
        if (
            attachment is None
            or not selectors.visible_claims(request.user).filter(pk=attachment.claim_id).exists()
        ):
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        ext = os.path.splitext(attachment.file.name)[1].lower().lstrip(".")
        content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
        return FileResponse(
            handle,
            as_attachment=not content_type.startswith("image/"),
            filename=attachment.name if "." in attachment.name else f"{attachment.name}.{ext}",
            content_type=content_type,
        )
