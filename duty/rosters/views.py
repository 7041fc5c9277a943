"""Roster, duty log, hand-over and spot-check pages (SPEC §5). Reads are scoped with
``visible_to``; every write binds a form and calls one ``duty.rosters.services``
function; refusals show as messages or field errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.bounds import year_in_window
from core.exceptions import DomainError, PermissionDeniedError
from core.masking import mask_phone
from core.web import RegistryReaderRequiredMixin, raise_for
from duty.models import DutyLogEntry, DutyRoster, HandOver, Shift, ShiftOfficer, SpotCheck
from duty.rosters import permissions, services
from duty.rosters import selectors as sel
from duty.rosters.forms import (
    CloseForm,
    HandOverForm,
    LogEntryForm,
    RosterForm,
    ShiftForm,
    SpotCheckForm,
    officer_formset,
)
from duty.rosters.ics import render_roster_ics


def _visible_rosters(user: Any):
    return (
        DutyRoster.objects.visible_to(user)
        .select_related("organisation", "jurisdiction", "force")
        .prefetch_related("partners")
    )


def _mask_shift(shift: Shift, visible: bool) -> None:
    shift.leader_phone_display = shift.leader_phone if visible else mask_phone(shift.leader_phone)
    for officer in shift.officers.all():
        officer.phone_display = officer.phone if visible else mask_phone(officer.phone)


# ------------------------------------------------------------------------- rosters


class RosterListView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rosters = list(_visible_rosters(request.user))
        now = timezone.now()
        end = now + timedelta(days=7)
        by_roster: dict[int, list[Shift]] = {r.pk: [] for r in rosters}
        for shift in sel.shifts_between(rosters, now, end):
            by_roster[shift.roster_id].append(shift)
        rows = [
            (
                roster,
                sel.coverage_gaps(roster, now, end, shifts=by_roster[roster.pk]),
                sel.unstaffed_shifts(by_roster[roster.pk]),
            )
            for roster in rosters
        ]
        user = request.user
        return render(
            request,
            "duty/roster/roster_list.html",
            {
                "rows": rows,
                "editable": permissions.editable_roster_ids(user, [r.pk for r in rosters]),
                "can_create": permissions.may_create_rosters(user),
            },
        )


def _month(request: HttpRequest) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        date(year, month, 1)
    except ValueError:
        year = 0
    if not year_in_window(year):  # also keeps the previous/next month links in range
        today = timezone.localdate()
        return today.year, today.month
    return year, month


class RosterDetailView(RegistryReaderRequiredMixin, View):
    """The month calendar with gaps highlighted."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        roster = get_object_or_404(_visible_rosters(request.user), pk=pk)
        year, month = _month(request)
        cal = sel.month_calendar(roster, year, month)
        visible = permissions.can_see_roster_phones(request.user, roster)
        for shift in cal["shifts"]:
            _mask_shift(shift, visible)
        first = date(year, month, 1)
        prev_month = (first - timedelta(days=1)).strftime("%Y-%m")
        next_month = (first + timedelta(days=32)).strftime("%Y-%m")
        can_edit = permissions.can_edit_roster(request.user, roster)
        feed_url = None
        if can_edit:
            feed_url = request.build_absolute_uri(
                reverse("duty:roster_feed", args=[roster.pk, roster.feed_token])
            )
        return render(
            request,
            "duty/roster/roster_detail.html",
            {
                "roster": roster,
                "cal": cal,
                "month": first,
                "prev_month": prev_month,
                "next_month": next_month,
                "can_edit": can_edit,
                "feed_url": feed_url,
                "unstaffed_ids": {s.pk for s in cal["unstaffed"]},
            },
        )


