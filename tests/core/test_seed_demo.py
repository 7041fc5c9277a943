"""``manage.py seed_demo`` builds the 聊城市 demo through the services (SPEC §1, §2)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from command import services as command_services
from command.choices import IncidentStatus
from command.models import Incident, IncidentType
from core import demo as demo_module
from core.choices import OrganisationKind as K
from core.models import Event, Jurisdiction, Organisation, User
from core.roles import Role
from dispatch import demo as dispatch_demo
from dispatch import services as dispatch_services
from dispatch.choices import NoticeStatus, OrderStatus, PlanStatus, SpecialPeriodKind
from dispatch.models import CallOutOrder, CallOutPlan, Consent, DispatchPolicy, SpecialPeriod
from earlywarning.models import Grid, HazardWarning, WarningRecipient
from forces import demo as forces_demo
from forces import services
from forces.choices import ForceCategory, ForceStatus
from forces.models import Expert, ExpertGroup, Force, Personnel, Specialty
from forces.validators import validate_cn_id_number, validate_phone

pytestmark = pytest.mark.django_db

CITY_CODE = "371500"
COUNTIES = {"linqing": "371581", "yanggu": "371521", "dongchangfu": "371502"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, built once for this module: it takes a few seconds, so it lives in a
    transaction rolled back when the module ends; each test runs in a savepoint of it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "forces": Force.objects.count(),
        "personnel": Personnel.objects.count(),
        "experts": Expert.objects.count(),
        "expert_groups": ExpertGroup.objects.count(),
        "incidents": Incident.objects.count(),
        "plans": CallOutPlan.objects.count(),
        "orders": CallOutOrder.objects.count(),
        "consents": Consent.objects.count(),
        "special_periods": SpecialPeriod.objects.count(),
        "dispatch_policies": DispatchPolicy.objects.count(),
        "events": Event.objects.count(),
    }


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_loads_missing_reference_data_itself(demo):
    assert "divisions" in demo
    assert Jurisdiction.objects.filter(code__in=[CITY_CODE, *COUNTIES.values()]).count() == 4
    assert Specialty.objects.exists()


def test_each_county_has_bureau_fire_brigade_departments_enterprises_and_social_teams(demo):
    """Liaocheng §二.(一), Rongcheng attachment 2: the departments that own forces."""
    sectors = {"公安", "水利", "交通运输", "住建", "自然资源和规划", "卫健", "工信", "生态环境"}
    for code in COUNTIES.values():
        orgs = Organisation.objects.filter(jurisdiction__code=code)
        kinds = set(orgs.values_list("kind", flat=True))
        assert {
            K.EMERGENCY_BUREAU,
            K.FIRE_RESCUE,
            K.INDUSTRY_DEPARTMENT,
            K.ENTERPRISE,
            K.SOCIAL_ORGANISATION,
        } <= kinds
        departments = orgs.filter(kind=K.INDUSTRY_DEPARTMENT)
        assert sectors | {"气象"} <= set(departments.values_list("sector", flat=True))
        assert orgs.get(kind=K.EMERGENCY_BUREAU).linkage_tier == 1
        assert orgs.get(kind=K.FIRE_RESCUE).linkage_tier == 1
        assert set(
            orgs.filter(kind=K.SOCIAL_ORGANISATION).values_list("linkage_tier", flat=True)
        ) == {3}
    city = Organisation.objects.filter(jurisdiction__code=CITY_CODE)
    assert city.filter(name="聊城市应急管理局", kind=K.EMERGENCY_BUREAU).exists()
    assert city.filter(name="聊城市消防救援支队", kind=K.FIRE_RESCUE).exists()


def test_demo_has_forty_forces_of_all_four_categories_with_their_basic_data(demo):
    """Liaocheng §三.二.1: every force carries its personnel, equipment and materials."""
    forces = Force.objects.select_related("jurisdiction__parent", "industry_authority")
    assert forces.count() >= 40
    assert set(forces.values_list("category", flat=True)) == set(ForceCategory.values)
    for code in COUNTIES.values():
        assert forces.filter(jurisdiction__path__contains=f"/{code}/").count() >= 10
    standby = 0
    for force in forces.prefetch_related("personnel", "equipment", "materials"):
        assert 3 <= len(force.personnel.all()) <= 8, force
        assert 2 <= len(force.equipment.all()) <= 5, force
        assert 1 <= len(force.materials.all()) <= 4, force
        assert force.industry_authority is not None, force
        assert force.duty_phone.startswith("0635-")
        validate_phone(force.leader_phone)
        assert force.leader_name in {p.name for p in force.personnel.all()}
        assert force.specialties.exists()
        seat = force.jurisdiction
        if seat.latitude is None:  # townships: the county seat
            seat = seat.parent
        assert abs(force.latitude - seat.latitude) < Decimal("0.2"), force
        assert abs(force.longitude - seat.longitude) < Decimal("0.2"), force
        standby += force.status == ForceStatus.STANDBY
    assert standby > forces.count() * 0.75


def test_industry_authorities_match_the_force_sector(demo):
    water = Force.objects.get(name="临清市防汛抢险队")
    assert water.industry_authority.name == "临清市水利局"
    power = Force.objects.get(name="国网临清市供电公司电力抢修队")
    assert power.industry_authority.sector in {"工信", "发改"}
    blue_sky = Force.objects.get(name="临清市蓝天救援队")
    assert blue_sky.category == ForceCategory.SOCIAL
    assert blue_sky.linkage_tier == 3


def test_every_personnel_id_number_is_valid_and_born_1970_to_2000(demo):
    people = list(Personnel.objects.values_list("id_number", "phone"))
    assert people
    for id_number, phone in people:
        validate_cn_id_number(id_number)
        assert id_number.startswith("3715")
        assert "1970" <= id_number[6:10] <= "2000"
        validate_phone(phone)


def test_expert_database_has_twelve_experts_and_three_groups(demo):
    experts = Expert.objects.prefetch_related("specialties")
    assert experts.count() >= 12
    for expert in experts:
        assert expert.title and expert.employer and expert.field
        assert expert.specialties.exists()
        validate_cn_id_number(expert.id_number)
    groups = ExpertGroup.objects.all()
    assert groups.count() == 3
    for group in groups:
        assert group.members.exists()
        assert group.history.first().history_user is not None


def test_accounts_for_every_role_in_the_city_and_each_county(demo):
    places = {"city": CITY_CODE, **COUNTIES}
    for prefix, code in places.items():
        users = User.objects.filter(username__startswith=f"{prefix}_")
        if prefix == "city":
            users = users | User.objects.filter(username="province_sync")
        roles = set()
        for user in users.select_related("organisation__jurisdiction"):
            assert user.organisation.jurisdiction.code == code, user.username
            assert user.display_name
            roles |= user.role_names
        assert roles == set(Role.values), prefix
    assert User.objects.get(username="linqing_water_editor").organisation.name == "临清市水利局"
    assert User.objects.get(username="linqing_dispatcher").organisation.kind == K.FIRE_RESCUE
    assert User.objects.get(username="linqing_power_editor").organisation.kind == K.ENTERPRISE
    assert User.objects.get(username="linqing_force").organisation.forces.exists()
    assert User.objects.get(username="province_sync").organisation.name == "聊城市应急管理局"
    admins = User.objects.filter(groups__name=Role.ADMINISTRATOR)
    assert admins.count() == 4
    # Administrators keep accounts on the platform's pages; the Django admin is the
    # operators' (superusers') alone, so staff status would grant nothing.
    assert not any(a.is_staff or a.is_superuser for a in admins)


def test_first_run_sets_the_configured_or_default_password(demo):
    expected = settings.SEED_DEMO_PASSWORD or demo_module.DEFAULT_PASSWORD
    for user in User.objects.filter(username__in=demo_module.demo_usernames()):
        assert user.check_password(expected), user.username


def test_demo_forces_went_through_the_services(demo):
    """History names who registered each force, and each has a force.created event."""
    forces = list(Force.objects.all())
    created = Event.objects.filter(type="force.created")
    assert {e.subject_id for e in created} == {str(f.pk) for f in forces}
    assert all(e.actor_id for e in created)
    for force in forces:
        record = force.history.earliest("history_date")
        assert record.history_user is not None
        assert record.history_user.has_role(Role.ADMINISTRATOR)
    assert not Personnel.history.filter(history_user=None).exists()
    assert Event.objects.filter(type="force.personnel_added").count() == Personnel.objects.count()


def test_second_run_creates_nothing_and_keeps_passwords(demo):
    before = _counts()
    hashes = dict(User.objects.values_list("username", "password"))

    output = _seed()

    assert _counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert "forces: 0 created" in output
    assert "incidents: 0 created" in output
    assert "plans: 0 created" in output
    assert "grids: 0 created" in output
    assert "warnings: 0 created" in output


def test_password_option_resets_every_demo_password(demo):
    before = _counts()

    output = _seed("--password", "Another-pass-2026")

    assert _counts() == before
    users = User.objects.filter(username__in=demo_module.demo_usernames())
    assert users.count() == len(demo_module.demo_usernames())
    assert all(u.check_password("Another-pass-2026") for u in users)
    assert f"passwords reset: {users.count()}" in output


def test_list_users_json_is_only_a_json_array_covering_every_role(demo):
    rows = json.loads(_seed("--list-users", "--json"))

    assert isinstance(rows, list)
    assert all(set(row) == {"username", "role", "organisation", "jurisdiction"} for row in rows)
    assert {row["role"] for row in rows} == set(Role.values)
    by_name = {row["username"]: row for row in rows}
    assert by_name["linqing_dispatcher"] == {
        "username": "linqing_dispatcher",
        "role": "fire_dispatcher",
        "organisation": "临清市消防救援大队",
        "jurisdiction": "临清市",
    }
    assert by_name["province_sync"]["jurisdiction"] == "聊城市"


def test_list_users_prints_a_table_and_builds_nothing(demo, monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("--list-users must not build")

    monkeypatch.setattr(demo_module, "build_demo", refuse)

    lines = _seed("--list-users").splitlines()

    # The core accounts, then those an app's demo opens (the maritime SAR centre's).
    extra = [n for m in demo_module.demo_modules() for n in getattr(m, "DEMO_USERNAMES", ())]
    assert len(lines) == 1 + len(demo_module.demo_usernames()) + len(extra)
    assert lines[1].split()[:4] == ["city_duty", "值班员", "聊城市应急管理局", "聊城市"]


def test_json_without_list_users_is_refused(demo):
    with pytest.raises(CommandError):
        _seed("--json")


def test_demo_department_editor_edits_own_force_only(demo):
    """Liaocheng §三.二.1: each department keeps its own forces' data."""
    editor = User.objects.get(username="linqing_water_editor")
    own = Force.objects.get(name="临清市防汛抢险队")
    other_org = Force.objects.get(name="国网临清市供电公司电力抢修队")
    other_county = Force.objects.get(name="阳谷县防汛抢险队")

    assert services.can_edit_force(editor, own)
    assert not services.can_edit_force(editor, other_org)
    assert not services.can_edit_force(editor, other_county)
    services.update_force(actor=editor, force_id=own.pk, data={"status": ForceStatus.RESTING})


