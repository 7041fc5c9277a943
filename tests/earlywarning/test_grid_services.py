"""The grid registry (网格责任人, Tieling §三.二.5): who may read and keep grids, the
writes with their history and events, and masked phones (DESIGN12 "Who may do what")."""

from __future__ import annotations

import pytest

from core.choices import OrganisationKind as K
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event
from core.roles import Role
from earlywarning import grids
from earlywarning.events import GridEvent
from earlywarning.models import Grid
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def gw(warning_world):
    """``warning_world`` plus the township government of 松林镇 and its editor."""
    w = warning_world
    w.town_gov_a = f.organisation("松林镇人民政府", K.GOVERNMENT_OFFICE, w.town_a)
    w.town_editor_a = f.user("town_editor_a", w.town_gov_a, Role.DEPARTMENT_EDITOR)
    w.expert_a = f.user("expert_a", w.bureau_a, Role.EXPERT)
    return w


def new_grid_data(w, **overrides):
    data = {
        "jurisdiction": w.village_a2,
        "code": "371581101002-02",
        "name": "东关村二网格",
        "person_name": "钱小红",
        "person_phone": "13805351010",
        "supervisor_name": "刘镇长",
        "supervisor_phone": "13905350001",
        "households": 120,
    }
    data.update(overrides)
    return data


def test_readers_are_the_commanding_roles_departments_and_the_sync_client(gw):
    readers = [
        gw.duty_officer_a,
        gw.dispatcher_a,
        gw.approver_a,
        gw.editor_a,
        gw.admin_a,
        gw.sync_client,
        gw.town_editor_a,
    ]
    assert all(grids.can_read_grids(u) for u in readers)
    assert not any(grids.can_read_grids(u) for u in (gw.force_account_a, gw.screen_a, gw.expert_a))


@pytest.mark.parametrize(
    ("persona", "county_a", "county_b"),
    [
        ("admin_a", True, False),
        ("admin_city", True, True),
        ("duty_officer_a", True, False),
        ("approver_a", True, False),
        ("approver_city", True, True),
        ("town_editor_a", True, False),  # its own township only, below
        ("editor_a", False, False),  # an industry department does not keep grids
        ("dispatcher_a", False, False),
        ("sync_client", False, False),
        ("screen_a", False, False),
        ("force_account_a", False, False),
    ],
)
def test_who_keeps_grids_per_role_and_county(gw, persona, county_a, county_b):
    user = getattr(gw, persona)
    assert grids.can_manage_grids(user, gw.village_a1) is county_a
    assert grids.can_manage_grids(user, gw.town_b) is county_b


def test_a_township_government_keeps_the_grids_of_its_township_only(gw):
    assert grids.can_manage_grids(gw.town_editor_a, gw.village_a1)
    assert not grids.can_manage_grids(gw.town_editor_a, gw.town_a2)
    assert not grids.can_manage_grids(gw.town_editor_a, gw.county_a)


def test_duty_officer_of_a_fire_brigade_style_org_is_not_a_manager(gw):
    """Duty officers keep grids as the emergency bureau's, not by the role alone."""
    other = f.user("duty_water_a", gw.water_a, Role.DUTY_OFFICER)
    assert not grids.can_manage_grids(other, gw.village_a1)


def test_create_grid_saves_history_and_records_one_event(gw):
    grid = grids.create_grid(actor=gw.duty_officer_a, data=new_grid_data(gw))

    assert grid.pk and grid.jurisdiction == gw.village_a2
    record = grid.history.get()
    assert record.history_user == gw.duty_officer_a
    event = Event.objects.get(type=GridEvent.CREATED, subject_id=str(grid.pk))
    assert event.jurisdiction == gw.village_a2
    assert event.actor == gw.duty_officer_a
    assert "13805351010" not in str(event.payload)


