from operator import attrgetter
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from core.models import Jurisdiction, Organisation, User


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "level", "parent", "latitude", "longitude"]


class OrganisationSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "sector",
            "jurisdiction",
            "linkage_tier",
            "uscc",
            "duty_phone",
        ]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "roles", "organisation"]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.role_names)


# A model serializer's output at a fraction of DRF's per-row cost, for list pages.
#
# DRF resolves every field of every row the general way: the source walked through
# ``get_attribute`` with its Mapping check, callable check and exception handling,
# and a related key through ``serializable_value`` into a ``PKOnlyObject``. For the
# fields where that generality cannot matter — a column of the row, a column reached
# through foreign keys that cannot be null (``select_related`` has them), a foreign
# key's id — the look-up is decided once per serializer and done directly; every other
# field goes the general way. The output is the same, field for field.
# (A comment, not a docstring: the API schema would take it as every such serializer's
# description.)
class RowSerializerMixin:
    def _row_plan(self) -> list[tuple[str, Any, Any, Any]]:
        plan = self.__dict__.get("_row_plan_cache")
        if plan is None:
            model = self.Meta.model  # type: ignore[attr-defined]
            plan = [
                (field.field_name, field, *_direct_access(model, field))
                for field in self._readable_fields  # type: ignore[attr-defined]
            ]
            self.__dict__["_row_plan_cache"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        ret: dict[str, Any] = {}
        for name, field, getter, kind in self._row_plan():
            value = None if getter is None else getter(instance)
            if kind is _MANY and value is not None:
                child = field.child_relation
                ret[name] = [child.to_representation(item) for item in value]
            elif getter is None or kind is _MANY:  # the general way
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[name] = None if check is None else field.to_representation(attribute)
            elif value is None:
                ret[name] = None
            elif kind is _KEY:
                ret[name] = value
            else:
                ret[name] = field.to_representation(value)
        return ret


_KEY = object()
_MANY = object()


def _direct_access(model: Any, field: Any) -> tuple[Any, Any]:
    """``(getter, kind)`` for a field read straight off the row, ``(None, None)`` for
    one read the general way."""
    attrs = getattr(field, "source_attrs", None)
    if not attrs or field.source == "*":
        return None, None
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        if len(attrs) != 1 or field.pk_field is not None:
            return None, None
        overridden = (
            type(field).get_attribute is not serializers.PrimaryKeyRelatedField.get_attribute
            or type(field).to_representation
            is not serializers.PrimaryKeyRelatedField.to_representation
        )
        if overridden:
            return None, None
        try:
            column = model._meta.get_field(attrs[0])
        except FieldDoesNotExist:
            return None, None
        if not (column.many_to_one or column.one_to_one) or not column.concrete:
            return None, None
        return attrgetter(column.attname), _KEY
    if type(field) is serializers.ManyRelatedField:
        return _prefetched(model, field)
    if type(field).get_attribute is not serializers.Field.get_attribute:
        return None, None
    if isinstance(field, serializers.BaseSerializer):
        return None, None
    current = model
    for hop in attrs[:-1]:
        try:
            relation = current._meta.get_field(hop)
        except FieldDoesNotExist:
            return None, None
        if not relation.many_to_one or relation.null or not relation.concrete:
            return None, None
        current = relation.related_model
    try:
        column = current._meta.get_field(attrs[-1])
    except FieldDoesNotExist:
        return None, None
    if not column.concrete or (column.is_relation and attrs[-1] != column.attname):
        return None, None
    return attrgetter(".".join(attrs)), None


def _prefetched(model: Any, field: Any) -> tuple[Any, Any]:
    """A many-to-many of the row read from its prefetched rows (what ``.all()`` would
    return), without building a related manager per row."""
    attrs = field.source_attrs
    if len(attrs) != 1:
        return None, None
    try:
        relation = model._meta.get_field(attrs[0])
    except FieldDoesNotExist:
        return None, None
    if not (relation.many_to_many and relation.concrete):
        return None, None
    name = attrs[0]

    def rows(instance: Any) -> Any:
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if not cache or name not in cache or instance.pk is None:
            return None
        return cache[name]

    return rows, _MANY