def test_demo_values_do_not_depend_on_the_run(demo):
    """The same seed gives the same demo: two builders plan identical forces."""
    plans = []
    for _ in range(2):
        builder = forces_demo.ForceDemo(demo_module.DemoContext())
        seat = Jurisdiction.objects.get(code=COUNTIES["linqing"])
        row = forces_demo.COUNTY_FORCES[0]
        plans.append([builder._force_plan(demo_module.COUNTIES[0], row, seat, seat)])
    assert plans[0] == plans[1]


def test_every_township_of_the_counties_has_grids_with_persons_and_township_supervisors(demo):
    """Tieling §三.二.5: warnings reach the grid person; the township leader is raised."""
    townships = Jurisdiction.objects.filter(parent__code__in=COUNTIES.values(), level="township")
    assert townships.count() == 20
    for township in townships:
        grids = list(Grid.objects.filter(jurisdiction=township))
        assert len(grids) == 2, township
        assert len({g.supervisor_phone for g in grids}) == 1
        assert all(township.name in g.supervisor_name for g in grids)
    for code in COUNTIES.values():
        assert Grid.objects.filter(jurisdiction__path__contains=f"/{code}/").count() >= 12
    phones = [g.person_phone for g in Grid.objects.all()]
    supervisors = set(Grid.objects.values_list("supervisor_phone", flat=True))
    for phone in [*phones, *supervisors]:
        validate_phone(phone)
        assert len(phone) == 11 and phone.startswith("1")
    others = (
        set(User.objects.values_list("phone", flat=True))
        | set(Personnel.objects.values_list("phone", flat=True))
        | set(Force.objects.values_list("leader_phone", flat=True))
    )
    assert len(set(phones)) == len(phones)
    assert not (set(phones) | supervisors) & others
    created = Event.objects.filter(type="grid.created")
    assert created.count() == Grid.objects.count()
    assert all(e.actor.has_role(Role.ADMINISTRATOR) for e in created.select_related("actor"))


