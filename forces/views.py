"""Registry pages (SPEC §2). Lists and details are scoped with ``visible_to``; every
write binds a form and calls one service in ``forces.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.masking import mask_id_number, mask_phone
from core.models import Organisation
from core.permissions import can_manage_organisation_data, can_see_personal_data
from core.services import can_reveal_phones
from core.web import RegistryReaderRequiredMixin, raise_for
from forces import services
from forces.filters import ExpertFilter, ForceFilter
from forces.forms import ITEM_FORMS, ExpertForm, ForceForm
from forces.models import Expert, Force
from forces.permissions import may_create_records
from forces.selectors import COMM_LABELS, force_history

PAGE_SIZE = 25


class ForceListView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        base = (
            Force.objects.visible_to(request.user)
            .select_related("organisation", "jurisdiction")
            .prefetch_related("specialties")
        )
        filterset = ForceFilter(request.GET, queryset=base, request=request)
        filterset.form.fields["organisation"].queryset = Organisation.objects.visible_to(
            request.user
        )
        filterset.form.fields["industry_authority"].queryset = Organisation.objects.visible_to(
            request.user
        )
        for f in filterset.form.fields.values():
            f.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if hasattr(f, "choices")
                else "form-control form-control-sm",
            )
        qs = filterset.qs if filterset.is_valid() else base.none()
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        editable = services.editable_force_ids(request.user, [f.pk for f in page])
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filter": filterset,
            "page": page,
            "editable": editable,
            "query": query.urlencode(),
            "can_create": may_create_records(request.user),
        }
        template = "forces/_force_rows.html" if request.htmx else "forces/force_list.html"
        return render(request, template, context)


class ForceDetailView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        force = get_object_or_404(
            Force.objects.visible_to(request.user).select_related(
                "organisation", "industry_authority", "jurisdiction"
            ),
            pk=pk,
        )
        show_personal = can_see_personal_data(request.user, force.organisation_id)
        personnel = list(force.personnel.select_related("specialty"))
        for person in personnel:
            person.phone_display = person.phone if show_personal else mask_phone(person.phone)
            person.id_display = (
                person.id_number if show_personal else mask_id_number(person.id_number)
            )
        context = {
            "force": force,
            "can_edit": services.can_edit_force(request.user, force),
            "leader_phone": force.leader_phone if show_personal else mask_phone(force.leader_phone),
            "may_reveal": not show_personal and can_reveal_phones(request.user),
            "comm_means_display": "、".join(
                str(COMM_LABELS.get(v, v)) for v in force.comm_means or []
            ),
            "personnel": personnel,
            "equipment": force.equipment.all(),
            "materials": force.materials.all(),
            "history": force_history(force, request.user),
        }
        return render(request, "forces/force_detail.html", context)


class ForceFormView(RegistryReaderRequiredMixin, View):
    """Create (no pk) or edit (pk) a force."""

    def _force(self, request: HttpRequest, pk: int | None) -> Force | None:
        if pk is None:
            if not may_create_records(request.user):
                raise PermissionDenied
            return None
        force = get_object_or_404(Force.objects.visible_to(request.user), pk=pk)
        if not services.can_edit_force(request.user, force):
            raise PermissionDenied
        return force

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        force = self._force(request, pk)
        form = ForceForm(instance=force, user=request.user)
        return render(request, "forces/force_form.html", {"form": form, "force": force})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        force = self._force(request, pk)
        form = ForceForm(request.POST, instance=force, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            specialties = data.pop("specialties")
            try:
                if force is None:
                    organisation = data.pop("organisation", None) or request.user.organisation
                    force = services.create_force(
                        actor=request.user,
                        organisation=organisation,
                        data=data,
                        specialties=specialties,
                    )
                    messages.success(request, _("Force registered."))
                else:
                    services.update_force(
                        actor=request.user, force_id=force.pk, data=data, specialties=specialties
                    )
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(force.get_absolute_url())
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return render(request, "forces/force_form.html", {"form": form, "force": force}, status=400)


class ForceItemFormView(RegistryReaderRequiredMixin, View):
    """Add or edit a person, piece of equipment or material of a force."""

    def _load(self, request: HttpRequest, force_pk: int, kind: str, item_pk: int | None):
        if kind not in ITEM_FORMS:
            raise Http404
        force = get_object_or_404(Force.objects.visible_to(request.user), pk=force_pk)
        if not services.can_edit_force(request.user, force):
            raise PermissionDenied
        item = None
        if item_pk is not None:
            model = services.FORCE_ITEM_MODELS[kind]
            item = get_object_or_404(model, pk=item_pk, force=force)
        return force, item

    def _render(self, request, force, kind, form, item, status=200):
        return render(
            request,
            "forces/item_form.html",
            {
                "force": force,
                "kind": kind,
                "form": form,
                "item": item,
                "kind_label": ITEM_FORMS[kind]._meta.model._meta.verbose_name,
            },
            status=status,
        )

    def get(self, request, force_pk: int, kind: str, item_pk: int | None = None):
        force, item = self._load(request, force_pk, kind, item_pk)
        return self._render(request, force, kind, ITEM_FORMS[kind](instance=item), item)

    def post(self, request, force_pk: int, kind: str, item_pk: int | None = None):
        force, item = self._load(request, force_pk, kind, item_pk)
        form = ITEM_FORMS[kind](request.POST, instance=item)
        if form.is_valid():
            try:
                if item is None:
                    services.add_force_item(
                        actor=request.user, force_id=force.pk, kind=kind, data=form.cleaned_data
                    )
                else:
                    services.update_force_item(
                        actor=request.user, kind=kind, item_id=item.pk, data=form.cleaned_data
                    )
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(f"{force.get_absolute_url()}#{kind}")
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, force, kind, form, item, status=400)


class ForceItemDeleteView(RegistryReaderRequiredMixin, View):
    def post(self, request, force_pk: int, kind: str, item_pk: int):
        if kind not in ITEM_FORMS:
            raise Http404
        force = get_object_or_404(Force.objects.visible_to(request.user), pk=force_pk)
        model = services.FORCE_ITEM_MODELS[kind]
        get_object_or_404(model, pk=item_pk, force=force)
        try:
            services.remove_force_item(actor=request.user, kind=kind, item_id=item_pk)
        except DomainError as exc:
            raise_for(exc)
            raise
        messages.success(request, _("Record removed."))
        return HttpResponseRedirect(f"{force.get_absolute_url()}#{kind}")


class ExpertListView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        base = (
            Expert.objects.visible_to(request.user)
            .select_related("organisation__jurisdiction", "jurisdiction")
            .prefetch_related("specialties")
        )
        filterset = ExpertFilter(request.GET, queryset=base, request=request)
        filterset.form.fields["organisation"].queryset = Organisation.objects.visible_to(
            request.user
        )
        for f in filterset.form.fields.values():
            f.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if hasattr(f, "choices")
                else "form-control form-control-sm",
            )
        qs = filterset.qs if filterset.is_valid() else base.none()
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = []
        may_reveal = can_reveal_phones(request.user)
        for expert in page:
            visible = can_see_personal_data(request.user, expert.organisation_id)
            expert.may_reveal = may_reveal and not visible
            rows.append(
                (
                    expert,
                    expert.phone if visible else mask_phone(expert.phone),
                    can_manage_organisation_data(request.user, expert.organisation),
                )
            )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "forces/expert_list.html",
            {"filter": filterset, "page": page, "rows": rows, "query": query.urlencode()},
        )


class ExpertFormView(RegistryReaderRequiredMixin, View):
    def _expert(self, request: HttpRequest, pk: int | None) -> Expert | None:
        if pk is None:
            if not may_create_records(request.user):
                raise PermissionDenied
            return None
        expert = get_object_or_404(Expert.objects.visible_to(request.user), pk=pk)
        if not services.can_edit_expert(request.user, expert):
            raise PermissionDenied
        return expert

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        expert = self._expert(request, pk)
        return render(
            request,
            "forces/expert_form.html",
            {"form": ExpertForm(instance=expert, user=request.user), "expert": expert},
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        expert = self._expert(request, pk)
        form = ExpertForm(request.POST, instance=expert, user=request.user)
        if form.is_valid():
            data: dict[str, Any] = dict(form.cleaned_data)
            specialties = data.pop("specialties")
            try:
                if expert is None:
                    organisation = data.pop("organisation", None) or request.user.organisation
                    services.create_expert(
                        actor=request.user,
                        organisation=organisation,
                        data=data,
                        specialties=specialties,
                    )
                else:
                    services.update_expert(
                        actor=request.user, expert_id=expert.pk, data=data, specialties=specialties
                    )
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect("/forces/experts/")
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return render(
            request, "forces/expert_form.html", {"form": form, "expert": expert}, status=400
        )
