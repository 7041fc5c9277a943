"""Pages of warnings — warnings part (DESIGN12): the list, the draft form, the detail
page with its versions, actions and the live 叫应 board, and acknowledging on a
recipient's behalf.

Every write goes through earlywarning.services; the pages only decide what to offer.
Outside the user's jurisdiction a warning is 404, the wrong role 403 (core.web).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.models import Jurisdiction
from core.roles import Role
from core.web import RoleRequiredMixin, raise_for
from earlywarning import permissions, selectors, services
from earlywarning.choices import (
    KEY_PERIOD_LEVELS,
    LEVEL_RANK,
    RecipientState,
    WarningStatus,
)
from earlywarning.forms import (
    CancelForm,
    RelayForm,
    WarningFilterForm,
    WarningForm,
    issuable_hazard_types,
)
from earlywarning.models import HazardWarning, WarningRecipient
from notify.choices import ResponderChannel

PAGE_SIZE = 25
RECIPIENT_PAGE_SIZE = 100
ACTIONS = ("publish", "revise", "cancel", "relay", "discard")
# DESIGN12: who imports CAP on a page (the cap part checks again).
CAP_IMPORTERS = (Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.DEPARTMENT_EDITOR)


# --- who sees what ------------------------------------------------------------------------


def may_open_pages(user: Any) -> bool:
    """The warning roles, and force accounts (the warnings they were asked to answer)."""
    return permissions.can_read_warnings(user) or user.has_role(Role.FORCE_ACCOUNT)


def warnings_for(user: Any) -> QuerySet[HazardWarning]:
    """What the user may open (drafts: its department's; a force account: what it was
    asked to answer) — earlywarning.selectors decides."""
    return selectors.visible_warnings(user)


def _by_level() -> Case:
    return Case(
        *[When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def _with_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("hazard_type", "issuer", "jurisdiction").prefetch_related("areas")


def _reverse(name: str, *args: Any) -> str:
    """URL of another part's page (CAP, grids), or "" while it is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _areas(warning: HazardWarning) -> list[Jurisdiction]:
    return list(warning.areas.all())


# --- list ---------------------------------------------------------------------------------


def _page(request: HttpRequest, qs: Any, size: int = PAGE_SIZE) -> tuple[Any, str]:
    return Paginator(qs, size).get_page(request.GET.get("page")), _query_without_page(request)


class WarningListView(RoleRequiredMixin, View):
    """Active warnings first, by level (red on top); the department's drafts; history."""

    def allowed(self, user: Any) -> bool:
        return may_open_pages(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        form = WarningFilterForm(request.GET or None)
        qs = _with_related(warnings_for(user))
        if form.is_valid():
            d = form.cleaned_data
            if d.get("hazard_type"):
                qs = qs.filter(hazard_type=d["hazard_type"])
            if d.get("level"):
                qs = qs.filter(level=d["level"])
            if d.get("status"):
                qs = qs.filter(status=d["status"])
            if d.get("q"):
                qs = qs.filter(
                    Q(headline__icontains=d["q"]) | Q(area_description__icontains=d["q"])
                )
        active = list(
            qs.filter(status__in=[WarningStatus.PUBLISHED])
            .annotate(rank=_by_level())
            .order_by("-rank", "-published_at", "-id")
        )
        drafts = list(qs.filter(status=WarningStatus.DRAFT).order_by("-updated_at", "-id"))
        history = qs.exclude(status__in=[WarningStatus.PUBLISHED, WarningStatus.DRAFT]).order_by(
            "-ended_at", "-id"
        )
        page, query = _page(request, history)
        return render(
            request,
            "earlywarning/warnings/list.html",
            {
                "form": form,
                "active": active,
                "drafts": drafts,
                "page": page,
                "query": query,
                "can_create": issuable_hazard_types(user).exists(),
                "import_url": _reverse("earlywarning:cap_import")
                if user.has_role(*CAP_IMPORTERS)
                else "",
            },
        )


# --- create / edit ------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: WarningForm, warning: HazardWarning | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "earlywarning/warnings/form.html",
        {
            "form": form,
            "warning": warning,
            "key_period_levels": sorted(KEY_PERIOD_LEVELS),
            "map_config": map_config(request.user),
        },
        status=status,
    )