def test_the_demo_county_has_a_published_orange_flood_warning_with_answers(demo):
    """The board is not empty on ``make run``: 临清市水利局 warned two townships and some
    grid persons have answered by SMS, the others are being chased."""
    warning = HazardWarning.objects.get()
    assert (warning.status, warning.level, warning.hazard_type.code) == (
        "published",
        "orange",
        "flood",
    )
    assert warning.issuer.name == "临清市水利局"
    assert warning.published_by.username == "linqing_water_editor"
    assert {a.name for a in warning.areas.all()} == {"魏湾镇", "康庄镇"}
    grid_persons = WarningRecipient.objects.filter(warning=warning, kind="grid_person")
    assert (
        grid_persons.count()
        == Grid.objects.filter(jurisdiction__code__in=["371581104", "371581103"]).count()
    )
    answered = grid_persons.exclude(acknowledged_at=None)
    assert answered.count() == 2
    assert all(r.acknowledged_channel == "sms" for r in answered)
    assert grid_persons.filter(acknowledged_at=None).exists()
    assert Event.objects.filter(type="warning.acknowledged").count() == 2


# --- the snapshot: the same demo, whichever app builds which part -----------------------

# Recorded from ``seed_demo`` before the demo was split into one ``demo.py`` per app: the
# accounts (username, role, organisation, jurisdiction) in ``--list-users`` order, and the
# rows of every model the demo writes (permissions and content types come from migrations).
# The module's demo is never committed, so the three orders' notices stay undelivered: a
# committed run adds their delivery (6 more events, 3 more order history rows).
DEMO_USERS = [
    ("city_duty", "duty_officer", "聊城市应急管理局", "聊城市"),
    ("city_dispatcher", "fire_dispatcher", "聊城市消防救援支队", "聊城市"),
    ("city_approver", "bureau_approver", "聊城市应急管理局", "聊城市"),
    ("city_water_editor", "department_editor", "聊城市水利局", "聊城市"),
    ("city_power_editor", "department_editor", "国网聊城供电公司", "聊城市"),
    ("city_force", "force_account", "聊城市蓝天救援队", "聊城市"),
    ("city_expert", "expert", "聊城市应急管理局", "聊城市"),
    ("city_screen", "screen", "聊城市应急管理局", "聊城市"),
    ("province_sync", "sync_client", "聊城市应急管理局", "聊城市"),
    ("city_admin", "administrator", "聊城市应急管理局", "聊城市"),
    ("linqing_duty", "duty_officer", "临清市应急管理局", "临清市"),
    ("linqing_dispatcher", "fire_dispatcher", "临清市消防救援大队", "临清市"),
    ("linqing_approver", "bureau_approver", "临清市应急管理局", "临清市"),
    ("linqing_water_editor", "department_editor", "临清市水利局", "临清市"),
    ("linqing_power_editor", "department_editor", "国网临清市供电公司", "临清市"),
    ("linqing_force", "force_account", "临清市蓝天救援队", "临清市"),
    ("linqing_expert", "expert", "临清市应急管理局", "临清市"),
    ("linqing_screen", "screen", "临清市应急管理局", "临清市"),
    ("linqing_sync", "sync_client", "临清市应急管理局", "临清市"),
    ("linqing_admin", "administrator", "临清市应急管理局", "临清市"),
    ("yanggu_duty", "duty_officer", "阳谷县应急管理局", "阳谷县"),
    ("yanggu_dispatcher", "fire_dispatcher", "阳谷县消防救援大队", "阳谷县"),
    ("yanggu_approver", "bureau_approver", "阳谷县应急管理局", "阳谷县"),
    ("yanggu_water_editor", "department_editor", "阳谷县水利局", "阳谷县"),
    ("yanggu_power_editor", "department_editor", "国网阳谷县供电公司", "阳谷县"),
    ("yanggu_force", "force_account", "阳谷县蓝天救援队", "阳谷县"),
    ("yanggu_expert", "expert", "阳谷县应急管理局", "阳谷县"),
    ("yanggu_screen", "screen", "阳谷县应急管理局", "阳谷县"),
    ("yanggu_sync", "sync_client", "阳谷县应急管理局", "阳谷县"),
    ("yanggu_admin", "administrator", "阳谷县应急管理局", "阳谷县"),
    ("dongchangfu_duty", "duty_officer", "东昌府区应急管理局", "东昌府区"),
    ("dongchangfu_dispatcher", "fire_dispatcher", "东昌府区消防救援大队", "东昌府区"),
    ("dongchangfu_approver", "bureau_approver", "东昌府区应急管理局", "东昌府区"),
    ("dongchangfu_water_editor", "department_editor", "东昌府区水利局", "东昌府区"),
    ("dongchangfu_power_editor", "department_editor", "国网东昌府区供电公司", "东昌府区"),
    ("dongchangfu_force", "force_account", "东昌府区蓝天救援队", "东昌府区"),
    ("dongchangfu_expert", "expert", "东昌府区应急管理局", "东昌府区"),
    ("dongchangfu_screen", "screen", "东昌府区应急管理局", "东昌府区"),
    ("dongchangfu_sync", "sync_client", "东昌府区应急管理局", "东昌府区"),
    ("dongchangfu_admin", "administrator", "东昌府区应急管理局", "东昌府区"),
    # command.demo: the maritime SAR centre's own account (issue 13 intake).
    ("city_maritime", "department_editor", "聊城市水上搜救中心", "聊城市"),
]

