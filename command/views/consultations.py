"""会商研判 meetings: list, record, edit, conclude, print (HTML and PDF). Reads through
``consultations_for``; every write calls one function of ``command.consultations``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from command import consultation_pdf, consultations
from command.choices import ConsultationStatus
from command.consultation_forms import ConcludeForm, ConsultationForm
from command.models import Consultation, Incident
from command.views import command_transfers
from core import web
from core.exceptions import DomainError
from core.web import raise_for
from earlywarning.models import HazardWarning
from earlywarning.selectors import visible_warnings

PAGE_SIZE = 25


class _ReaderView(web.RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return consultations.can_read_consultations(user)


class _WriterView(web.RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return consultations.can_record_consultations(user)


class ConsultationListView(_ReaderView):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = consultations.consultations_for(request.user)
        status = request.GET.get("status", "")
        if status in ConsultationStatus.values:
            qs = qs.filter(status=status)
        incident_id = request.GET.get("incident", "")
        if incident_id.isdigit():
            qs = qs.filter(incident_id=int(incident_id))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "command/consultations/consultation_list.html",
            {
                "page": page,
                "status": status,
                "statuses": ConsultationStatus.choices,
                "can_record": consultations.can_record_consultations(request.user),
            },
        )


def _subject(request: HttpRequest) -> tuple[Incident | None, HazardWarning | None]:
    incident = warning = None
    incident_id = request.GET.get("incident") or request.POST.get("incident") or ""
    warning_id = request.GET.get("warning") or request.POST.get("warning") or ""
    if incident_id.isdigit():
        incident = get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("jurisdiction"),
            pk=int(incident_id),
        )
    elif warning_id.isdigit():
        warning = get_object_or_404(visible_warnings(request.user), pk=int(warning_id))
    return incident, warning


class ConsultationCreateView(_WriterView):
    def _render(self, request, form, incident, warning, status=200):
        return render(
            request,
            "command/consultations/consultation_form.html",
            {"form": form, "incident": incident, "warning": warning, "consultation": None},
            status=status,
        )

    def _area(self, request, incident, warning):
        if incident is not None:
            return incident.jurisdiction
        if warning is not None:
            return warning.jurisdiction
        return request.user.jurisdiction

    def get(self, request: HttpRequest) -> HttpResponse:
        incident, warning = _subject(request)
        initial = {}
        if incident is not None:
            initial["topic"] = _("%(title)s consultation") % {"title": incident.title}
        elif warning is not None:
            initial["topic"] = _("%(title)s consultation") % {"title": warning.headline}
        form = ConsultationForm(initial=initial, area=self._area(request, incident, warning))
        return self._render(request, form, incident, warning)

    def post(self, request: HttpRequest) -> HttpResponse:
        incident, warning = _subject(request)
        form = ConsultationForm(request.POST, area=self._area(request, incident, warning))
        if form.is_valid():
            try:
                consultation = consultations.record_consultation(
                    actor=request.user,
                    incident_id=incident.pk if incident else None,
                    warning_id=warning.pk if warning else None,
                    **form.cleaned_data,
                )
                messages.success(request, _("Consultation recorded."))
                return HttpResponseRedirect(
                    reverse("command:consultation_detail", args=[consultation.pk])
                )
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, incident, warning, status=400)


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    return get_object_or_404(consultations.consultations_for(request.user), pk=pk)


class ConsultationEditView(_WriterView):
    def _render(self, request, form, consultation, status=200):
        return render(
            request,
            "command/consultations/consultation_form.html",
            {
                "form": form,
                "incident": consultation.incident,
                "warning": consultation.warning,
                "consultation": consultation,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = _consultation(request, pk)
        initial = {
            name: getattr(c, name)
            for name in (*consultations.TEXT_FIELDS, "held_at", "recommended_level")
        }
        initial["departments"] = list(c.departments.all())
        initial["experts"] = list(c.experts.all())
        return self._render(request, ConsultationForm(initial=initial, area=c.jurisdiction), c)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = _consultation(request, pk)
        form = ConsultationForm(request.POST, area=c.jurisdiction)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                consultations.update_consultation(
                    actor=request.user,
                    consultation_id=c.pk,
                    departments=list(data.pop("departments")),
                    experts=list(data.pop("experts")),
                    **data,
                )
                messages.success(request, _("Consultation saved."))
                return HttpResponseRedirect(reverse("command:consultation_detail", args=[c.pk]))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, c, status=400)


class ConsultationDetailView(_ReaderView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = _consultation(request, pk)
        can_write = c.status == ConsultationStatus.OPEN and consultations.can_record_consultations(
            request.user
        )
        return render(
            request,
            "command/consultations/consultation_detail.html",
            {
                "consultation": c,
                "can_write": can_write,
                "conclude_form": ConcludeForm(
                    initial={
                        "conclusions": c.conclusions,
                        "recommended_level": c.recommended_level,
                    }
                ),
            },
        )


class ConsultationConcludeView(_WriterView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = _consultation(request, pk)
        form = ConcludeForm(request.POST)
        if form.is_valid():
            try:
                consultations.conclude_consultation(
                    actor=request.user, consultation_id=c.pk, **form.cleaned_data
                )
                messages.success(request, _("Consultation concluded."))
            except DomainError as exc:
                raise_for(exc)
                messages.error(request, exc.detail)
        else:
            messages.error(request, _("Write the conclusions of the meeting."))
        return HttpResponseRedirect(reverse("command:consultation_detail", args=[c.pk]))


class ConsultationPrintView(_ReaderView):
    """The printable record (会商研判纪要): the same template as the PDF."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = _consultation(request, pk)
        return render(
            request,
            "command/consultations/consultation_print.html",
            consultation_pdf.consultation_context(c),
        )


class ConsultationPdfView(_ReaderView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = _consultation(request, pk)
        pdf = consultation_pdf.consultation_pdf(c)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=f"{_('Consultation')}-{c.pk}.pdf"
        )
        return response


urlpatterns = [
    path("consultations/", ConsultationListView.as_view(), name="consultation_list"),
    path("consultations/new/", ConsultationCreateView.as_view(), name="consultation_create"),
    path("consultations/<int:pk>/", ConsultationDetailView.as_view(), name="consultation_detail"),
    path("consultations/<int:pk>/edit/", ConsultationEditView.as_view(), name="consultation_edit"),
    path(
        "consultations/<int:pk>/conclude/",
        ConsultationConcludeView.as_view(),
        name="consultation_conclude",
    ),
    path(
        "consultations/<int:pk>/print/",
        ConsultationPrintView.as_view(),
        name="consultation_print",
    ),
    path("consultations/<int:pk>/pdf/", ConsultationPdfView.as_view(), name="consultation_pdf"),
    # The command hand-over of the incident page (hq's part, kept beside the meetings).
    *command_transfers.urlpatterns,
]
