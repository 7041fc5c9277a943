"""Pages of passage (Liaocheng §四.2): the list of requests and passes, the request and
pass forms and detail pages with their actions, the printable pass and its PDF, and the
public verify page a checkpoint opens from the pass's QR code (no login)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from command.models import Incident
from core.exceptions import DomainError, ValidationFailed
from core.web import RoleRequiredMixin, raise_for
from support.choices import PassageStatus
from support.passage import forms, pdf, selectors, services
from support.passage.permissions import (
    can_read_passage,
    is_addressee,
    may_answer_passage,
    may_issue_pass,
    may_request_passage,
)
from support.passage.signing import Verdict, verify
from support.passage.throttle import count_miss, refused

LIST_LIMIT = 200


class PassageReaderMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return can_read_passage(user)


def _writer(user: Any) -> bool:
    return user.jurisdiction is not None and may_request_passage(user, user.jurisdiction)


class PassageListView(PassageReaderMixin, View):
    """Requests and passes of the user's area (a department: its own)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        status = request.GET.get("status", "")
        requests = selectors.visible_requests(user)
        if status in PassageStatus.values:
            requests = requests.filter(status=status)
        passes = selectors.visible_passes(user)
        return render(
            request,
            "support/passage/list.html",
            {
                "requests": list(requests.order_by("-requested_at", "-id")[:LIST_LIMIT]),
                "passes": list(passes.order_by("-issued_at", "-id")[:LIST_LIMIT]),
                "statuses": PassageStatus.choices,
                "status": status,
                "may_issue": _writer(user),
                "now": timezone.now(),
            },
        )


def _incident_for(request: HttpRequest) -> Incident:
    incident = (
        Incident.objects.visible_to(request.user)
        .select_related("jurisdiction")
        .filter(pk=request.GET.get("incident") or request.POST.get("incident") or 0)
        .first()
    )
    if incident is None:
        from django.http import Http404

        raise Http404(_("No such incident."))
    return incident


