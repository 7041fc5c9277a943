"""Service rules of the force registry (SPEC §2)."""

import pytest
from guardian.shortcuts import get_perms

from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event
from forces import services
from forces.models import Force

pytestmark = pytest.mark.django_db


def test_registering_a_force_grants_edit_rights_to_its_organisation_only(world):
    """Liaocheng §三.二.1: each department keeps its own forces' basic data."""
    assert "change_force" in get_perms(world.water_a.group, world.force_a)
    assert services.can_edit_force(world.editor_a, world.force_a)
    assert not services.can_edit_force(world.editor_power_a, world.force_a)
    assert not services.can_edit_force(world.editor_b, world.force_a)


def test_editor_cannot_change_another_organisations_force(world):
    with pytest.raises(PermissionDeniedError):
        services.update_force(
            actor=world.editor_power_a,
            force_id=world.force_a.pk,
            data={"duty_phone": "0635-7654321"},
        )


def test_force_outside_jurisdiction_is_not_found(world):
    with pytest.raises(NotFoundError):
        services.update_force(
            actor=world.editor_b, force_id=world.force_a.pk, data={"duty_phone": "0635-7654321"}
        )


def test_administrator_edits_any_force_in_jurisdiction_but_not_beyond(world):
    services.update_force(
        actor=world.admin_a, force_id=world.force_a.pk, data={"status": "resting"}
    )
    with pytest.raises(NotFoundError):
        services.update_force(
            actor=world.admin_a, force_id=world.force_b.pk, data={"status": "resting"}
        )
    services.update_force(
        actor=world.admin_city, force_id=world.force_b.pk, data={"status": "resting"}
    )


def test_duty_officer_cannot_edit_forces(world):
    with pytest.raises(PermissionDeniedError):
        services.update_force(
            actor=world.duty_officer_a, force_id=world.force_a.pk, data={"status": "resting"}
        )


def test_update_records_history_and_event_with_changed_fields(world):
    """SPEC §2: every change is kept in history — who, when, what."""
    before = Event.objects.count()
    services.update_force(
        actor=world.editor_a,
        force_id=world.force_a.pk,
        data={"duty_phone": "0635-7654321", "headcount": 20},
    )
    force = Force.objects.get(pk=world.force_a.pk)
    assert force.duty_phone == "0635-7654321"
    latest = force.history.latest()
    assert latest.history_user == world.editor_a
    assert latest.prev_record.duty_phone == "0635-2345678"
    event = Event.objects.order_by("-seq").first()
    assert Event.objects.count() == before + 1
    assert event.type == "force.updated"
    assert event.payload["changed"] == ["duty_phone"]
    assert event.actor == world.editor_a


def test_update_with_no_change_writes_nothing(world):
    before = (Event.objects.count(), world.force_a.history.count())
    services.update_force(
        actor=world.editor_a,
        force_id=world.force_a.pk,
        data={"duty_phone": world.force_a.duty_phone},
    )
    assert (Event.objects.count(), world.force_a.history.count()) == before


def test_invalid_phone_is_refused_with_field_error(world):
    with pytest.raises(ValidationFailed) as exc:
        services.update_force(
            actor=world.editor_a, force_id=world.force_a.pk, data={"duty_phone": "12ab"}
        )
    assert "duty_phone" in exc.value.errors
    assert Force.objects.get(pk=world.force_a.pk).duty_phone == "0635-2345678"


def test_editor_cannot_register_forces_for_another_organisation(world):
    with pytest.raises(PermissionDeniedError):
        services.create_force(
            actor=world.editor_a,
            organisation=world.power_a,
            data={"name": "x", "category": "enterprise", "duty_phone": "0635-2345678"},
        )


def test_linkage_tier_comes_from_organisation_unless_overridden(world):
    """Zhoushan §三.2: tiers belong to the linkage unit; a force may be set apart."""
    assert world.force_a.linkage_tier == world.water_a.linkage_tier == 2
    services.update_force(
        actor=world.editor_a, force_id=world.force_a.pk, data={"linkage_tier_override": 1}
    )
    assert Force.objects.get(pk=world.force_a.pk).linkage_tier == 1


def test_personnel_added_and_removed_through_service_keep_history(world):
    person = services.add_force_item(
        actor=world.editor_a,
        force_id=world.force_a.pk,
        kind="personnel",
        data={"name": "李四", "phone": "13912345678", "id_number": "11010519491231002X"},
    )
    services.remove_force_item(actor=world.editor_a, kind="personnel", item_id=person.pk)
    kinds = list(
        person.history.model.objects.filter(id=person.pk).values_list("history_type", flat=True)
    )
    assert sorted(kinds) == ["+", "-"]


def test_invalid_id_number_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        services.add_force_item(
            actor=world.editor_a,
            force_id=world.force_a.pk,
            kind="personnel",
            data={"name": "李四", "id_number": "110105194912310022"},
        )
    assert "id_number" in exc.value.errors


def test_history_shows_creation_with_specialties_as_one_entry(world):
    from forces.selectors import force_history

    entries = force_history(world.force_a, world.editor_a)
    assert [e.action for e in entries] == ["+"]
    labels = {label for label, _, _ in entries[0].changes}
    assert {"救援专业", "24小时值班电话"} <= {str(x) for x in labels}


def test_history_masks_personal_fields_for_other_organisations(world):
    from forces.selectors import force_history

    services.update_force(
        actor=world.editor_a, force_id=world.force_a.pk, data={"leader_phone": "13900001111"}
    )
    change = force_history(world.force_a, world.dispatcher_a)[0].changes
    assert [(old, new) for _, old, new in change] == [("138****5678", "139****1111")]
    own = force_history(world.force_a, world.editor_a)[0].changes
    assert [(old, new) for _, old, new in own] == [("13812345678", "13900001111")]


def test_id_number_check_letter_is_stored_upper_case(world):
    person = services.add_force_item(
        actor=world.editor_a,
        force_id=world.force_a.pk,
        kind="personnel",
        data={"name": "李四", "id_number": "11010519491231002x"},
    )
    assert person.id_number == "11010519491231002X"


def test_expert_group_is_formed_through_service_with_event(world):
    expert = services.create_expert(
        actor=world.admin_a,
        organisation=world.bureau_a,
        data={"name": "陈教授", "field": "水利工程", "phone": "13600001234"},
    )
    with pytest.raises(PermissionDeniedError):
        services.create_expert_group(
            actor=world.duty_officer_a,
            organisation=world.bureau_a,
            name="防汛专家组",
            disaster_type="flood",
            members=[expert],
        )
    group = services.create_expert_group(
        actor=world.admin_a,
        organisation=world.bureau_a,
        name="防汛专家组",
        disaster_type="flood",
        members=[expert],
    )
    assert list(group.members.all()) == [expert]
    assert Event.objects.filter(type="expert_group.created", subject_id=str(group.pk)).exists()