def map_config(user: Any) -> dict[str, Any]:
    from django.conf import settings

    jurisdiction = user.jurisdiction
    return {
        "center": [
            float(jurisdiction.latitude) if jurisdiction and jurisdiction.latitude else 36.84,
            float(jurisdiction.longitude) if jurisdiction and jurisdiction.longitude else 115.71,
        ],
        "outlineUrl": _outline_url(jurisdiction),
        "jurisdiction": jurisdiction.code if jurisdiction else "",
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _outline_url(jurisdiction: Jurisdiction | None) -> str:
    """The demo outline of the jurisdiction or its nearest ancestor (static/geo)."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.templatetags.static import static

    if jurisdiction is None:
        return ""
    for code in reversed(jurisdiction.ancestors_and_self()):
        name = f"geo/{code}.geojson"
        if finders.find(name) or staticfiles_storage.exists(name):
            return static(name)
    return ""


class WarningCreateView(RoleRequiredMixin, View):
    """A department editor drafts a warning of its own hazard types in its jurisdiction."""

    def allowed(self, user: Any) -> bool:
        return issuable_hazard_types(user).exists()

    def get(self, request: HttpRequest) -> HttpResponse:
        return _form_page(request, WarningForm(user=request.user), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WarningForm(request.POST, user=request.user)
        if not form.is_valid():
            return _form_page(request, form, None, status=400)
        try:
            warning = services.create_draft(actor=request.user, data=form.warning_data())
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return _form_page(request, form, None, status=400)
        messages.success(request, _("Draft saved. Check it, then publish it."))
        return HttpResponseRedirect(reverse("earlywarning:warning_detail", args=[warning.pk]))


class WarningEditView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return may_open_pages(user)

    def _draft(self, request: HttpRequest, pk: int) -> HazardWarning:
        warning = get_object_or_404(_with_related(warnings_for(request.user)), pk=pk)
        if not permissions.can_edit(request.user, warning):
            raise PermissionDenied(_("Only the issuing department may change this warning."))
        if warning.status != WarningStatus.DRAFT:
            raise Http404(_("Only a draft can be edited."))
        return warning

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        warning = self._draft(request, pk)
        return _form_page(request, WarningForm(user=request.user, warning=warning), warning)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        warning = self._draft(request, pk)
        form = WarningForm(request.POST, user=request.user, warning=warning)
        if not form.is_valid():
            return _form_page(request, form, warning, status=400)
        try:
            services.update_draft(
                actor=request.user, warning_id=warning.pk, data=form.warning_data()
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return _form_page(request, form, warning, status=400)
        messages.success(request, _("Draft saved."))
        return HttpResponseRedirect(reverse("earlywarning:warning_detail", args=[warning.pk]))


# --- detail and the 叫应 board ---------------------------------------------------------------


def _versions(warning: HazardWarning) -> list[HazardWarning]:
    """Every version of this warning, oldest first (a short chain: one query a step)."""
    chain = [warning]
    cursor = warning
    while cursor.previous_id:
        cursor = HazardWarning.objects.select_related("previous").get(pk=cursor.previous_id)
        chain.insert(0, cursor)
    cursor = warning
    while True:
        nxt = HazardWarning.objects.filter(previous=cursor).first()
        if nxt is None:
            break
        chain.append(nxt)
        cursor = nxt
    return chain


def _drill_jurisdiction(request: HttpRequest, warning: HazardWarning) -> Jurisdiction | None:
    code = request.GET.get("j", "")
    if not code:
        return None
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        raise Http404(_("No such jurisdiction."))
    return jurisdiction


def _detail(
    request: HttpRequest,
    warning: HazardWarning,
    *,
    cancel_form: CancelForm | None = None,
    relay_form: RelayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    versions = _versions(warning)
    index = next(i for i, v in enumerate(versions) if v.pk == warning.pk)
    visible_ids = set(
        warnings_for(user).filter(pk__in=[v.pk for v in versions]).values_list("pk", flat=True)
    )
    previous = versions[index - 1] if index > 0 else None
    following = versions[index + 1] if index + 1 < len(versions) else None
    is_draft = warning.status == WarningStatus.DRAFT
    is_active = warning.status == WarningStatus.PUBLISHED
    can_read = permissions.can_read_warnings(user)
    editable = permissions.can_edit(user, warning)
    publishes = permissions.can_publish(user, warning)
    actions = {
        "edit": is_draft and editable,
        "discard": is_draft and editable,
        "publish": is_draft and publishes,
        "revise": is_active and publishes and following is None,
        "cancel": is_active and publishes,
        "relay": is_active and can_read and permissions.may_relay(user, warning),
    }
    group_by = _drill_jurisdiction(request, warning) if can_read else None
    state = request.GET.get("state", "")
    if state not in RecipientState.values:
        state = ""
    board = recipients = None
    recipient_page = None
    if can_read and not is_draft:
        board = selectors.warning_board(user, warning, group_by=group_by)
        if group_by is not None or state:
            recipients = selectors.board_recipients(
                user, warning, jurisdiction=group_by, state=state or None
            )
            recipient_page = Paginator(recipients, RECIPIENT_PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            channels = dict(ResponderChannel.choices)
            for recipient in recipient_page:
                recipient.on_behalf = permissions.acknowledges_on_behalf(user, recipient)
                channel = recipient.acknowledged_channel
                recipient.channel_label = channels.get(channel, channel)
    breadcrumbs = []
    if group_by is not None and warning.jurisdiction.contains(group_by):
        breadcrumbs = list(
            Jurisdiction.objects.filter(
                code__in=group_by.ancestors_and_self(), path__startswith=warning.jurisdiction.path
            ).order_by("path")
        )
    context = {
        "warning": warning,
        "area_names": "、".join(area.name for area in _areas(warning)),
        "versions": versions,
        "visible_version_ids": visible_ids,
        "previous": previous if previous and previous.pk in visible_ids else None,
        "following": following if following and following.pk in visible_ids else None,
        "actions": actions,
        "any_action": any(actions.values()),
        "cancel_form": cancel_form or CancelForm(),
        "relay_form": relay_form or (RelayForm(user=user) if actions["relay"] else None),
        "board": board,
        "group_by": group_by,
        "breadcrumbs": breadcrumbs,
        "state": state,
        "states": RecipientState.choices,
        "recipient_page": recipient_page,
        "recipient_query": _query_without_page(request),
        "can_acknowledge_for": is_active and user.has_role(Role.DUTY_OFFICER),
        "cap_url": _reverse("earlywarning:warning_cap", warning.pk) if not is_draft else "",
        "my_recipients": _my_recipients(user, warning),
        "is_active": is_active,
    }
    return render(request, "earlywarning/warnings/detail.html", context, status=status)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _my_recipients(user: Any, warning: HazardWarning) -> list[WarningRecipient]:
    """The user's own rows (its account, its organisation, its organisation's forces):
    what it was asked to answer, and whether it did."""
    if not user.organisation_id or user.has_role(Role.SCREEN, Role.SYNC_CLIENT):
        return []
    return list(
        warning.recipients.filter(
            Q(user=user)
            | Q(organisation_id=user.organisation_id)
            | Q(force__organisation_id=user.organisation_id)
        ).select_related("jurisdiction")
    )


class WarningDetailView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return may_open_pages(user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        warning = get_object_or_404(_with_related(warnings_for(request.user)), pk=pk)
        return _detail(request, warning)


class WarningActionView(RoleRequiredMixin, View):
    """publish, revise, cancel (with a reason), relay (to more forces), discard (a draft)."""

    def allowed(self, user: Any) -> bool:
        return may_open_pages(user)

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404(_("No such action."))
        user = request.user
        warning = get_object_or_404(_with_related(warnings_for(user)), pk=pk)
        target = reverse("earlywarning:warning_detail", args=[warning.pk])
        try:
            if action == "publish":
                published = services.publish_warning(actor=user, warning_id=warning.pk)
                messages.success(
                    request,
                    _("Published: %(n)s recipients are asked to answer.")
                    % {"n": published.recipients.count()},
                )
            elif action == "revise":
                draft = services.revise_warning(actor=user, warning_id=warning.pk)
                messages.success(request, _("A new version is drafted: edit it, then publish."))
                target = reverse("earlywarning:warning_edit", args=[draft.pk])
            elif action == "cancel":
                form = CancelForm(request.POST)
                if not form.is_valid():
                    return _detail(request, warning, cancel_form=form, status=400)
                services.cancel_warning(
                    actor=user, warning_id=warning.pk, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Warning cancelled: every recipient is told."))
            elif action == "relay":
                form = RelayForm(request.POST, user=user)
                if not form.is_valid():
                    return _detail(request, warning, relay_form=form, status=400)
                added = services.relay_warning(
                    actor=user,
                    warning_id=warning.pk,
                    specialties=list(form.cleaned_data["specialties"]),
                    jurisdictions=list(form.cleaned_data["jurisdictions"]),
                )
                messages.success(request, _("Relayed to %(n)s more recipients.") % {"n": added})
            else:  # discard
                services.discard_draft(actor=user, warning_id=warning.pk)
                messages.success(request, _("Draft discarded."))
                target = reverse("earlywarning:warning_list")
        except DomainError as exc:
            raise_for(exc)
            if action == "cancel":
                form = CancelForm(request.POST)
                form.is_valid()
                form.add_domain_error(exc)
                return _detail(request, warning, cancel_form=form, status=exc.status_code)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(target)


class RecipientAcknowledgeView(RoleRequiredMixin, View):
    """签收 in the platform: the recipient's own account (a force, a department), or 代签 — a
    duty officer recording the answer a recipient gave by phone."""

    def allowed(self, user: Any) -> bool:
        # The recipient's own accounts sign here too; the service decides per recipient
        # (permissions.can_acknowledge), as for an SMS reply.
        return user.is_superuser or bool(user.role_names)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        recipient = get_object_or_404(
            WarningRecipient.objects.filter(warning__in=warnings_for(user)).select_related(
                "warning"
            ),
            pk=pk,
        )
        try:
            services.acknowledge_recipient(actor=user, recipient_id=recipient.pk)
            messages.success(request, _("Recorded: %(who)s answered.") % {"who": recipient.label})
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("earlywarning:warning_detail", args=[recipient.warning_id])
        return HttpResponseRedirect(target)


urlpatterns = [
    path("", WarningListView.as_view(), name="warning_list"),
    path("new/", WarningCreateView.as_view(), name="warning_create"),
    path(
        "recipients/<int:pk>/acknowledge/",
        RecipientAcknowledgeView.as_view(),
        name="recipient_acknowledge",
    ),
    path("<int:pk>/", WarningDetailView.as_view(), name="warning_detail"),
    path("<int:pk>/edit/", WarningEditView.as_view(), name="warning_edit"),
    path("<int:pk>/<slug:action>/", WarningActionView.as_view(), name="warning_action"),
]
