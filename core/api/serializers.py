from rest_framework import serializers

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
