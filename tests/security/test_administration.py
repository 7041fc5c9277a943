"""Administration is scoped like everything else (issue 8, findings 1 and 2): a county
administrator keeps the accounts and organisations of its jurisdiction on the platform's
pages and nothing more; the Django admin is for platform operators (superusers) only and
writes nothing around the services, its history pages included."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory

from core import services
from core.exceptions import NotFoundError, PermissionDeniedError
from core.models import Event, Organisation, User
from core.roles import Role
from forces.models import Force
from tests import factories as f

pytestmark = pytest.mark.django_db

ADDRESS = "10.20.30.40"


@pytest.fixture
def operator(world):
    return f.user("operator", None, is_superuser=True, is_staff=True)


def _client(user, address: str = ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def _refused_by_admin(response) -> bool:
    return response.status_code == 403 or (
        response.status_code == 302 and "/admin/login/" in response["Location"]
    )


# --- the Django admin: operators only ------------------------------------------------


def test_admin_site_refuses_a_county_administrator_even_with_staff_status(world):
    world.admin_a.is_staff = True
    world.admin_a.save()
    client = _client(world.admin_a)
    for url in (
        "/admin/",
        "/admin/core/user/",
        f"/admin/core/user/{world.dispatcher_b.pk}/change/",
        "/admin/core/organisation/add/",
        "/admin/forces/force/",
        f"/admin/forces/force/{world.force_b.pk}/history/",
    ):
        assert _refused_by_admin(client.get(url)), url
    client.post(
        f"/admin/core/user/{world.dispatcher_b.pk}/change/",
        {"username": "dispatcher_b", "is_superuser": "on", "is_staff": "on"},
    )
    world.dispatcher_b.refresh_from_db()
    assert not world.dispatcher_b.is_superuser


def test_admin_login_does_not_admit_staff_who_are_not_operators(world):
    world.admin_a.is_staff = True
    world.admin_a.save()
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin_a", "password": "pw-Linkage-2026", "next": "/admin/"},
    )
    assert _refused_by_admin(client.get("/admin/core/user/"))


def test_admin_site_admits_a_superuser(world, operator):
    client = _client(operator)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/core/user/")
    assert page.status_code == 200
    assert "dispatcher_b" in page.content.decode()
    for url in (
        f"/admin/core/user/{world.dispatcher_b.pk}/change/",
        f"/admin/core/organisation/{world.water_b.pk}/change/",
        f"/admin/core/organisation/{world.water_b.pk}/history/",
        "/admin/core/event/",
        "/admin/auth/group/",
        "/admin/core/apitoken/",
        "/admin/otp_totp/totpdevice/",
        "/admin/axes/accesslog/",
    ):
        assert client.get(url).status_code == 200, url


# Reference data without services, events or history, kept by the operators here.
WRITABLE_IN_ADMIN = {
    "core.jurisdiction",
    "forces.specialty",
    "forces.formation",
    "drills.drillfrequencyrule",
    # Who gets which notification, and how the chase escalates (issue 10).
    "notify.recipientrule",
    "notify.escalationstep",
}


def test_every_admin_model_is_read_only_for_operators_except_reference_data(operator):
    request = RequestFactory().get("/admin/")
    request.user = operator
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        writes = {
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
        }
        if label in WRITABLE_IN_ADMIN:
            continue
        if label in ("axes.accessattempt", "otp_totp.totpdevice"):
            # Deleting a lockout unlocks the account early (README: login lockout);
            # deleting a TOTP device resets a lost phone (README: two-factor login).
            assert writes == {"add": False, "change": False, "delete": True}
            continue
        assert not any(writes.values()), (label, writes)


def test_user_admin_writes_nothing_for_an_operator(world, operator):
    client = _client(operator)
    target = world.dispatcher_b
    assert client.get("/admin/core/user/add/").status_code == 403
    assert client.get(f"/admin/core/user/{target.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/core/user/{target.pk}/change/",
        {"username": target.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert not (target.is_superuser or target.is_staff)


def test_history_revert_post_changes_nothing(world, operator):
    org = world.water_b
    services.update_organisation(
        actor=world.admin_city, organisation_id=org.pk, data={"name": "阳谷县水务局"}
    )
    first = org.history.order_by("history_id").first()
    force = world.force_b
    force_version = force.history.order_by("history_id").first()
    client = _client(operator)
    org_url = f"/admin/core/organisation/{org.pk}/history/{first.history_id}/"
    force_url = f"/admin/forces/force/{force.pk}/history/{force_version.history_id}/"
    assert client.get(org_url).status_code == 200
    assert client.get(force_url).status_code == 200
    before = Event.objects.count()
    response = client.post(
        org_url,
        {
            "name": "阳谷县水利局",
            "kind": org.kind,
            "jurisdiction": org.jurisdiction_id,
            "linkage_tier": org.linkage_tier,
            "risk_class": org.risk_class,
            "_save": "Save",
        },
    )
    assert response.status_code == 403
    response = client.post(force_url, {"name": "改名", "_save": "Save"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name == "阳谷县水务局"
    assert Force.objects.get(pk=force.pk).name == force.name
    # Nothing changed; the two refusals themselves are in the audit trail.
    refusals = Event.objects.filter(type="security.refused")
    assert Event.objects.count() - refusals.count() == before
    assert refusals.count() == 2


# --- the account pages: scoped to the administrator's jurisdiction ------------------


def test_account_pages_refuse_anyone_but_administrators(world):
    anonymous = Client()
    page = anonymous.get("/accounts/")
    assert page.status_code == 302 and "/login/" in page["Location"]
    for user in (world.duty_officer_a, world.editor_a, world.dispatcher_a):
        client = _client(user)
        assert client.get("/accounts/").status_code == 403
        assert client.get("/accounts/organisations/").status_code == 403
        assert client.get(f"/accounts/{world.duty_officer_a.pk}/").status_code == 403


def test_county_administrator_sees_only_its_jurisdictions_accounts(world):
    client = _client(world.admin_a)
    page = client.get("/accounts/", {"active": "1"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "duty_a" in body and "editor_water_a" in body
    assert "dispatcher_b" not in body and "admin_city" not in body
    other = world.dispatcher_b
    for url in (
        f"/accounts/{other.pk}/",
        f"/accounts/{other.pk}/deactivate/",
        f"/accounts/{other.pk}/reactivate/",
        f"/accounts/{other.pk}/password/",
        f"/accounts/organisations/{world.fire_b.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "display_name": "x"}).status_code == 404, url
    other.refresh_from_db()
    assert other.is_active and other.display_name == ""


def test_account_list_masks_phones_and_filters(world):
    world.duty_officer_a.phone = "13912345678"
    world.duty_officer_a.save()
    client = _client(world.admin_a)
    body = client.get("/accounts/", {"q": "duty"}).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    body = client.get("/accounts/", {"role": Role.DEPARTMENT_EDITOR}).content.decode()
    assert "editor_water_a" in body and "duty_a" not in body
    body = client.get("/accounts/", {"organisation": world.water_a.pk}).content.decode()
    assert "force_a" in body and "duty_a" not in body


def test_county_administrator_cannot_open_an_account_in_another_county(world):
    client = _client(world.admin_a)
    response = client.post(
        "/accounts/new/",
        {
            "username": "intruder",
            "display_name": "外县账号",
            "organisation": world.water_b.pk,
            "roles": [Role.DEPARTMENT_EDITOR],
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="intruder").exists()
    with pytest.raises(NotFoundError):
        services.create_user_account(
            actor=world.admin_a,
            username="intruder",
            organisation=world.water_b,
            roles=[Role.DEPARTMENT_EDITOR],
        )


def test_superuser_and_staff_status_cannot_be_granted(world):
    client = _client(world.admin_a)
    response = client.post(
        "/accounts/new/",
        {
            "username": "new_editor",
            "display_name": "新填报员",
            "organisation": world.water_a.pk,
            "roles": [Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR],
            "password": "Qz7!linkage-temp",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=f"org:{world.water_b.pk}").pk],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="new_editor")
    assert not (created.is_superuser or created.is_staff)
    assert created.role_names == {Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR}
    assert set(created.groups.values_list("name", flat=True)) == created.role_names
    client.post(
        f"/accounts/{world.duty_officer_a.pk}/",
        {
            "display_name": "值班员",
            "organisation": world.bureau_a.pk,
            "roles": [Role.DUTY_OFFICER],
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    world.duty_officer_a.refresh_from_db()
    assert not (world.duty_officer_a.is_superuser or world.duty_officer_a.is_staff)
    with pytest.raises(TypeError):
        services.create_user_account(  # type: ignore[call-arg]
            actor=world.admin_a,
            username="sneaky",
            organisation=world.water_a,
            roles=[],
            is_superuser=True,
        )
    with pytest.raises(PermissionDeniedError):
        services.set_user_roles(actor=world.editor_a, user_id=world.editor_a.pk, roles=[])


def test_county_administrator_cannot_touch_an_operator_account(world):
    operator = f.user("operator_a", world.bureau_a, is_superuser=True)
    client = _client(world.admin_a)
    assert client.get(f"/accounts/{operator.pk}/").status_code == 403
    assert client.post(f"/accounts/{operator.pk}/password/", {}).status_code == 403
    assert client.post(f"/accounts/{operator.pk}/deactivate/", {"reason": "x"}).status_code == 403
    operator.refresh_from_db()
    assert operator.is_active and operator.check_password("pw-Linkage-2026")
    for call in (
        lambda: services.deactivate_user(actor=world.admin_a, user_id=operator.pk, reason="x"),
        lambda: services.set_user_roles(actor=world.admin_a, user_id=operator.pk, roles=[]),
        lambda: services.reset_user_password(actor=world.admin_a, user_id=operator.pk),
    ):
        with pytest.raises(PermissionDeniedError):
            call()


def test_administrator_cannot_change_its_own_roles_organisation_or_status(world):
    me = world.admin_a
    client = _client(me)
    response = client.post(
        f"/accounts/{me.pk}/",
        {
            "display_name": "临清管理员",
            "phone": "13800000000",
            "organisation": world.town_a.pk,
            "roles": [Role.DUTY_OFFICER],
        },
    )
    assert response.status_code == 302
    me = User.objects.get(pk=me.pk)
    assert me.role_names == {Role.ADMINISTRATOR}
    assert me.organisation_id == world.bureau_a.pk
    assert me.display_name == "临清管理员"
    assert client.post(f"/accounts/{me.pk}/deactivate/", {"reason": "x"}).status_code == 403
    me.refresh_from_db()
    assert me.is_active
    with pytest.raises(PermissionDeniedError):
        services.set_user_roles(actor=me, user_id=me.pk, roles=Role.values)
    with pytest.raises(PermissionDeniedError):
        services.update_user_account(
            actor=me,
            user_id=me.pk,
            display_name="x",
            phone="",
            organisation_id=world.water_a.pk,
        )
    with pytest.raises(PermissionDeniedError):
        services.reset_user_password(actor=me, user_id=me.pk, password="Qz7!linkage-temp")


def test_city_administrator_manages_county_accounts(world):
    client = _client(world.admin_city)
    body = client.get("/accounts/").content.decode()
    assert "dispatcher_b" in body and "duty_a" in body
    target = world.dispatcher_b
    response = client.post(
        f"/accounts/{target.pk}/",
        {
            "display_name": "阳谷调度",
            "phone": "0635-6212345",
            "organisation": world.fire_b.pk,
            "roles": [Role.FIRE_DISPATCHER, Role.DUTY_OFFICER],
        },
    )
    assert response.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert target.role_names == {Role.FIRE_DISPATCHER, Role.DUTY_OFFICER}
    assert target.phone == "0635-6212345"
    # Moving an account needs the old and the new organisation in the jurisdiction.
    with pytest.raises(NotFoundError):
        services.update_user_account(
            actor=world.admin_a,
            user_id=world.duty_officer_a.pk,
            display_name="",
            phone="",
            organisation_id=world.water_b.pk,
        )
    services.update_user_account(
        actor=world.admin_city,
        user_id=world.duty_officer_a.pk,
        display_name="",
        phone="",
        organisation_id=world.bureau_b.pk,
    )
    assert User.objects.get(pk=world.duty_officer_a.pk).organisation_id == world.bureau_b.pk


def test_every_account_change_records_actor_and_address(world):
    client = _client(world.admin_a)
    seq = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    client.post(
        "/accounts/organisations/new/",
        {
            "name": "临清市化工有限公司",
            "kind": "enterprise",
            "jurisdiction": world.town_a.pk,
            "linkage_tier": 2,
            "risk_class": "high",
            "duty_phone": "0635-2345679",
        },
    )
    org = Organisation.objects.get(name="临清市化工有限公司")
    client.post(
        f"/accounts/organisations/{org.pk}/",
        {
            "name": "临清市化工有限公司",
            "kind": "enterprise",
            "jurisdiction": world.town_a.pk,
            "linkage_tier": 1,
            "risk_class": "high",
            "duty_phone": "0635-2345679",
        },
    )
    client.post(
        "/accounts/new/",
        {
            "username": "chem_editor",
            "display_name": "化工填报员",
            "organisation": org.pk,
            "roles": [Role.DEPARTMENT_EDITOR],
        },
    )
    account = User.objects.get(username="chem_editor")
    client.post(
        f"/accounts/{account.pk}/",
        {
            "display_name": "化工填报",
            "organisation": org.pk,
            "roles": [Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT],
        },
    )
    client.post(f"/accounts/{account.pk}/password/", {"password": "Qz7!linkage-temp"})
    client.post(f"/accounts/{account.pk}/deactivate/", {"reason": "离职"})
    client.post(f"/accounts/{account.pk}/reactivate/", {"reason": "返聘"})
    events = list(Event.objects.filter(seq__gt=seq).order_by("seq"))
    assert [e.type for e in events] == [
        "organisation.created",
        "organisation.updated",
        "user.created",
        "account.updated",
        "account.roles_changed",
        "account.password_reset",
        "account.deactivated",
        "account.reactivated",
    ]
    for event in events:
        assert event.actor_id == world.admin_a.pk, event.type
        assert event.ip_address == ADDRESS, event.type
        assert "Qz7!linkage-temp" not in str(event.payload), event.type
        assert "password" not in event.payload, event.type
    assert events[-2].payload["reason"] == "离职"


def test_deactivating_an_account_ends_its_sessions(world):
    victim = _client(world.duty_officer_a, address="10.0.0.9")
    assert victim.get("/").status_code == 200
    _client(world.admin_a).post(
        f"/accounts/{world.duty_officer_a.pk}/deactivate/", {"reason": "账号外借"}
    )
    assert not User.objects.get(pk=world.duty_officer_a.pk).is_active
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(world.duty_officer_a.pk) not in sessions
    page = victim.get("/")
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_password_reset_obeys_the_password_rules_and_shows_a_generated_one_once(world):
    client = _client(world.admin_a)
    target = world.editor_a
    response = client.post(f"/accounts/{target.pk}/password/", {"password": "zzzz"})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    target.refresh_from_db()
    assert target.check_password("pw-Linkage-2026")
    response = client.post(f"/accounts/{target.pk}/password/", {"password": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    shown = response.context["password"]
    assert shown in response.content.decode()
    target.refresh_from_db()
    assert target.check_password(shown)
    assert shown not in str(list(Event.objects.values_list("payload", flat=True)))


def test_county_administrator_keeps_organisations_of_its_jurisdiction_only(world):
    client = _client(world.admin_a)
    body = client.get("/accounts/organisations/").content.decode()
    assert "临清市水利局" in body and "阳谷县水利局" not in body
    response = client.post(
        "/accounts/organisations/new/",
        {"name": "外县单位", "kind": "enterprise", "jurisdiction": world.county_b.pk},
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="外县单位").exists()
    with pytest.raises(NotFoundError):
        services.update_organisation(
            actor=world.admin_a,
            organisation_id=world.water_a.pk,
            data={"jurisdiction": world.county_b},
        )
    with pytest.raises(NotFoundError):
        services.update_organisation(
            actor=world.admin_a, organisation_id=world.water_b.pk, data={"name": "x"}
        )
    with pytest.raises(PermissionDeniedError):
        services.update_organisation(
            actor=world.admin_a,
            organisation_id=world.bureau_a.pk,
            data={"jurisdiction": world.town_a},
        )


def test_services_say_not_found_before_anything_about_state(world):
    """Authorise before you check state: an inactive account of county B is 'not found'
    for county A's administrator, not 'already inactive'."""
    services.deactivate_user(actor=world.admin_city, user_id=world.dispatcher_b.pk, reason="x")
    for call in (
        lambda: services.deactivate_user(
            actor=world.admin_a, user_id=world.dispatcher_b.pk, reason="x"
        ),
        lambda: services.reactivate_user(
            actor=world.admin_a, user_id=world.dispatcher_b.pk, reason=""
        ),
        lambda: services.reset_user_password(actor=world.admin_a, user_id=world.dispatcher_b.pk),
        lambda: services.set_user_roles(
            actor=world.admin_a, user_id=world.dispatcher_b.pk, roles=["nonsense"]
        ),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_navigation_links_accounts_for_administrators_and_the_admin_for_operators(world, operator):
    admin_page = _client(world.admin_a).get("/").content.decode()
    assert 'href="/accounts/"' in admin_page and 'href="/admin/"' not in admin_page
    duty_page = _client(world.duty_officer_a).get("/").content.decode()
    assert 'href="/accounts/"' not in duty_page
    operator_page = _client(operator).get("/").content.decode()
    assert 'href="/accounts/"' in operator_page and 'href="/admin/"' in operator_page


def test_operators_reference_data_edits_in_the_admin_are_events_with_address(world, operator):
    from axes.models import AccessAttempt

    from forces.models import Specialty

    client = _client(operator)
    seq = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client.post(
        "/admin/forces/specialty/add/", {"code": "hazmat", "name": "危化品", "sort_order": 5}
    )
    assert response.status_code == 302
    specialty = Specialty.objects.get(code="hazmat")
    town = world.town_a
    response = client.post(
        f"/admin/core/jurisdiction/{town.pk}/change/",
        {
            "code": town.code,
            "name": "松林镇人民政府驻地",
            "level": town.level,
            "parent": town.parent_id,
        },
    )
    assert response.status_code == 302
    attempt = AccessAttempt.objects.create(
        username="duty_a", ip_address="10.9.9.9", failures_since_start=5, get_data="", post_data=""
    )
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    events = list(Event.objects.filter(seq__gt=seq).order_by("seq"))
    assert [(e.type, e.subject_id) for e in events] == [
        ("admin.added", str(specialty.pk)),
        ("admin.changed", str(town.pk)),
        ("admin.deleted", str(attempt.pk)),
    ]
    assert all(e.actor_id == operator.pk and e.ip_address == ADDRESS for e in events)
    assert events[1].jurisdiction_id == town.pk
