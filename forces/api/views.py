"""Force registry API (SPEC §2, §8). Reads are scoped by the base viewset; writes call
``forces.services``; permissions are the same as the pages'."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from core.api.upserts import ExternalIdUpsertMixin, upsert_schema
from core.api.viewsets import RegistryReader, ScopedModelViewSet, ScopedReadOnlyViewSet
from forces import services
from forces.api import serializers as s
from forces.filters import (
    EquipmentFilter,
    ExpertFilter,
    ForceFilter,
    MaterialFilter,
    PersonnelFilter,
)
from forces.models import (
    Equipment,
    Expert,
    ExpertGroup,
    Force,
    Formation,
    Material,
    Personnel,
    Specialty,
)


class OrganisationRecordViewSet(ExternalIdUpsertMixin, ScopedModelViewSet):
    """Writes of a record an organisation owns, with specialties (forces, experts): one
    create and one update service each, named by the subclass."""

    create_service: Any
    update_service: Any
    id_argument = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        specialties = data.pop("specialties", [])
        organisation = data.pop("organisation")
        serializer.instance = self.create_service(
            actor=self.request.user, organisation=organisation, data=data, specialties=specialties
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        specialties = data.pop("specialties", None)
        serializer.instance = self.update_service(
            actor=self.request.user,
            **{self.id_argument: serializer.instance.pk},
            data=data,
            specialties=specialties,
        )


@upsert_schema(request=s.ForceSerializer, response=s.ForceSerializer)
class ForceViewSet(OrganisationRecordViewSet):
    queryset = Force.objects.select_related("organisation", "jurisdiction").prefetch_related(
        "specialties"
    )
    serializer_class = s.ForceSerializer
    filterset_class = ForceFilter
    search_fields = ["name", "organisation__name"]
    ordering_fields = ["name", "updated_at", "headcount"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    create_service = staticmethod(services.create_force)
    update_service = staticmethod(services.update_force)
    id_argument = "force_id"


class ForceItemViewSet(ExternalIdUpsertMixin, ScopedModelViewSet):
    kind = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        force = data.pop("force")
        serializer.instance = services.add_force_item(
            actor=self.request.user, force_id=force.pk, kind=self.kind, data=data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("force", None)
        serializer.instance = services.update_force_item(
            actor=self.request.user, kind=self.kind, item_id=serializer.instance.pk, data=data
        )

    def perform_destroy(self, instance):
        services.remove_force_item(actor=self.request.user, kind=self.kind, item_id=instance.pk)


@upsert_schema(request=s.PersonnelSerializer, response=s.PersonnelSerializer)
class PersonnelViewSet(ForceItemViewSet):
    kind = "personnel"
    queryset = Personnel.objects.select_related("force", "specialty")
    serializer_class = s.PersonnelSerializer
    search_fields = ()
    ordering_fields = ("name",)
    filterset_class = PersonnelFilter


@upsert_schema(request=s.EquipmentSerializer, response=s.EquipmentSerializer)
class EquipmentViewSet(ForceItemViewSet):
    kind = "equipment"
    queryset = Equipment.objects.select_related("force")
    serializer_class = s.EquipmentSerializer
    search_fields = ()
    ordering_fields = ("name",)
    filterset_class = EquipmentFilter


@upsert_schema(request=s.MaterialSerializer, response=s.MaterialSerializer)
class MaterialViewSet(ForceItemViewSet):
    kind = "material"
    queryset = Material.objects.select_related("force")
    serializer_class = s.MaterialSerializer
    search_fields = ()
    ordering_fields = ("name",)
    filterset_class = MaterialFilter


@upsert_schema(request=s.ExpertSerializer, response=s.ExpertSerializer)
class ExpertViewSet(OrganisationRecordViewSet):
    queryset = Expert.objects.select_related("organisation", "jurisdiction").prefetch_related(
        "specialties"
    )
    serializer_class = s.ExpertSerializer
    search_fields = ()
    ordering_fields = ("name",)
    filterset_class = ExpertFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    create_service = staticmethod(services.create_expert)
    update_service = staticmethod(services.update_expert)
    id_argument = "expert_id"


class ExpertGroupViewSet(ScopedReadOnlyViewSet):
    queryset = ExpertGroup.objects.select_related("jurisdiction").prefetch_related("members")
    serializer_class = s.ExpertGroupSerializer
    search_fields = ()
    ordering_fields = ("name",)
    filterset_fields = ["disaster_type", "organisation"]


class SpecialtyViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data, the same for every jurisdiction."""

    permission_classes = [IsAuthenticated, RegistryReader]
    queryset = Specialty.objects.all()
    serializer_class = s.SpecialtySerializer
    filterset_fields = ()
    search_fields = ()
    ordering_fields = ()
    pagination_class = None


class FormationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, RegistryReader]
    queryset = Formation.objects.prefetch_related("requirements__specialty")
    serializer_class = s.FormationSerializer
    search_fields = ()
    ordering_fields = ()
    pagination_class = None
    filterset_fields = ["disaster_type"]
