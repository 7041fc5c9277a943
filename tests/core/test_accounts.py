"""The account and organisation services (SPEC §1): who may, what is validated, what is
recorded. The attacks on them are in tests/security/test_administration.py."""

from __future__ import annotations

import pytest

from core import services
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from core.roles import GRANTABLE_ROLES, Role, grantable_roles

pytestmark = pytest.mark.django_db


def test_administrators_grant_every_role_of_the_table_and_nobody_else_grants_any(world):
    assert grantable_roles(world.admin_a) == set(Role.values)
    assert set(GRANTABLE_ROLES) == {Role.ADMINISTRATOR}
    assert grantable_roles(world.approver_a) == set()
    with pytest.raises(PermissionDeniedError):
        services.create_user_account(
            actor=world.duty_officer_a, username="x", organisation=world.bureau_a, roles=[]
        )


def test_unknown_roles_bad_phones_and_taken_user_names_are_refused(world):
    def create(**kw):
        data = {
            "actor": world.admin_a,
            "username": "new_one",
            "organisation": world.water_a,
            "roles": [Role.DEPARTMENT_EDITOR],
        }
        data.update(kw)
        return services.create_user_account(**data)

    with pytest.raises(ValidationFailed) as exc:
        create(roles=["superuser"])
    assert "roles" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        create(phone="call me")
    assert "phone" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        create(username="duty_a")
    assert "username" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        create(password="short")
    assert "password" in exc.value.errors
    user = create(phone="13812345678", password="Qz7!linkage-temp")
    assert user.check_password("Qz7!linkage-temp")
    assert not (user.is_staff or user.is_superuser)


def test_a_race_for_one_user_name_is_a_conflict_not_a_500(world, monkeypatch):
    from django.contrib.auth import get_user_model

    # Both requests passed the uniqueness check; the database decides.
    monkeypatch.setattr(get_user_model(), "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(ConflictError):
        services.create_user_account(
            actor=world.admin_a, username="duty_a", organisation=world.bureau_a, roles=[]
        )


def test_status_changes_need_a_reason_and_a_real_transition(world):
    target = world.editor_a.pk
    with pytest.raises(ValidationFailed):
        services.deactivate_user(actor=world.admin_a, user_id=target, reason="  ")
    with pytest.raises(InvalidTransition):
        services.reactivate_user(actor=world.admin_a, user_id=target, reason="复职")
    services.deactivate_user(actor=world.admin_a, user_id=target, reason="调离")
    with pytest.raises(InvalidTransition):
        services.deactivate_user(actor=world.admin_a, user_id=target, reason="调离")
    services.reactivate_user(actor=world.admin_a, user_id=target, reason="复职")


def test_generated_passwords_pass_the_rules_and_differ(world):
    first = services.reset_user_password(actor=world.admin_a, user_id=world.editor_a.pk)
    second = services.reset_user_password(actor=world.admin_a, user_id=world.editor_a.pk)
    assert first != second and len(first) >= 16
    world.editor_a.refresh_from_db()
    assert world.editor_a.check_password(second)
    payloads = Event.objects.filter(type="account.password_reset").values_list("payload", flat=True)
    assert [p["generated"] for p in payloads] == [True, True]


def test_organisation_particulars_are_validated(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_organisation(
            actor=world.admin_a,
            name="临清某公司",
            kind="enterprise",
            jurisdiction=world.county_a,
            uscc="123",
        )
    assert "uscc" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_organisation(
            actor=world.admin_a,
            name="临清某公司",
            kind="enterprise",
            jurisdiction=world.county_a,
            duty_phone="12",
        )
    assert "duty_phone" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.create_organisation(
            actor=world.admin_a, name="临清市水利局", kind="enterprise", jurisdiction=world.county_a
        )
    with pytest.raises(ValidationFailed):
        services.update_organisation(
            actor=world.admin_a, organisation_id=world.water_a.pk, data={"group": None}
        )
    org = services.create_organisation(
        actor=world.admin_a,
        name="临清某公司",
        kind="enterprise",
        jurisdiction=world.county_a,
        uscc="91110000600037341l",
    )
    assert org.uscc == "91110000600037341L"


def test_unchanged_saves_record_nothing(world):
    before = Event.objects.count()
    services.update_user_account(
        actor=world.admin_a,
        user_id=world.editor_a.pk,
        display_name=world.editor_a.display_name,
        phone="",
        organisation_id=world.water_a.pk,
        roles=[Role.DEPARTMENT_EDITOR],
    )
    services.update_organisation(
        actor=world.admin_a, organisation_id=world.water_a.pk, data={"name": "临清市水利局"}
    )
    assert Event.objects.count() == before


def test_account_pages_render_for_an_administrator(world):
    from django.test import Client

    client = Client()
    client.force_login(world.admin_a)
    target = world.editor_a.pk
    for url in (
        "/accounts/",
        "/accounts/new/",
        f"/accounts/{target}/",
        f"/accounts/{target}/deactivate/",
        f"/accounts/{target}/password/",
        f"/accounts/{world.admin_a.pk}/",
        "/accounts/organisations/",
        "/accounts/organisations/new/",
        f"/accounts/organisations/{world.water_a.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    services.deactivate_user(actor=world.admin_a, user_id=target, reason="调离")
    assert client.get(f"/accounts/{target}/reactivate/").status_code == 200