DEMO_COUNTS = {
    "auth.Group": 110,
    "command.CommandTransfer": 1,
    "command.Consultation": 1,
    "command.HistoricalConsultation": 4,
    "command.HistoricalConsultation_departments": 6,
    "command.HistoricalConsultation_experts": 4,
    "command.HistoricalHotlineTransfer": 2,
    "command.HistoricalIncident": 11,
    "command.HistoricalIncidentReport": 10,
    "command.HistoricalReportRule": 3,
    "command.HistoricalReportRule_incident_types": 1,
    "command.HotlineTransfer": 1,
    "command.Incident": 6,
    "command.IncidentHandover": 2,
    "command.IncidentNote": 1,
    "command.IncidentReport": 8,
    "command.IncidentType": 23,
    "command.ReportRule": 2,
    "core.Event": 2142,
    "core.EventCounter": 1,
    "core.HistoricalOrganisation": 205,
    "core.Jurisdiction": 30,
    "core.Organisation": 101,
    "core.User": 41,
    "dispatch.CallOutOrder": 3,
    "dispatch.CallOutPlan": 2,
    "dispatch.DispatchPolicy": 1,
    "dispatch.HistoricalCallOutOrder": 7,
    "dispatch.HistoricalCallOutPlan": 5,
    "dispatch.HistoricalDispatchPolicy": 1,
    "dispatch.HistoricalPlanLine": 6,
    "dispatch.HistoricalSpecialPeriod": 1,
    "dispatch.Notice": 3,
    "dispatch.PlanLine": 6,
    "dispatch.SpecialPeriod": 1,
    "drills.AfterActionReport": 1,
    "drills.AnnualDrillPlan": 3,
    "drills.ContingencyPlan": 9,
    "drills.Drill": 11,
    "drills.DrillFrequencyRule": 5,
    "drills.FollowUpAction": 4,
    "drills.HistoricalAfterActionReport": 3,
    "drills.HistoricalAnnualDrillPlan": 3,
    "drills.HistoricalContingencyPlan": 9,
    "drills.HistoricalDrill": 22,
    "drills.HistoricalFollowUpAction": 5,
    "duty.DutyLogEntry": 3,
    "duty.DutyRoster": 9,
    "duty.HandOver": 1,
    "duty.HistoricalDutyLogEntry": 5,
    "duty.HistoricalDutyRoster": 12,
    "duty.HistoricalDutyRoster_partners": 3,
    "duty.HistoricalRollCall": 36,
    "duty.HistoricalRollCallIntensification": 2,
    "duty.HistoricalRollCallSchedule": 4,
    "duty.HistoricalShift": 372,
    "duty.HistoricalShiftOfficer": 558,
    "duty.HistoricalSpotCheck": 2,
    "duty.RollCall": 12,
    "duty.RollCallIntensification": 2,
    "duty.RollCallSchedule": 4,
    "duty.RollCallTarget": 216,
    "duty.Shift": 372,
    "duty.ShiftOfficer": 558,
    "duty.SpotCheck": 2,
    "earlywarning.Grid": 40,
    "earlywarning.HazardType": 17,
    "earlywarning.HazardWarning": 1,
    "earlywarning.HistoricalGrid": 40,
    "earlywarning.HistoricalHazardWarning": 2,
    "earlywarning.WarningRecipient": 19,
    "forces.Equipment": 240,
    "forces.Expert": 16,
    "forces.ExpertGroup": 3,
    "forces.Force": 66,
    "forces.Formation": 7,
    "forces.FormationRequirement": 39,
    "forces.HistoricalEquipment": 240,
    "forces.HistoricalExpert": 32,
    "forces.HistoricalExpertGroup": 6,
    "forces.HistoricalExpertGroup_members": 14,
    "forces.HistoricalExpert_specialties": 23,
    "forces.HistoricalForce": 135,
    "forces.HistoricalForce_specialties": 162,
    "forces.HistoricalMaterial": 177,
    "forces.HistoricalPersonnel": 410,
    "forces.Material": 177,
    "forces.Personnel": 346,
    "forces.Specialty": 21,
    "guardian.GroupObjectPermission": 78,
    "notify.Delivery": 87,
    "notify.EscalationStep": 25,
    "notify.Notification": 58,
    "notify.RecipientRule": 54,
    "response.HistoricalManualInstruction": 356,
    "response.HistoricalResponseActivation": 3,
    "response.HistoricalResponseInstruction": 21,
    "response.HistoricalResponseManual": 32,
    "response.ManualInstruction": 356,
    "response.ResponseActivation": 2,
    "response.ResponseInstruction": 17,
    "response.ResponseManual": 32,
    "response.ResponseStep": 3,
    "response.Seat": 2,
    "support.AllocationLine": 3,
    "support.AllocationRequest": 2,
    "support.CasualtyCase": 1,
    "support.Commendation": 3,
    "support.CompensationClaim": 2,
    "support.CompensationCost": 7,
    "support.HealthRecord": 32,
    "support.HistoricalAllocationLine": 3,
    "support.HistoricalAllocationRequest": 6,
    "support.HistoricalCasualtyCase": 2,
    "support.HistoricalCommendation": 3,
    "support.HistoricalCompensationClaim": 7,
    "support.HistoricalCompensationCost": 7,
    "support.HistoricalHealthRecord": 32,
    "support.HistoricalInsurancePolicy": 32,
    "support.HistoricalPassageRequest": 5,
    "support.HistoricalRequisition": 5,
    "support.HistoricalReserveItem": 13,
    "support.HistoricalShelter": 30,
    "support.HistoricalShelterIndicator": 4,
    "support.HistoricalStockBatch": 154,
    "support.HistoricalStockLevel": 96,
    "support.HistoricalStockMovement": 78,
    "support.HistoricalVehiclePass": 5,
    "support.HistoricalWarehouse": 20,
    "support.InsurancePolicy": 32,
    "support.PassageRequest": 2,
    "support.Requisition": 2,
    "support.ReserveItem": 13,
    "support.Shelter": 30,
    "support.ShelterIndicator": 4,
    "support.StockBatch": 76,
    "support.StockLevel": 96,
    "support.StockMovement": 78,
    "support.VehiclePass": 2,
    "support.Warehouse": 20,
}


