"""A person's phone is a mobile or a landline with its area code; only duty lines and
hotlines may be short numbers such as 119."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ValidationFailed
from core.phones import validate_personal_phone, validate_phone
from duty.rosters import services as roster_services
from forces import census, services
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import add_shift, at
from tests.forces.test_census import force_row, upload, workbook

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world


@pytest.mark.parametrize("number", ["13912345678", "0635-2345678", "06352345678", "010-12345678"])
def test_mobiles_and_landlines_with_area_code_are_personal_phones(number):
    validate_personal_phone(number)


@pytest.mark.parametrize("number", ["123", "119", "12345", "1391234567", "2345678", "abc"])
def test_short_numbers_are_not_a_persons_phone(number):
    with pytest.raises(ValidationError):
        validate_personal_phone(number)


def test_a_duty_line_may_still_be_a_hotline():
    validate_phone("119")
    validate_phone("12345")


def test_force_leader_phone_123_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        services.update_force(
            actor=world.editor_a, force_id=world.force_a.pk, data={"leader_phone": "123"}
        )
    assert "leader_phone" in exc.value.errors


def test_personnel_and_expert_phones_must_reach_a_person(world):
    with pytest.raises(ValidationFailed) as exc:
        services.add_force_item(
            actor=world.editor_a,
            force_id=world.force_a.pk,
            kind="personnel",
            data={"name": "李四", "phone": "123"},
        )
    assert "phone" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_expert(
            actor=world.editor_a,
            organisation=world.water_a,
            data={"name": "专家", "field": "水利", "phone": "119"},
        )
    assert "phone" in exc.value.errors


def test_user_phone_must_reach_a_person(world):
    world.editor_a.phone = "123"
    with pytest.raises(ValidationError) as exc:
        world.editor_a.full_clean()
    assert "phone" in exc.value.message_dict


def test_organisation_duty_phone_follows_the_duty_line_rule(world):
    world.water_a.duty_phone = "12"
    with pytest.raises(ValidationError) as exc:
        world.water_a.full_clean()
    assert "duty_phone" in exc.value.message_dict


def test_shift_leader_and_officer_phones_must_reach_a_person(duty_world):
    w = duty_world
    with pytest.raises(ValidationFailed) as exc:
        add_shift(w.duty_officer_a, w.joint, at(w.day, 8), at(w.day, 20), leader_phone="123")
    assert "leader_phone" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        add_shift(
            w.duty_officer_a,
            w.joint,
            at(w.day, 8),
            at(w.day, 20),
            officers=[roster_services.OfficerInput(name="王值班", phone="123")],
        )
    assert "phone" in exc.value.errors


def test_census_reports_a_short_personal_phone_by_sheet_row_and_column(world):
    content = workbook(
        forces=[force_row(world.force_a.name, **{"负责人电话": "123"})],
        personnel=[[world.force_a.name, "李四", "男", "", "123"]],
    )
    report = census.import_census(
        actor=world.editor_a, organisation=world.water_a, upload=upload(content)
    )
    assert not report.ok
    cells = {(e.sheet, e.row, e.column) for e in report.errors}
    assert {("队伍", 2, "负责人电话"), ("人员", 2, "电话")} <= cells