def test_update_grid_saves_only_changed_fields_and_an_unchanged_body_records_nothing(gw):
    before = Event.objects.filter(type=GridEvent.UPDATED).count()

    grids.update_grid(
        actor=gw.admin_a,
        grid_id=gw.grid_a1.pk,
        data={"person_name": "李大山", "person_phone": "13805351001"},
    )
    assert Event.objects.filter(type=GridEvent.UPDATED).count() == before
    assert gw.grid_a1.history.count() == 1  # the factory's create only

    grids.update_grid(
        actor=gw.admin_a,
        grid_id=gw.grid_a1.pk,
        data={"person_name": "李小山", "person_phone": "13805359999"},
    )
    gw.grid_a1.refresh_from_db()
    assert (gw.grid_a1.person_name, gw.grid_a1.person_phone) == ("李小山", "13805359999")
    event = Event.objects.get(type=GridEvent.UPDATED)
    assert event.payload["changed"] == ["person_name", "person_phone"]
    assert gw.grid_a1.history.latest().history_user == gw.admin_a


def test_reader_roles_may_not_write(gw):
    with pytest.raises(PermissionDeniedError):
        grids.create_grid(actor=gw.dispatcher_a, data=new_grid_data(gw))
    with pytest.raises(PermissionDeniedError):
        grids.update_grid(actor=gw.editor_a, grid_id=gw.grid_a1.pk, data={"note": "x"})
    with pytest.raises(PermissionDeniedError):
        grids.create_grid(actor=gw.sync_client, data=new_grid_data(gw))


def test_other_county_grid_is_not_found_and_outside_place_is_a_field_error(gw):
    with pytest.raises(NotFoundError):
        grids.update_grid(actor=gw.duty_officer_b, grid_id=gw.grid_a1.pk, data={"note": "x"})
    with pytest.raises(ValidationFailed) as refused:
        grids.create_grid(actor=gw.duty_officer_b, data=new_grid_data(gw))
    assert "jurisdiction" in refused.value.errors
    with pytest.raises(ValidationFailed) as moved:
        grids.update_grid(
            actor=gw.town_editor_a, grid_id=gw.grid_a1.pk, data={"jurisdiction": gw.town_a2}
        )
    assert "jurisdiction" in moved.value.errors
    assert not Grid.objects.filter(code="371581101002-02").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_phone", "1380535"),  # too short
        ("person_phone", "110"),  # a short number cannot be texted
        ("supervisor_phone", "23905350001"),
        ("jurisdiction", "county"),  # grids belong to townships and villages
        ("code", "371581101001-01"),  # taken
        ("name", "东关村网格"),  # taken in the same village
        ("person_name", ""),
    ],
)
def test_invalid_grid_data_is_refused_with_the_field_named(gw, field, value):
    if value == "county":
        value = gw.county_a
    with pytest.raises(ValidationFailed) as refused:
        grids.create_grid(actor=gw.admin_a, data=new_grid_data(gw, **{field: value}))
    errors = refused.value.errors
    assert field in errors or (field == "name" and "__all__" in errors), errors


def test_phones_are_shown_to_administrators_and_managers_and_masked_for_other_readers(gw):
    grid = gw.grid_a1
    full = ("13805351001", "13905350001")
    masked = ("138****1001", "139****0001")
    assert grids.phones_of(gw.admin_a, grid) == full
    assert grids.phones_of(gw.admin_city, grid) == full
    assert grids.phones_of(gw.duty_officer_a, grid) == full
    assert grids.phones_of(gw.town_editor_a, grid) == full
    assert grids.phones_of(gw.town_editor_a, gw.grid_a4) == ("138****1004", "139****0002")
    assert grids.phones_of(gw.dispatcher_a, grid) == masked
    assert grids.phones_of(gw.editor_a, grid) == masked
    assert grids.phones_of(gw.sync_client, grid) == masked


def test_visible_grids_follow_the_jurisdiction_and_search_by_name_person_and_code(gw):
    assert set(grids.visible_grids(gw.dispatcher_a)) == {
        gw.grid_a1,
        gw.grid_a2,
        gw.grid_a3,
        gw.grid_a4,
        gw.grid_a5,
    }
    assert set(grids.visible_grids(gw.dispatcher_b)) == {gw.grid_b1}
    assert grids.visible_grids(gw.admin_city).count() == 6
    assert not grids.visible_grids(gw.screen_a).exists()
    qs = grids.visible_grids(gw.admin_city)
    assert list(grids.search_grids(qs, "王秀英")) == [gw.grid_a2]
    assert list(grids.search_grids(qs, "先锋社区")) == [gw.grid_a4]
    assert list(grids.search_grids(qs, "371521101000")) == [gw.grid_b1]
    assert not grids.search_grids(qs, "1380535").exists()  # never by phone