class RosterFormView(RegistryReaderRequiredMixin, View):
    """Create (no pk) or edit (pk) a roster and its joint-duty partners."""

    def _roster(self, request: HttpRequest, pk: int | None) -> DutyRoster | None:
        if pk is None:
            if not permissions.may_create_rosters(request.user):
                raise PermissionDenied
            return None
        roster = get_object_or_404(_visible_rosters(request.user), pk=pk)
        if not permissions.can_edit_roster(request.user, roster):
            raise PermissionDenied
        return roster

    def _render(self, request, form, roster, status=200):
        return render(
            request,
            "duty/roster/roster_form.html",
            {"form": form, "roster": roster},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        roster = self._roster(request, pk)
        initial = {}
        if roster is not None:
            initial = {
                "name": roster.name,
                "partners": list(roster.partners.all()),
                "is_active": roster.is_active,
            }
        return self._render(
            request, RosterForm(initial=initial, user=request.user, roster=roster), roster
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        roster = self._roster(request, pk)
        form = RosterForm(request.POST, user=request.user, roster=roster)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if roster is None:
                    roster = services.create_roster(
                        actor=request.user,
                        organisation=data["organisation"],
                        name=data["name"],
                        partners=list(data["partners"]),
                        force=data.get("force"),
                    )
                else:
                    services.update_roster(
                        actor=request.user,
                        roster_id=roster.pk,
                        data={"name": data["name"], "is_active": data["is_active"]},
                        partners=list(data["partners"]),
                    )
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(roster.get_absolute_url())
            except DomainError as exc:
                if not isinstance(exc, PermissionDeniedError) or roster is not None:
                    raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, roster, status=400)


class RosterTokenView(RegistryReaderRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        roster = get_object_or_404(DutyRoster.objects.visible_to(request.user), pk=pk)
        try:
            services.regenerate_feed_token(actor=request.user, roster_id=roster.pk)
        except DomainError as exc:
            raise_for(exc)
            raise
        messages.success(request, _("A new calendar link was made; the old one no longer works."))
        return HttpResponseRedirect(roster.get_absolute_url())


def roster_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The iCalendar feed: no login, the secret token is the key; a wrong one is a 404."""
    import secrets

    roster = DutyRoster.objects.filter(pk=pk, is_active=True).first()
    # Bytes: compare_digest refuses str that is not ASCII, and the token comes from the URL.
    given = token.encode("utf-8", "replace")
    if roster is None or not secrets.compare_digest(roster.feed_token.encode(), given):
        raise Http404
    since = timezone.now() - timedelta(days=31)
    shifts = (
        Shift.objects.filter(roster=roster, ends_at__gt=since)
        .prefetch_related(
            Prefetch("officers", queryset=ShiftOfficer.objects.select_related("organisation"))
        )
        .order_by("starts_at")
    )
    response = HttpResponse(
        render_roster_ics(roster, shifts), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="roster-{roster.pk}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# -------------------------------------------------------------------------- shifts


class ShiftFormView(RegistryReaderRequiredMixin, View):
    """Create a shift on a roster (roster_pk) or edit one (pk), with the officer formset."""

    def _load(self, request, roster_pk, pk):
        if pk is not None:
            shift = get_object_or_404(
                Shift.objects.visible_to(request.user).prefetch_related("officers"), pk=pk
            )
            roster_pk = shift.roster_id
        else:
            shift = None
        roster = get_object_or_404(_visible_rosters(request.user), pk=roster_pk)
        if not permissions.can_edit_roster(request.user, roster):
            raise PermissionDenied
        return roster, shift

    def _render(self, request, roster, shift, form, formset, status=200):
        return render(
            request,
            "duty/roster/shift_form.html",
            {"roster": roster, "shift": shift, "form": form, "formset": formset},
            status=status,
        )

    def get(self, request, roster_pk: int | None = None, pk: int | None = None):
        roster, shift = self._load(request, roster_pk, pk)
        initial = {}
        if shift is None and request.GET.get("day"):
            try:
                day = date.fromisoformat(request.GET["day"])
                start = sel.local_day_bounds(day)[0].replace(hour=8)
                initial = {"starts_at": start, "ends_at": start + timedelta(days=1)}
            except ValueError:
                pass
        form = ShiftForm(instance=shift, initial=initial)
        return self._render(request, roster, shift, form, officer_formset(roster, shift))

    def post(self, request, roster_pk: int | None = None, pk: int | None = None):
        roster, shift = self._load(request, roster_pk, pk)
        form = ShiftForm(request.POST, instance=shift)
        formset = officer_formset(roster, shift, request.POST)
        if form.is_valid() and formset.is_valid():
            data = {k: form.cleaned_data[k] for k in ShiftForm.Meta.fields}
            try:
                if shift is None:
                    services.create_shift(
                        actor=request.user,
                        roster_id=roster.pk,
                        data=data,
                        officers=formset.officers(),
                    )
                else:
                    services.update_shift(
                        actor=request.user,
                        shift_id=shift.pk,
                        data=data,
                        officers=formset.officers(),
                    )
                messages.success(request, _("Changes saved."))
                month = timezone.localtime(data["starts_at"]).strftime("%Y-%m")
                return HttpResponseRedirect(f"{roster.get_absolute_url()}?month={month}")
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, roster, shift, form, formset, status=400)


def _shift_for(request: HttpRequest, pk: int) -> Shift:
    return get_object_or_404(
        Shift.objects.visible_to(request.user).select_related(
            "roster__organisation", "roster__jurisdiction"
        ),
        pk=pk,
    )


class ShiftLogView(RegistryReaderRequiredMixin, View):
    """Duty log (值班日志) of one shift with its open items and the hand-over form."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        shift = _shift_for(request, pk)
        return self._render(request, shift)

    def _render(self, request, shift, log_form=None, hand_form=None, status=200):
        roster = shift.roster
        can_edit = permissions.can_edit_roster(request.user, roster)
        officers = list(shift.officers.select_related("organisation"))
        visible = permissions.can_see_roster_phones(request.user, roster)
        shift.leader_phone_display = (
            shift.leader_phone if visible else mask_phone(shift.leader_phone)
        )
        for officer in officers:
            officer.phone_display = officer.phone if visible else mask_phone(officer.phone)
        entries = list(
            DutyLogEntry.objects.filter(shift=shift).select_related(
                "officer", "closed_by", "recorded_by", "recorded_on"
            )
        )
        handed = (
            HandOver.objects.filter(from_shift=shift)
            .select_related("to_shift", "from_officer", "to_officer")
            .first()
        )
        taken = HandOver.objects.filter(to_shift=shift).select_related(
            "from_shift", "from_officer", "to_officer"
        )
        context = {
            "shift": shift,
            "roster": roster,
            "officers": officers,
            "entries": entries,
            "open_count": sum(1 for e in entries if e.is_open),
            "handed": handed,
            "taken": list(taken),
            "can_edit": can_edit,
        }
        if can_edit:
            context["log_form"] = log_form or LogEntryForm(shift=shift)
            context["hand_form"] = hand_form or (None if handed else HandOverForm(shift=shift))
            context["close_form"] = CloseForm()
        return render(request, "duty/roster/shift_log.html", context, status=status)


class LogEntryCreateView(ShiftLogView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("duty:shift_log", args=[pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shift = _shift_for(request, pk)
        form = LogEntryForm(request.POST, shift=shift)
        if form.is_valid():
            data = dict(form.cleaned_data)
            officer = data.pop("officer")
            data["officer_id"] = officer.pk if officer else None
            try:
                services.record_log_entry(actor=request.user, shift_id=shift.pk, data=data)
                messages.success(request, _("Log entry recorded."))
                return HttpResponseRedirect(reverse("duty:shift_log", args=[shift.pk]))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, shift, log_form=form, status=400)


class HandOverView(ShiftLogView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("duty:shift_log", args=[pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shift = _shift_for(request, pk)
        form = HandOverForm(request.POST, shift=shift)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.hand_over(
                    actor=request.user,
                    from_shift_id=shift.pk,
                    to_shift_id=data["to_shift"].pk,
                    from_officer_id=data["from_officer"].pk,
                    to_officer_id=data["to_officer"].pk,
                    notes=data["notes"],
                )
                messages.success(
                    request,
                    _("Shift handed over; %(n)d open items carried over.")
                    % {"n": record.carried_entries.count()},
                )
                return HttpResponseRedirect(reverse("duty:shift_log", args=[record.to_shift_id]))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, shift, hand_form=form, status=400)


class LogEntryCloseView(RegistryReaderRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_object_or_404(DutyLogEntry.objects.visible_to(request.user), pk=pk)
        form = CloseForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.close_log_entry(actor=request.user, entry_id=entry.pk, note=note)
            messages.success(request, _("Item closed."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(reverse("duty:shift_log", args=[entry.shift_id]))


# --------------------------------------------------------------------- spot checks


class SpotCheckListView(RegistryReaderRequiredMixin, View):
    """This quarter's spot checks per jurisdiction and the units not yet checked."""

    def get(self, request: HttpRequest) -> HttpResponse:
        year, quarter = sel.quarter_of(timezone.localdate())
        try:
            year = int(request.GET.get("year", year))
            quarter = int(request.GET.get("quarter", quarter))
        except ValueError:
            pass
        if not 1 <= quarter <= 4:
            quarter = 1
        overview = sel.spot_check_quarter(request.user, year, quarter)
        prev_q = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        next_q = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
        return render(
            request,
            "duty/roster/spotcheck_list.html",
            {
                "overview": overview,
                "year": year,
                "quarter": quarter,
                "prev_q": prev_q,
                "next_q": next_q,
                "can_check": permissions.may_spot_check(request.user),
                "close_form": CloseForm(),
                "today": timezone.localdate(),
            },
        )


class SpotCheckFormView(RegistryReaderRequiredMixin, View):
    def _units(self, request):
        if not permissions.may_spot_check(request.user):
            raise PermissionDenied
        units = sel.linkage_units(request.user)
        if request.user.organisation_id:
            units = units.exclude(pk=request.user.organisation_id)
        return units

    def get(self, request: HttpRequest) -> HttpResponse:
        units = self._units(request)
        initial = {"checked_on": timezone.localdate(), "organisation": request.GET.get("unit")}
        form = SpotCheckForm(initial=initial, units=units)
        return render(request, "duty/roster/spotcheck_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SpotCheckForm(request.POST, units=self._units(request))
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = data.pop("organisation")
            try:
                services.record_spot_check(
                    actor=request.user, organisation_id=organisation.pk, data=data
                )
                messages.success(request, _("Spot check recorded."))
                return HttpResponseRedirect(reverse("duty:spotcheck_list"))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return render(request, "duty/roster/spotcheck_form.html", {"form": form}, status=400)


class SpotCheckCloseView(RegistryReaderRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        check = get_object_or_404(SpotCheck.objects.visible_to(request.user), pk=pk)
        form = CloseForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.close_spot_check(actor=request.user, spot_check_id=check.pk, note=note)
            messages.success(request, _("Rectification closed."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(
            f"{reverse('duty:spotcheck_list')}?year={check.year}&quarter={check.quarter}"
        )
