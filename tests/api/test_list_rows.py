"""The list pages of forces, personnel, incidents and orders read plain columns straight
off the row (core.api.serializers.RowSerializerMixin) and choice labels from a
dictionary (core.api.fields.ChoiceLabelField), for speed (bench/api_lists.py). What a
user reads must be what DRF's general field resolution and ``get_<field>_display`` give,
field for field, with empty relations and in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from command import services as command_services
from command.api.serializers import IncidentSerializer
from command.models import Incident
from core.api.serializers import RowSerializerMixin
from dispatch import services as dispatch_services
from dispatch.api.serializers import OrderSerializer
from dispatch.models import CallOutOrder
from forces.api.serializers import ForceSerializer, PersonnelSerializer
from forces.models import Force, Personnel
from tests import factories as f

pytestmark = pytest.mark.django_db

FORCES = "/api/v1/forces/forces/"
PERSONNEL = "/api/v1/forces/personnel/"
INCIDENTS = "/api/v1/command/incidents/"
ORDERS = "/api/v1/dispatch/orders/"


@pytest.fixture
def listed(incident_world):
    """Rows with every kind of value the lists show: a force with and one without an
    industry authority or a tier override, personnel with and without a specialty, an
    incident handed over to another unit beside one that was not, an order stepped by a
    user beside one nobody has touched."""
    w = incident_world
    Force.objects.filter(pk=w.force_power_a.pk).update(linkage_tier_override=3)
    Personnel.objects.create(
        force=w.force_a,
        name="李四",
        gender="male",
        id_number="11010519491231002X",
        phone="13912345678",
        specialty=w.water,
        certifications="救生员",
    )
    Personnel.objects.create(force=w.force_power_a, name="王五")
    command_services.hand_over(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, to_unit_id=w.fire_a.pk
    )
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    dispatch_services.record_consent(
        actor=w.editor_a, plan_id=plan.pk, organisation_id=w.water_a.pk
    )
    first, _ = dispatch_services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    dispatch_services.acknowledge_order(actor=w.dispatcher_a, order_id=first.pk)
    return w


def _serializer(serializer_class, user, rows):
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    return serializer_class(rows, many=True, context={"request": request}).child


CASES = [
    (ForceSerializer, lambda: Force.objects.select_related("organisation", "jurisdiction")),
    (
        ForceSerializer,
        lambda: Force.objects.select_related("organisation").prefetch_related("specialties"),
    ),
    (PersonnelSerializer, lambda: Personnel.objects.select_related("force", "specialty")),
    (IncidentSerializer, lambda: Incident.objects.all()),
    (
        OrderSerializer,
        lambda: CallOutOrder.objects.select_related(
            "plan__incident", "force__organisation", "last_step_by"
        ),
    ),
]


@pytest.mark.parametrize(
    ("serializer_class", "rows"), CASES, ids=lambda c: getattr(c, "__name__", "")
)
def test_list_rows_read_off_the_row_are_what_the_general_serializer_gives(
    listed, serializer_class, rows
):
    child = _serializer(serializer_class, listed.admin_a, None)
    objects = list(rows())
    assert len(objects) >= 2
    with translation.override("zh-hans"):
        for obj in objects:
            fast = RowSerializerMixin.to_representation(child, obj)
            general = super(RowSerializerMixin, child).to_representation(obj)
            assert fast == general
            assert list(fast) == list(general)


def test_incident_labels_are_the_chinese_labels_of_their_choices(listed, api):
    with translation.override("zh-hans"):
        rows = api(listed.duty_officer_a).get(INCIDENTS, HTTP_ACCEPT_LANGUAGE="zh-hans")
        incidents = {i.pk: i for i in Incident.objects.all()}
        for row in rows.json()["results"]:
            incident = incidents[row["id"]]
            assert row["status_label"] == incident.get_status_display()
            assert row["level_label"] == incident.get_level_display()
            assert row["source_label"] == incident.get_source_display()
            assert row["area_type_label"] == incident.get_area_type_display()
            assert row["disposition_label"] == incident.get_disposition_display()
            # Chinese, not the stored value.
            assert row["status_label"] != row["status"]


def test_order_list_names_force_incident_and_who_stepped_it(listed, api):
    rows = api(listed.duty_officer_a).get(ORDERS).json()["results"]
    by_force = {row["force"]: row for row in rows}
    stepped = by_force[listed.force_a.pk]
    untouched = by_force[listed.force_power_a.pk]
    assert stepped["status"] == "acknowledged"
    assert stepped["status_label"] != "acknowledged"
    assert stepped["last_step_by_name"] == str(listed.dispatcher_a)
    assert untouched["last_step_by_name"] is None
    assert stepped["incident"] == listed.incident_a.pk
    assert stepped["incident_title"] == listed.incident_a.title
    assert stepped["organisation_name"] == listed.water_a.name
    assert untouched["linkage_tier"] == 3


def test_force_list_still_masks_the_leader_phone_for_other_organisations(listed, api):
    rows = api(listed.duty_officer_a).get(FORCES).json()["results"]
    mine = api(listed.editor_a).get(FORCES).json()["results"]
    assert {r["leader_phone"] for r in rows if r["id"] == listed.force_a.pk} == {"138****5678"}
    assert {r["leader_phone"] for r in mine if r["id"] == listed.force_a.pk} == {"13812345678"}


def test_personnel_list_masks_phone_and_id_number_but_shows_them_to_the_owner(listed, api):
    other = api(listed.duty_officer_a).get(PERSONNEL).json()["results"]
    owner = api(listed.editor_a).get(PERSONNEL).json()["results"]
    li_other = next(r for r in other if r["name"] == "李四")
    li_owner = next(r for r in owner if r["name"] == "李四")
    assert li_other["phone"] == "139****5678"
    assert li_other["id_number"] != "11010519491231002X"
    assert li_owner["phone"] == "13912345678"
    assert li_owner["id_number"] == "11010519491231002X"
    assert li_owner["specialty"] == "water"
    wang = next(r for r in owner + other if r["name"] == "王五")
    assert wang["specialty"] is None