def test_seed_demo_builds_the_recorded_accounts_in_order(demo):
    rows = json.loads(_seed("--list-users", "--json"))

    assert [tuple(row.values()) for row in rows] == DEMO_USERS


def test_seed_demo_writes_the_recorded_number_of_rows_of_every_model(demo):
    demo_labels = {
        "core",
        "forces",
        "earlywarning",
        "command",
        "notify",
        "dispatch",
        "duty",
        "drills",
        "support",
        "response",
    }
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in demo_labels
        or model._meta.label in ("auth.Group", "guardian.GroupObjectPermission")
    }

    assert {label: n for label, n in counts.items() if n} == DEMO_COUNTS


def test_each_app_builds_its_own_part_of_the_demo_in_installed_apps_order():
    """core first (places, organisations, accounts), then each app on the ones before it."""
    modules = [m.__name__ for m in demo_module.demo_modules()]

    assert modules == [
        "core.demo",
        "forces.demo",
        "earlywarning.demo",
        "command.demo",
        "response.demo",
        "dispatch.demo",
        "duty.demo",
        "drills.demo",
        "support.demo",
    ]


# --- the dispatch chain (SPEC §3, §4) ------------------------------------------------------

BEIJING = ZoneInfo("Asia/Shanghai")


def _demo_plan(incident_title: str) -> CallOutPlan:
    return CallOutPlan.objects.select_related("incident", "drafted_by", "decided_by").get(
        incident__title=incident_title
    )


