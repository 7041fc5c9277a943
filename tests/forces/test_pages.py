"""Registry pages: the permission matrix, inline form errors, masking, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forces import services
from forces.models import Force
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def edit_url(force):
    return f"/forces/{force.pk}/edit/"


def test_anonymous_is_sent_to_login(world, client):
    for url in ("/forces/", f"/forces/{world.force_a.pk}/", edit_url(world.force_a), "/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", ["screen_a", "force_account_a"])
def test_roles_without_registry_access_get_403(world, browser_as, persona):
    client = browser_as(getattr(world, persona))
    assert client.get("/forces/").status_code == 403
    assert client.get(f"/forces/{world.force_a.pk}/").status_code == 403


def test_other_jurisdiction_gets_404(world, browser_as):
    client = browser_as(world.dispatcher_b)
    assert client.get(f"/forces/{world.force_a.pk}/").status_code == 404
    assert client.get(edit_url(world.force_a)).status_code == 404


def test_other_organisation_editor_gets_403_on_edit(world, browser_as):
    client = browser_as(world.editor_power_a)
    page = client.get(f"/forces/{world.force_a.pk}/")
    assert page.status_code == 200
    assert 'id="edit-force"' not in page.content.decode()
    assert client.get(edit_url(world.force_a)).status_code == 403
    response = client.post(edit_url(world.force_a), {"name": "x"})
    assert response.status_code == 403


def test_wrong_role_cannot_edit(world, browser_as):
    client = browser_as(world.duty_officer_a)
    assert client.get(edit_url(world.force_a)).status_code == 403
    assert client.get("/forces/new/").status_code == 403


def _form_data(force, **changes):
    data = {
        "name": force.name,
        "category": force.category,
        "status": force.status,
        "duty_phone": force.duty_phone,
        "leader_name": force.leader_name,
        "leader_phone": force.leader_phone,
        "headcount": force.headcount,
        "duty_mode": force.duty_mode,
        "funding_mode": force.funding_mode,
        "jurisdiction": force.jurisdiction_id,
        "is_active": "on",
        "specialties": [s.pk for s in force.specialties.all()],
        "comm_means": force.comm_means,
        "industry_authority": force.industry_authority_id or "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_owning_editor_changes_duty_phone_and_sees_history(world, browser_as):
    client = browser_as(world.editor_a)
    response = client.post(
        edit_url(world.force_a), _form_data(world.force_a, duty_phone="0635-8881234")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert 'id="duty-phone">0635-8881234<' in page
    assert "0635-2345678" in page  # the old value, in the history entry
    assert "王水利" in page


def test_bad_input_shows_field_errors_and_saves_nothing(world, browser_as):
    client = browser_as(world.editor_a)
    response = client.post(
        edit_url(world.force_a), _form_data(world.force_a, duty_phone="12ab", headcount="-3")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="field-duty_phone"' in html and "field-error" in html
    assert Force.objects.get(pk=world.force_a.pk).duty_phone == "0635-2345678"


def test_editor_registers_a_force_for_own_organisation(world, browser_as):
    client = browser_as(world.editor_a)
    assert client.get("/forces/new/").status_code == 200
    data = {
        "name": "临清市防汛突击队",
        "category": "government",
        "status": "standby",
        "duty_phone": "0635-2220000",
        "headcount": "30",
        "duty_mode": "full_time",
        "jurisdiction": world.county_a.pk,
        "is_active": "on",
        "specialties": [world.flood.pk],
        "comm_means": ["phone", "radio_370"],
    }
    response = client.post("/forces/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    force = Force.objects.get(name="临清市防汛突击队")
    assert force.organisation == world.water_a
    assert force.comm_means == ["phone", "radio_370"]


def test_personal_data_masked_on_force_page_for_other_organisations(world, browser_as):
    services.add_force_item(
        actor=world.editor_a,
        force_id=world.force_a.pk,
        kind="personnel",
        data={"name": "李四", "phone": "13912345678", "id_number": "11010519491231002X"},
    )
    other = browser_as(world.dispatcher_a).get(f"/forces/{world.force_a.pk}/").content.decode()
    assert "139****5678" in other and "13912345678" not in other
    assert "110105********002X" in other and "11010519491231002X" not in other
    assert "13812345678" not in other  # leader phone, also in history
    own = browser_as(world.editor_a).get(f"/forces/{world.force_a.pk}/").content.decode()
    assert "13912345678" in own and "11010519491231002X" in own


def test_item_form_adds_equipment_and_shows_errors(world, browser_as):
    client = browser_as(world.editor_a)
    url = f"/forces/{world.force_a.pk}/equipment/new/"
    bad = client.post(url, {"name": "", "quantity": "-1", "unit": "台", "condition": "ready"})
    assert bad.status_code == 400
    ok = client.post(url, {"name": "冲锋舟", "quantity": "2", "unit": "艘", "condition": "ready"})
    assert ok.status_code == 302
    assert world.force_a.equipment.get().name == "冲锋舟"
    assert browser_as(world.editor_power_a).post(url, {"name": "x"}).status_code == 403


def test_list_filters_and_search(world, browser_as):
    client = browser_as(world.admin_city)
    html = client.get("/forces/", {"category": "enterprise"}).content.decode()
    assert "临清供电抢修队" in html and "临清市水利抢险队" not in html
    html = client.get("/forces/", {"q": "阳谷"}).content.decode()
    assert "阳谷县水利抢险队" in html and "临清供电抢修队" not in html


def test_htmx_filter_returns_rows_only(world, browser_as):
    client = browser_as(world.admin_a)
    response = client.get("/forces/", {"status": "standby"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "临清市水利抢险队" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["duty_officer_a", "editor_a", "admin_a", "force_account_a", "sync_client"]
)
def test_every_role_has_a_home_page(world, browser_as, persona):
    assert browser_as(getattr(world, persona)).get("/").status_code == 200


def test_screen_role_lands_on_the_command_hall_screen(world, browser_as):
    response = browser_as(world.screen_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/hall/screen/"


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["admin_a", "editor_a"])
@pytest.mark.parametrize("url", ["/forces/", "/forces/experts/"])
def test_list_page_query_count_is_constant(world, browser_as, persona, url):
    client = browser_as(getattr(world, persona))
    _add_forces_and_experts(world, 2)
    first = _queries(client, url)
    _add_forces_and_experts(world, 10)
    assert _queries(client, url) == first


def _add_forces_and_experts(world, n):
    for _ in range(n):
        force = f.force(world.admin_a, world.water_a, specialties=[world.water, world.flood])
        services.create_expert(
            actor=world.admin_a,
            organisation=world.water_a,
            data={"name": f"专家{force.pk}", "field": "水利", "phone": "13600001234"},
            specialties=[world.water],
        )
