"""One FilterSet per list serves both the HTML page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from core.models import Jurisdiction, Organisation
from forces.choices import ExpertAvailability, ForceCategory, ForceStatus
from forces.models import Equipment, Expert, Force, Material, Personnel, Specialty


class JurisdictionCodeFilter(django_filters.CharFilter):
    """``jurisdiction=371581`` matches that jurisdiction and everything below it."""

    def filter(self, qs, value):
        if not value:
            return qs
        lookup = getattr(qs.model, "jurisdiction_lookup", "jurisdiction")
        node = Jurisdiction.objects.filter(code=value).only("path").first()
        if node is None:
            return qs.none()
        return qs.filter(**{f"{lookup}__path__startswith": node.path})


class ForceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=ForceCategory.choices, label=_("category"))
    status = django_filters.ChoiceFilter(choices=ForceStatus.choices, label=_("status"))
    specialty = django_filters.ModelChoiceFilter(
        field_name="specialties",
        queryset=Specialty.objects.all(),
        to_field_name="code",
        label=_("specialty"),
    )
    jurisdiction = JurisdictionCodeFilter(label=_("jurisdiction code"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("organisation")
    )
    industry_authority = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("industry authority")
    )
    linkage_tier = django_filters.NumberFilter(method="filter_tier", label=_("linkage tier"))
    external_id = django_filters.CharFilter(label=_("external id"))

    class Meta:
        model = Force
        fields = [
            "q",
            "category",
            "status",
            "specialty",
            "jurisdiction",
            "organisation",
            "industry_authority",
            "linkage_tier",
            "is_active",
            "external_id",
        ]

    def search(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(address__icontains=value)
            | Q(leader_name__icontains=value)
        )

    def filter_tier(self, qs, name, value):
        if value in (None, ""):
            return qs
        return qs.filter(
            Q(linkage_tier_override=value)
            | Q(linkage_tier_override__isnull=True, organisation__linkage_tier=value)
        )


class ForceItemFilter(django_filters.FilterSet):
    force = IdFilter(field_name="force_id")
    category = django_filters.ChoiceFilter(
        field_name="force__category", choices=ForceCategory.choices
    )
    organisation = IdFilter(field_name="force__organisation_id")
    jurisdiction = JurisdictionCodeFilter()
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    external_id = django_filters.CharFilter(label=_("external id"))


class PersonnelFilter(ForceItemFilter):
    specialty = django_filters.CharFilter(field_name="specialty__code")

    class Meta:
        model = Personnel
        fields = [
            "force",
            "category",
            "organisation",
            "jurisdiction",
            "specialty",
            "is_active",
            "external_id",
        ]


class EquipmentFilter(ForceItemFilter):
    class Meta:
        model = Equipment
        fields = ["force", "category", "organisation", "jurisdiction", "condition", "external_id"]


class MaterialFilter(ForceItemFilter):
    class Meta:
        model = Material
        fields = ["force", "category", "organisation", "jurisdiction", "external_id"]


class ExpertFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    specialty = django_filters.ModelChoiceFilter(
        field_name="specialties",
        queryset=Specialty.objects.all(),
        to_field_name="code",
        label=_("specialty"),
    )
    availability = django_filters.ChoiceFilter(
        choices=ExpertAvailability.choices, label=_("availability")
    )
    jurisdiction = JurisdictionCodeFilter(label=_("jurisdiction code"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("organisation")
    )
    external_id = django_filters.CharFilter(label=_("external id"))

    class Meta:
        model = Expert
        fields = ["q", "specialty", "availability", "jurisdiction", "organisation", "external_id"]

    def search(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(field__icontains=value) | Q(employer__icontains=value)
        )