def test_seed_demo_loads_the_incident_types(demo):
    """GB/T 35561 types are reference data, loaded like the divisions."""
    assert "incident_types" in demo
    assert IncidentType.objects.filter(code__in=["11A01", "11A02", "21B01"]).count() == 3


def test_city_has_a_yearly_flood_season_and_the_seed_dispatch_policy(demo):
    """Liaocheng §三.一.2 (汛期), Zhoushan §三.2 (30 / 60 min in town, result in 24 h)."""
    season = SpecialPeriod.objects.get(jurisdiction__code=CITY_CODE)
    assert season.kind == SpecialPeriodKind.FLOOD_SEASON and season.recurs_yearly
    assert (season.starts_on.month, season.starts_on.day) == (6, 1)
    assert (season.ends_on.month, season.ends_on.day) == (9, 30)
    assert season.declared_by.username == "city_admin"
    assert season.history.get().history_user.username == "city_admin"
    linqing = Jurisdiction.objects.get(code=COUNTIES["linqing"])
    assert dispatch_services.active_special_periods(linqing, date(2031, 7, 1)) == [season]
    assert dispatch_services.active_special_periods(linqing, date(2031, 10, 1)) == []
    policy = DispatchPolicy.objects.get(jurisdiction__code=CITY_CODE)
    assert (
        policy.ack_minutes,
        policy.tier1_urban_minutes,
        policy.tier2_urban_minutes,
        policy.tier1_rural_minutes,
        policy.result_hours,
    ) == (5, 30, 60, None, 24)
    assert dispatch_services.policy_for(linqing) == policy


def test_demo_incidents_are_open_and_recorded_by_the_duty_officers(demo):
    """SPEC §3: recorded through command.services, by each county's duty room."""
    incidents = Incident.objects.select_related("jurisdiction", "reported_by")
    assert {i.jurisdiction.code for i in incidents} == {COUNTIES["linqing"], COUNTIES["yanggu"]}
    # One closed house fire carries the demo's after-action report (drills.demo).
    closed = [i.title for i in incidents if i.status != IncidentStatus.OPEN]
    assert closed == ["临清市松林镇民房火灾"]
    for incident in incidents:
        prefix = "linqing" if incident.jurisdiction.code == COUNTIES["linqing"] else "yanggu"
        assert incident.reported_by.username == f"{prefix}_duty"
        created = Event.objects.get(type="incident.created", subject_id=str(incident.pk))
        assert created.jurisdiction == incident.jurisdiction
    yanggu = incidents.get(title="阳谷县张秋镇化工园区储罐区异味")
    assert not yanggu.plans.exists()


