"""The change feed's query parameters and response (documented in the OpenAPI schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import subjects
from core.models import Jurisdiction
from sync.selectors import DEFAULT_LIMIT, MAX_LIMIT

MAX_SEQ = 2**63 - 1


class ChangesQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SEQ,
        default=0,
        help_text="The cursor: the `next` of the previous page (0 to start).",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text="At most this many changes.",
    )
    jurisdiction = serializers.CharField(
        required=False,
        max_length=12,
        help_text="Only changes in this jurisdiction (code) and below.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # The kinds are known once every app has registered its subjects (core.subjects).
        fields = super().get_fields()
        fields["kind"] = serializers.ListField(
            child=serializers.ChoiceField(choices=subjects.feed_kinds()),
            required=False,
            max_length=50,
            help_text="Only changes of subjects of these kinds (repeat the parameter).",
        )
        return fields

    def validate_jurisdiction(self, value: str) -> str:
        if not Jurisdiction.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("No jurisdiction has this code."), code="unknown")
        return value


class JurisdictionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SubjectRefSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model_name")
    kind = serializers.CharField(help_text="The model name: incident, force, …")
    id = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    label = serializers.CharField(allow_blank=True)


class ChangeSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=1)
    type = serializers.CharField(help_text="The event type, e.g. incident.created.")
    time = serializers.DateTimeField()
    jurisdiction = JurisdictionRefSerializer()
    subject = SubjectRefSerializer()
    actor = serializers.CharField(allow_null=True)
    payload = serializers.DictField()
    data = serializers.DictField(
        allow_null=True,
        help_text="The subject's current representation, as its API shows it to you; null for "
        "a tombstone or a subject without an API representation.",
    )
    deleted = serializers.BooleanField(
        help_text="The subject was deleted or is no longer visible to you: drop your copy."
    )


class ChangePageSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    next = serializers.IntegerField(
        min_value=0, help_text="Send it as `after` next time; never goes backwards."
    )
    more = serializers.BooleanField(help_text="More changes are waiting: ask again at once.")
