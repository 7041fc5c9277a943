"""Grid register serializers. Jurisdictions are read and written as their codes; the
phones of grid persons and supervisors are masked for everyone but administrators and the
grid's managers (``earlywarning.grids.shows_grid_phones``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import CountField, ExternalIdField
from core.masking import mask_phone
from core.models import Jurisdiction
from core.phones import validate_personal_phone
from earlywarning.grids import shows_grid_phones
from earlywarning.models import Grid


class GridSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        help_text="GB/T 2260 / GB/T 10114 code of the township or village.",
    )
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    person_phone = serializers.CharField(max_length=20, validators=[validate_personal_phone])
    supervisor_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_personal_phone]
    )
    households = CountField(required=False, allow_null=True)
    external_id = ExternalIdField()

    class Meta:
        model = Grid
        fields = [
            "id",
            "code",
            "name",
            "jurisdiction",
            "jurisdiction_name",
            "person_name",
            "person_phone",
            "supervisor_name",
            "supervisor_phone",
            "households",
            "note",
            "is_active",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance: Grid) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # One decision per place for a whole page, not one per row.
        shown = self.context.setdefault("_grid_phones_shown", {})
        if instance.jurisdiction_id not in shown:
            shown[instance.jurisdiction_id] = shows_grid_phones(user, instance.jurisdiction)
        if not shown[instance.jurisdiction_id]:
            for name in ("person_phone", "supervisor_phone"):
                data[name] = mask_phone(data[name])
        return data