def test_demo_intake_12345_maritime_and_first_receiver_hand_over(demo):
    """Issue 13 intake (Zhoushan §二.3, §三.1): callers and numbers on the calls; one
    transferred to 12345 and answered; one on the canal handed to the maritime SAR
    centre, whose account reported back; one handed over under 首接负责制."""
    from command.choices import Disposition, HandoverKind
    from command.models import HotlineTransfer, IncidentHandover, IncidentNote

    incidents = Incident.objects.all()
    assert all(i.caller_name and i.callback_phone for i in incidents)
    transfer = HotlineTransfer.objects.select_related("incident", "hotline").get()
    assert transfer.incident.disposition == Disposition.HOTLINE and transfer.replied_at
    assert transfer.incident.latitude is None and transfer.incident.address
    assert transfer.hotline.name == "聊城市12345政务服务便民热线"
    maritime = IncidentHandover.objects.select_related("to_unit").get(kind=HandoverKind.MARITIME)
    assert maritime.to_unit.name == "聊城市水上搜救中心"
    note = IncidentNote.objects.select_related("author").get()
    assert note.author.username == "city_maritime" and note.incident == maritime.incident
    handed = IncidentHandover.objects.get(kind=HandoverKind.RESPONSIBLE_UNIT)
    assert handed.incident.title == "阳谷县张秋镇化工园区储罐区异味"
    assert handed.to_unit.name == "聊城市生态环境局阳谷分局"


def test_linqing_has_a_plan_awaiting_the_bureaus_approval(demo):
    """Liaocheng §三.一.2: the brigade drafted it and submitted it to the same-level bureau."""
    plan = _demo_plan("京杭运河临清段西堤管涌")
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.drafted_by.username == "linqing_dispatcher"
    assert plan.jurisdiction.code == COUNTIES["linqing"]
    assert plan.lines.count() >= 2
    assert not plan.orders.exists()
    assert Event.objects.filter(type="plan.submitted", subject_id=str(plan.pk)).exists()
    approver = User.objects.get(username="linqing_approver")
    assert CallOutPlan.objects.visible_to(approver).filter(pk=plan.pk).exists()


def test_linqing_has_an_approved_plan_whose_orders_are_under_way(demo):
    """Liaocheng §三.一.2, Zhoushan §三.2: orders issued on approval, one notice each, and
    the forces report at their own pace — acknowledged, arrived, not yet acknowledged."""
    plan = _demo_plan("临清市新华路下穿通道积水车辆被困")
    assert plan.status == PlanStatus.APPROVED
    assert plan.decided_by.username == "linqing_approver"
    orders = {o.force.name: o for o in plan.orders.select_related("force", "last_step_by")}
    assert set(orders) == {line.force.name for line in plan.lines.select_related("force")}
    statuses = {o.status for o in orders.values()}
    assert {OrderStatus.ACKNOWLEDGED, OrderStatus.ARRIVED} <= statuses
    blue_sky = orders["临清市蓝天救援队"]
    assert blue_sky.status == OrderStatus.ACKNOWLEDGED
    assert blue_sky.last_step_by.username == "linqing_force" and not blue_sky.last_step_on_behalf
    drainage = orders["临清市城市管理排涝抢险队"]
    assert drainage.status == OrderStatus.ARRIVED
    assert drainage.last_step_by.username == "linqing_dispatcher" and drainage.last_step_on_behalf
    for order in orders.values():
        assert order.notice.organisation == dispatch_services.consenting_department(order.force)
        assert order.notice.status == NoticeStatus.PENDING  # delivered after the commit
        assert order.force.status == ForceStatus.DEPLOYED
    consented = set(plan.consents.values_list("organisation_id", flat=True))
    if plan.in_special_period:
        assert not dispatch_services.missing_consents(plan)
    else:
        assert consented == set()


def test_in_the_flood_season_the_demo_gets_the_departments_consent_before_approval(demo):
    """Liaocheng §三.一.2: 汛期须由应急管理部门商行业主管部门同意后，下达出动指令."""
    ctx = demo_module.DemoContext()
    ctx.users = {
        u.username: u for u in User.objects.filter(username__in=demo_module.demo_usernames())
    }
    linqing = demo_module.COUNTIES[0]
    row = next(p for p in dispatch_demo.DEMO_PLANS["linqing"] if p.approve)
    with time_machine.travel(datetime(2027, 7, 10, 9, 0, tzinfo=BEIJING), tick=False):
        incident = command_services.create_incident(
            actor=ctx.users["linqing_duty"],
            data={
                "title": "汛期演示警情",
                "source": "119",
                "incident_type": IncidentType.objects.get(code="11A02"),
                "latitude": Decimal("36.84"),
                "longitude": Decimal("115.71"),
            },
        )
        dispatch_demo.seed_plan(ctx, linqing, incident, row)
    plan = _demo_plan("汛期演示警情")
    assert plan.status == PlanStatus.APPROVED and plan.in_special_period
    assert not dispatch_services.missing_consents(plan)
    consents = {c.organisation.name: c for c in plan.consents.select_related("organisation")}
    bureau = consents["临清市应急管理局"]  # owns the blue-sky team's record: consents itself
    assert bureau.given_by.username == "linqing_approver" and not bureau.consulted_person
    urban = consents["临清市城市管理局"]  # no demo account: the approver records the call
    assert urban.given_by.username == "linqing_approver"
    assert urban.consulted_person and urban.consulted_at is not None


