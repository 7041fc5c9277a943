"""Duty roster API (SPEC §5, §8). Reads are scoped by the base viewset; shift and spot
check writes parse an input serializer and call one ``duty.rosters.services`` function."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import fields as bounded
from core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from duty.models import DutyRoster, Shift, ShiftOfficer, SpotCheck
from duty.rosters import services
from duty.rosters.api import serializers as s
from duty.rosters.selectors import month_bounds

MAX_WINDOW = timedelta(days=62)


def _officer_inputs(rows: list[dict]) -> list[services.OfficerInput]:
    return [
        services.OfficerInput(
            id=r.get("id"),
            name=r["name"],
            phone=r.get("phone", ""),
            organisation_id=r.get("organisation"),
        )
        for r in rows
    ]


def _officers_prefetch() -> Prefetch:
    return Prefetch("officers", queryset=ShiftOfficer.objects.order_by("position", "id"))


class RosterViewSet(ScopedReadOnlyViewSet):
    """Rosters with their shifts between ``from`` and ``to`` (ISO datetimes; default the
    current month, at most 62 days) and the coverage gaps in that window."""

    queryset = DutyRoster.objects.select_related("organisation", "jurisdiction").prefetch_related(
        "partners"
    )
    serializer_class = s.RosterSerializer
    ordering_fields = ("name",)
    filterset_fields = ["organisation", "force", "is_active"]
    search_fields = ["name", "organisation__name"]

    def _window(self) -> tuple[datetime, datetime]:
        params = self.request.query_params
        if "from" not in params and "to" not in params:
            today = timezone.localdate()
            return month_bounds(today.year, today.month)
        field = bounded.DateTimeField()
        try:
            start = field.run_validation(params.get("from", ""))
            end = field.run_validation(params.get("to", ""))
        except ValidationError:
            start = end = None
        if start is None or end is None or not start < end <= start + MAX_WINDOW:
            raise ValidationError({"from": ["Give from < to, at most 62 days apart."]})
        return start, end

    def get_queryset(self):
        start, end = self._window()
        self._window_value = (start, end)
        shifts = (
            Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
            .prefetch_related(_officers_prefetch())
            .order_by("starts_at", "id")
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("shifts", queryset=shifts, to_attr="window_shifts"))
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "_window_value"):
            context["window"] = self._window_value
        return context


class ShiftViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Shift.objects.select_related("roster").prefetch_related(
        "roster__partners", _officers_prefetch()
    )
    serializer_class = s.ShiftSerializer
    search_fields = ()
    filterset_fields = ["roster"]
    ordering_fields = ["starts_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _output(self, shift_id: int, code: int) -> Response:
        shift = self.get_queryset().get(pk=shift_id)
        return Response(s.ShiftSerializer(shift, context=self.get_serializer_context()).data, code)

    @extend_schema(request=s.ShiftCreateSerializer, responses=s.ShiftSerializer)
    def create(self, request, *args, **kwargs):
        data = s.ShiftCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        roster_id = values.pop("roster")
        officers = _officer_inputs(values.pop("officers", []))
        shift = services.create_shift(
            actor=request.user, roster_id=roster_id, data=values, officers=officers
        )
        return self._output(shift.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ShiftInputSerializer, responses=s.ShiftSerializer)
    def update(self, request, *args, **kwargs):
        shift = self.get_object()
        data = s.ShiftInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("roster", None)
        officers = values.pop("officers", None)
        services.update_shift(
            actor=request.user,
            shift_id=shift.pk,
            data=values,
            officers=_officer_inputs(officers) if officers is not None else None,
        )
        return self._output(shift.pk, status.HTTP_200_OK)


class SpotCheckViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SpotCheck.objects.select_related("organisation", "checked_by", "closed_by")
    serializer_class = s.SpotCheckSerializer
    ordering_fields = ()
    search_fields = ()
    filterset_fields = ["organisation", "year", "quarter"]

    @extend_schema(request=s.SpotCheckInputSerializer, responses=s.SpotCheckSerializer)
    def create(self, request, *args, **kwargs):
        data = s.SpotCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organisation_id = values.pop("organisation")
        check = services.record_spot_check(
            actor=request.user, organisation_id=organisation_id, data=values
        )
        check = self.get_queryset().get(pk=check.pk)
        return Response(self.get_serializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseInputSerializer, responses=s.SpotCheckSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        check = self.get_object()
        data = s.CloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_spot_check(
            actor=request.user, spot_check_id=check.pk, note=data.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=check.pk)).data)
