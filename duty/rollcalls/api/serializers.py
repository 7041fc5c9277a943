"""Serializers of the roll-call API (``duty.rollcalls.api.views``)."""

from __future__ import annotations

from rest_framework import serializers

from core.models import Jurisdiction, Organisation
from duty.models import RollCall, RollCallSchedule, RollCallTarget
from duty.rollcalls import selectors
from forces.choices import ForceCategory


class TargetSerializer(serializers.ModelSerializer):
    force_name = serializers.CharField(source="force.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = RollCallTarget
        fields = [
            "id",
            "roll_call",
            "force",
            "force_name",
            "category",
            "department",
            "department_name",
            "outcome",
            "notified_at",
            "answered_at",
            "answered_via",
            "answered_label",
            "answer_seconds",
            "people_on_duty",
            "equipment_ready",
            "remark",
        ]
        read_only_fields = fields


class RollCallSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = RollCall
        fields = [
            "id",
            "jurisdiction",
            "jurisdiction_code",
            "category",
            "department",
            "schedule",
            "period_key",
            "started_by",
            "started_at",
            "deadline",
            "closes_at",
            "window_minutes",
            "late_minutes",
            "status",
            "closed_at",
            "delivered_at",
            "note",
            "progress",
        ]
        read_only_fields = fields

    def get_progress(self, obj: RollCall) -> dict[str, int]:
        counts = self.context.get("progress", {}).get(obj.pk) or selectors.progress(obj)
        return {
            "total": counts.total,
            "on_time": counts.on_time,
            "late": counts.late,
            "no_answer": counts.no_answer,
            "waiting": counts.waiting,
        }


class StartSerializer(serializers.Serializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all()
    )
    category = serializers.ChoiceField(
        choices=ForceCategory.choices, required=False, allow_blank=True, default=""
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    window_minutes = serializers.IntegerField(min_value=1, max_value=240, default=10)
    late_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=50)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    people_on_duty = serializers.IntegerField(
        min_value=0, max_value=10000, required=False, allow_null=True, default=None
    )
    equipment_ready = serializers.BooleanField(required=False, allow_null=True, default=None)
    remark = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RollCallSchedule
        fields = [
            "id",
            "name",
            "jurisdiction",
            "category",
            "department",
            "frequency",
            "day_of_month",
            "weekday",
            "time_of_day",
            "window_minutes",
            "late_minutes",
            "is_active",
        ]
        read_only_fields = fields