class PassageRequestCreateView(PassageReaderMixin, View):
    """Ask the traffic police or the transport bureau for passage (``?incident=``)."""

    def _render(self, request, incident, form, status=200) -> HttpResponse:
        return render(
            request,
            "support/passage/request_form.html",
            {"form": form, "incident": incident},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        incident = _incident_for(request)
        form = forms.PassageRequestForm(
            incident=incident,
            initial={"starts_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        return self._render(request, incident, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        incident = _incident_for(request)
        form = forms.PassageRequestForm(request.POST, incident=incident)
        if not form.is_valid():
            return self._render(request, incident, form, 400)
        try:
            created = services.request_passage(
                actor=request.user, incident_id=incident.pk, data=dict(form.cleaned_data)
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return self._render(request, incident, form, 400)
        messages.success(request, _("The request was sent."))
        return HttpResponseRedirect(reverse("support:passage_request_detail", args=[created.pk]))


def _request_page(request, passage_request, answer_form=None, reason_form=None, status=200):
    user = request.user
    may_answer = may_answer_passage(user, passage_request)
    may_request = may_request_passage(user, passage_request.jurisdiction)
    return render(
        request,
        "support/passage/request_detail.html",
        {
            "r": passage_request,
            "answer_form": answer_form or forms.AnswerForm(),
            "reason_form": reason_form or forms.ReasonForm(),
            "may_answer": may_answer and passage_request.status == PassageStatus.SENT,
            "on_behalf": may_answer and not is_addressee(user, passage_request.addressee_id),
            "may_withdraw": may_request and passage_request.status == PassageStatus.SENT,
            "may_lift": (may_request or is_addressee(user, passage_request.addressee_id))
            and passage_request.status == PassageStatus.ACCEPTED,
        },
        status=status,
    )


class PassageRequestDetailView(PassageReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = get_object_or_404(selectors.visible_requests(request.user), pk=pk)
        return _request_page(request, found)


class PassageRequestActionView(PassageReaderMixin, View):
    """acknowledge / answer / lift / withdraw, each one service."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        found = get_object_or_404(selectors.visible_requests(request.user), pk=pk)
        user = request.user
        answer_form = reason_form = None
        try:
            if action == "acknowledge":
                services.acknowledge_passage(actor=user, request_id=found.pk)
                messages.success(request, _("Acknowledged."))
            elif action == "answer":
                answer_form = forms.AnswerForm(request.POST)
                if not answer_form.is_valid():
                    return _request_page(request, found, answer_form=answer_form, status=400)
                services.answer_passage(
                    actor=user,
                    request_id=found.pk,
                    accepted=answer_form.cleaned_data["accepted"],
                    answer=answer_form.cleaned_data["answer"],
                )
                messages.success(request, _("The answer was recorded."))
            elif action in ("lift", "withdraw"):
                reason_form = forms.ReasonForm(request.POST)
                reason_form.is_valid()
                reason = reason_form.cleaned_data.get("reason", "")
                if action == "lift":
                    services.lift_passage(actor=user, request_id=found.pk, note=reason)
                    messages.success(request, _("Lifted."))
                else:
                    services.withdraw_passage(actor=user, request_id=found.pk, reason=reason)
                    messages.success(request, _("Withdrawn."))
            else:
                from django.http import Http404

                raise Http404
        except DomainError as exc:
            raise_for(exc)
            if isinstance(exc, ValidationFailed) and answer_form is not None:
                answer_form.add_domain_error(exc)
                return _request_page(request, found, answer_form=answer_form, status=400)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(reverse("support:passage_request_detail", args=[found.pk]))


class VehiclePassCreateView(PassageReaderMixin, View):
    """Issue a pass (``?incident=`` optional)."""

    def _incident(self, request) -> Incident | None:
        pk = request.GET.get("incident") or request.POST.get("incident")
        if not pk:
            return None
        return _incident_for(request)

    def _render(self, request, form, incident, status=200) -> HttpResponse:
        return render(
            request,
            "support/passage/pass_form.html",
            {"form": form, "incident": incident},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = forms.VehiclePassForm(
            user=request.user,
            initial={"valid_from": now, "valid_until": now + timezone.timedelta(days=3)},
        )
        return self._render(request, form, self._incident(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        incident = self._incident(request)
        form = forms.VehiclePassForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(request, form, incident, 400)
        data = dict(form.cleaned_data)
        if incident is not None:
            data["incident"] = incident.pk
        try:
            issued = services.issue_pass(actor=request.user, data=data)
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return self._render(request, form, incident, 400)
        messages.success(request, _("The pass was issued."))
        return HttpResponseRedirect(reverse("support:pass_detail", args=[issued.pk]))


class VehiclePassDetailView(PassageReaderMixin, View):
    def get(self, request: HttpRequest, pk: int, revoke_form=None, status=200) -> HttpResponse:
        found = get_object_or_404(selectors.visible_passes(request.user), pk=pk)
        return render(
            request,
            "support/passage/pass_detail.html",
            {
                "p": found,
                "now": timezone.now(),
                "revoke_form": revoke_form or forms.RevokeForm(),
                "may_revoke": found.revoked_at is None
                and may_issue_pass(request.user, found.jurisdiction),
                "verify_url": pdf.verify_url(found, request),
            },
            status=status,
        )


class VehiclePassRevokeView(PassageReaderMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = get_object_or_404(selectors.visible_passes(request.user), pk=pk)
        form = forms.RevokeForm(request.POST)
        if not form.is_valid():
            return VehiclePassDetailView().get(request, pk, revoke_form=form, status=400)
        try:
            services.revoke_pass(
                actor=request.user, pass_id=found.pk, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The pass was revoked."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(reverse("support:pass_detail", args=[found.pk]))


class VehiclePassPrintView(PassageReaderMixin, View):
    """The pass to print and put behind the windscreen, with its QR code."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = get_object_or_404(selectors.visible_passes(request.user), pk=pk)
        return render(request, "support/passage/pass_print.html", pdf.pass_context(found, request))


class VehiclePassPdfView(PassageReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = get_object_or_404(selectors.visible_passes(request.user), pk=pk)
        response = HttpResponse(pdf.pass_pdf(found, request), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=f"{_('Vehicle pass')}-{found.number}.pdf"
        )
        return response


# --- the public verify page ----------------------------------------------------------------

VERDICT_STATUS = {
    Verdict.VALID: 200,
    Verdict.EXPIRED: 200,
    Verdict.NOT_YET_VALID: 200,
    Verdict.REVOKED: 200,
    Verdict.INVALID: 404,
}


@method_decorator(never_cache, name="dispatch")
class PassVerifyView(View):
    """What a checkpoint sees when it scans a pass: 有效 / 已过期 / 已撤销 / 无效 with
    the plate, force, route and validity — no personal data, no login, no navigation."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if refused(request):
            response = render(
                request, "support/passage/verify.html", {"verdict": "refused"}, status=429
            )
        else:
            result = verify(token)
            if result.verdict == Verdict.INVALID:
                count_miss(request)
            response = render(
                request,
                "support/passage/verify.html",
                {"verdict": result.verdict, "p": result.vehicle_pass, "checked_at": timezone.now()},
                status=VERDICT_STATUS[result.verdict],
            )
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response
