"""Welfare pages: the index per force, a rescuer's page, the record forms and the
casualty cases with their procedure. Reads go through ``selectors`` (scoped, masked);
every write binds a form and calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.web import RoleRequiredMixin, latest_seq, raise_for
from forces.models import Force
from support.choices import CasualtyStatus
from support.welfare import selectors, services
from support.welfare.forms import (
    CasualtyForm,
    CommendationForm,
    DecisionForm,
    HealthRecordForm,
    InsurancePolicyForm,
    ReviewForm,
)
from support.welfare.permissions import (
    can_decide_casualty,
    can_record_for,
    can_review_casualty,
    reads_welfare,
    visible_personnel,
)


class WelfareReaderMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return reads_welfare(user)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WelfareIndexView(WelfareReaderMixin, View):
    """Per force: its rescuers with their examination and insurance status; those lapsing
    or due highlighted, ``?attention=1`` lists only them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        force_id = _int(request.GET.get("force"))
        attention = request.GET.get("attention") == "1"
        rows = selectors.person_rows(request.user, force_id=force_id, attention_only=attention)
        groups: dict[int, dict] = {}
        for row in rows:
            group = groups.setdefault(row.person.force_id, {"force": row.person.force, "rows": []})
            group["rows"].append(row)
        context = {
            "groups": list(groups.values()),
            "forces": selectors.visible_forces(request.user),
            "force_id": force_id,
            "attention": attention,
            "lapsing": sum(1 for r in rows if r.insurance in ("lapsing", "lapsed")),
            "exam_due": sum(1 for r in rows if r.exam == "due"),
            "live_seq": latest_seq(request.user),
        }
        return render(request, "support/welfare/index.html", context)