# --- graded response (DESIGN13; Tieling §三.二.4, 附件1 §13) ------------------------------


def test_the_demo_has_flood_and_chemicals_manuals_of_every_level_for_each_place(demo):
    from response.models import ResponseManual

    for code in [CITY_CODE, *COUNTIES.values()]:
        manuals = ResponseManual.objects.filter(jurisdiction__code=code)
        assert set(manuals.values_list("hazard", "level")) == {
            (hazard, level)
            for hazard in ("flood", "hazardous_chemicals")
            for level in ("iv", "iii", "ii", "i")
        }
        for manual in manuals.prefetch_related("instructions__department"):
            departments = {line.department for line in manual.instructions.all()}
            assert all(d.jurisdiction.code == code for d in departments), manual
            assert manual.conditions
        flood = {m.level: m.instructions.count() for m in manuals.filter(hazard="flood")}
        assert flood["iv"] < flood["iii"] < flood["ii"] < flood["i"]
    linqing_iv = ResponseManual.objects.get(
        jurisdiction__code=COUNTIES["linqing"], hazard="flood", level="iv"
    )
    lines = {(line.department.name, line.text) for line in linqing_iv.instructions.all()}
    assert ("临清市水利局", "加强水库、河道、堤防巡查，每2小时报告一次水情") in lines
    assert ("临清市自然资源和规划局", "开展地质灾害隐患点巡查，落实监测人和预警信号") in lines
    assert Organisation.objects.filter(name="中共临清市委宣传部", kind=K.GOVERNMENT_OFFICE).exists()


def test_linqing_raised_its_flood_response_and_departments_are_answering(demo):
    from response.models import ResponseActivation

    flood = ResponseActivation.objects.get(incident__title="京杭运河临清段西堤管涌")
    assert (flood.hazard, flood.level, flood.status) == ("flood", "iii", "active")
    assert list(flood.steps.values_list("kind", flat=True)) == ["activated", "raised"]
    statuses = {
        (i.department.name, i.level): i.status
        for i in flood.instructions.select_related("department")
    }
    assert statuses[("临清市水利局", "iv")] == "in_progress"
    assert statuses[("临清市自然资源和规划局", "iv")] == "acknowledged"
    assert statuses[("临清市气象局", "iv")] == "done"
    assert statuses[("临清市卫生健康委员会", "iii")] == "sent"
    assert flood.seats.filter(left_at=None).count() == 2
    chemicals = ResponseActivation.objects.get(incident__title="阳谷县张秋镇化工园区储罐区异味")
    assert (chemicals.hazard, chemicals.level) == ("hazardous_chemicals", "iv")
    assert chemicals.instructions.count() == 5


def test_demo_reports_one_on_time_one_late_and_the_rest_due(demo):
    """Tieling §三.(二).2: the level III dyke piping received 95 minutes ago is 迟报 and its
    initial report went in late; the chemical-park report went in on time."""
    from command.models import IncidentReport

    late = IncidentReport.objects.get(incident__title="京杭运河临清段西堤管涌", kind="initial")
    assert late.status == "submitted" and late.late
    assert late.submitted_by.username == "linqing_duty"
    on_time = IncidentReport.objects.get(
        incident__title="阳谷县张秋镇化工园区储罐区异味", kind="initial"
    )
    assert on_time.status == "submitted" and not on_time.late
    assert on_time.rule.name == "危险化学品事故一律报告"
    assert IncidentReport.objects.filter(status="due", late=True).count() == 2
    assert IncidentReport.objects.filter(status="due", late=False).count() == 4


def test_the_demo_has_a_command_hand_over_a_concluded_consultation_and_a_summary(demo):
    from command.models import CommandTransfer, Consultation
    from drills.models import AfterActionReport

    transfer = CommandTransfer.objects.get()
    assert (transfer.from_authority, transfer.to_authority) == ("fire_brigade", "onsite_hq")
    assert transfer.incident.command_authority == "onsite_hq"
    meeting = Consultation.objects.get()
    assert (meeting.status, meeting.recommended_level) == ("concluded", "iv")
    assert meeting.experts.count() == 2 and meeting.departments.count() == 2
    report = AfterActionReport.objects.get()
    assert (report.status, report.organisation.name) == ("accepted", "临清市消防救援大队")
    assert report.incident.status == "closed" and report.actions.count() == 1