class PersonView(WelfareReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = get_object_or_404(
            visible_personnel(request.user).select_related("force", "force__organisation"),
            pk=pk,
        )
        context = {
            "person": person,
            "personal": selectors.personal_fields(request.user, person),
            "health_records": person.health_records.select_related("recorded_by"),
            "policies": person.insurance_policies.all(),
            "commendations": person.commendations.select_related("incident"),
            "cases": person.casualty_cases.select_related("incident"),
            "can_record": can_record_for(request.user, person.force),
            "insurance": selectors.insurance_status(person.insurance_expiry, timezone.localdate()),
        }
        return render(request, "support/welfare/person.html", context)


class _PersonFormView(WelfareReaderMixin, View):
    form_class: type = HealthRecordForm
    heading = ""

    def _person(self, request: HttpRequest, pk: int):
        person = get_object_or_404(visible_personnel(request.user).select_related("force"), pk=pk)
        if not can_record_for(request.user, person.force):
            raise Http404
        return person

    def _render(self, request: HttpRequest, person, form, status: int = 200) -> HttpResponse:
        context = {"person": person, "form": form, "heading": self.heading}
        return render(request, "support/welfare/form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        return self._render(request, person, self.form_class(initial=self.initial(request)))

    def initial(self, request: HttpRequest) -> dict:
        incident = _int(request.GET.get("incident"))
        return {"incident": incident} if incident else {}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                target = self.save(request, person, form.cleaned_data)
            except DomainError as exc:
                raise_for(exc)
                form.apply_errors(exc.errors or {"__all__": [exc.detail]})
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(target)
        return self._render(request, person, form, status=400)

    def save(self, request: HttpRequest, person, data: dict) -> str:
        raise NotImplementedError


class HealthRecordCreateView(_PersonFormView):
    form_class = HealthRecordForm

    @property
    def heading(self) -> str:
        return _("Record a health examination")

    def save(self, request, person, data) -> str:
        services.record_health(actor=request.user, personnel_id=person.pk, data=data)
        return reverse("support:welfare_person", args=[person.pk])


class InsurancePolicyCreateView(_PersonFormView):
    form_class = InsurancePolicyForm

    @property
    def heading(self) -> str:
        return _("Record an accident-insurance policy")

    def save(self, request, person, data) -> str:
        services.record_insurance(actor=request.user, personnel_id=person.pk, data=data)
        return reverse("support:welfare_person", args=[person.pk])


class PersonCommendationCreateView(_PersonFormView):
    form_class = CommendationForm

    @property
    def heading(self) -> str:
        return _("Record a commendation")

    def save(self, request, person, data) -> str:
        services.record_commendation(actor=request.user, data={**data, "personnel": person.pk})
        return reverse("support:welfare_person", args=[person.pk])


class CasualtyCreateView(_PersonFormView):
    form_class = CasualtyForm

    @property
    def heading(self) -> str:
        return _("Report an injury or death")

    def save(self, request, person, data) -> str:
        case = services.submit_casualty(actor=request.user, personnel_id=person.pk, data=data)
        return reverse("support:casualty_detail", args=[case.pk])


class ForceCommendationCreateView(WelfareReaderMixin, View):
    """A commendation of a whole force (e.g. after the flood)."""

    def _force(self, request: HttpRequest, pk: int) -> Force:
        force = get_object_or_404(selectors.visible_forces(request.user), pk=pk)
        if not can_record_for(request.user, force):
            raise Http404
        return force

    def _render(self, request, force, form, status=200) -> HttpResponse:
        context = {"force": force, "form": form, "heading": _("Commend the force")}
        return render(request, "support/welfare/form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        force = self._force(request, pk)
        incident = _int(request.GET.get("incident"))
        return self._render(request, force, CommendationForm(initial={"incident": incident}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        force = self._force(request, pk)
        form = CommendationForm(request.POST)
        if form.is_valid():
            try:
                services.record_commendation(
                    actor=request.user, data={**form.cleaned_data, "force": force.pk}
                )
            except DomainError as exc:
                raise_for(exc)
                form.apply_errors(exc.errors or {"__all__": [exc.detail]})
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("support:commendation_list") + f"?force={force.pk}"
                )
        return self._render(request, force, form, status=400)


class CommendationListView(WelfareReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.visible_commendations(request.user)
        force_id = _int(request.GET.get("force"))
        if force_id:
            qs = qs.filter(Q(force_id=force_id) | Q(personnel__force_id=force_id))
        context = {
            "commendations": list(qs[:200]),
            "forces": selectors.visible_forces(request.user),
            "force_id": force_id,
        }
        return render(request, "support/welfare/commendation_list.html", context)


class CasualtyListView(WelfareReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        if status not in CasualtyStatus.values:
            status = ""
        context = {
            "cases": list(selectors.casualty_cases(request.user, status=status)[:200]),
            "status": status,
            "statuses": CasualtyStatus.choices,
            "live_seq": latest_seq(request.user),
        }
        return render(request, "support/welfare/casualty_list.html", context)


class CasualtyDetailView(WelfareReaderMixin, View):
    def _case(self, request: HttpRequest, pk: int):
        return get_object_or_404(selectors.visible_cases(request.user), pk=pk)

    def _render(self, request, case, review_form=None, decision_form=None, status=200):
        force = case.personnel.force
        context = {
            "case": case,
            "personal": selectors.personal_fields(request.user, case.personnel),
            "can_review": case.status == CasualtyStatus.SUBMITTED
            and can_review_casualty(request.user, force),
            "can_decide": case.status == CasualtyStatus.REVIEWED
            and can_decide_casualty(request.user, force),
            "review_form": review_form or ReviewForm(),
            "decision_form": decision_form or DecisionForm(),
        }
        return render(request, "support/welfare/casualty_detail.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._case(request, pk))


class CasualtyStepView(WelfareReaderMixin, View):
    """POST review/decide on a case."""

    step = "review"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(selectors.visible_cases(request.user), pk=pk)
        form = (ReviewForm if self.step == "review" else DecisionForm)(request.POST)
        if form.is_valid():
            try:
                if self.step == "review":
                    services.review_casualty(
                        actor=request.user, case_id=case.pk, opinion=form.cleaned_data["opinion"]
                    )
                else:
                    services.decide_casualty(
                        actor=request.user, case_id=case.pk, **form.cleaned_data
                    )
            except DomainError as exc:
                raise_for(exc)
                form.apply_errors(exc.errors or {"__all__": [exc.detail]})
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("support:casualty_detail", args=[case.pk]))
        detail = CasualtyDetailView()
        kwargs = {"review_form": form} if self.step == "review" else {"decision_form": form}
        return detail._render(request, case, status=400, **kwargs)
