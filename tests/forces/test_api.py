"""Force registry API: permission matrix, masking, writes through services, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forces import services
from forces.models import Force, Personnel
from tests import factories as f

pytestmark = pytest.mark.django_db

FORCES = "/api/v1/forces/forces/"


def detail(force):
    return f"{FORCES}{force.pk}/"


# --- permission matrix -------------------------------------------------------------


def test_anonymous_gets_401(world, api):
    response = api().get(FORCES)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("persona", ["screen_a", "force_account_a"])
def test_roles_without_registry_access_get_403(world, api, persona):
    response = api(getattr(world, persona)).get(FORCES)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_list_is_limited_to_own_jurisdiction(world, api):
    names = {r["name"] for r in api(world.dispatcher_b).get(FORCES).json()["results"]}
    assert names == {"阳谷县水利抢险队"}
    city_names = {r["name"] for r in api(world.admin_city).get(FORCES).json()["results"]}
    assert {"阳谷县水利抢险队", "临清市水利抢险队", "临清供电抢修队"} <= city_names


def test_force_in_other_jurisdiction_is_404(world, api):
    assert api(world.dispatcher_b).get(detail(world.force_a)).status_code == 404
    response = api(world.editor_b).patch(detail(world.force_a), {"duty_phone": "0635-1111111"})
    assert response.status_code == 404


def test_other_organisation_editor_gets_403_on_write(world, api):
    response = api(world.editor_power_a).patch(
        detail(world.force_a), {"duty_phone": "0635-1111111"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Force.objects.get(pk=world.force_a.pk).duty_phone == "0635-2345678"


def test_wrong_role_in_same_jurisdiction_cannot_write(world, api):
    response = api(world.duty_officer_a).patch(
        detail(world.force_a), {"duty_phone": "0635-1111111"}, format="json"
    )
    assert response.status_code == 403


def test_owning_editor_updates_force(world, api):
    response = api(world.editor_a).patch(
        detail(world.force_a),
        {"duty_phone": "0635-1111111", "specialties": ["water"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["duty_phone"] == "0635-1111111"
    assert response.json()["specialties"] == ["water"]
    force = Force.objects.get(pk=world.force_a.pk)
    assert force.history.latest().history_user == world.editor_a


def test_editor_creates_force_for_own_organisation(world, api):
    payload = {
        "name": "临清市水域救援二队",
        "category": "government",
        "organisation": world.water_a.pk,
        "duty_phone": "0635-2223333",
        "headcount": 12,
        "specialties": ["water"],
        "comm_means": ["phone", "beidou"],
    }
    response = api(world.editor_a).post(FORCES, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["jurisdiction"] == "371581"
    assert body["comm_means"] == ["beidou", "phone"]
    assert services.can_edit_force(world.editor_a, Force.objects.get(pk=body["id"]))


def test_editor_cannot_create_force_for_other_organisation(world, api):
    payload = {
        "name": "x",
        "category": "enterprise",
        "organisation": world.power_a.pk,
        "duty_phone": "0635-2223333",
    }
    response = api(world.editor_a).post(FORCES, payload, format="json")
    assert response.status_code == 403


def test_bad_input_is_400_with_field_errors(world, api):
    response = api(world.editor_a).patch(
        detail(world.force_a), {"duty_phone": "12ab", "status": "asleep"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"duty_phone", "status"}


def test_organisation_outside_jurisdiction_is_not_found_as_input(world, api):
    payload = {
        "name": "x",
        "category": "government",
        "organisation": world.water_b.pk,
        "duty_phone": "0635-2223333",
    }
    response = api(world.admin_a).post(FORCES, payload, format="json")
    # Well-formed, but naming an organisation the caller cannot see: not found (the
    # schema cannot state which ids exist; a 400 would say the format was wrong).
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "organisation" in response.json()["errors"]
    assert not Force.objects.filter(name="x").exists()


def test_filters_by_category_specialty_status_and_jurisdiction(world, api):
    client = api(world.admin_city)
    by_cat = client.get(FORCES, {"category": "enterprise"}).json()["results"]
    assert [r["name"] for r in by_cat] == ["临清供电抢修队"]
    by_spec = client.get(FORCES, {"specialty": "flood"}).json()["results"]
    assert [r["name"] for r in by_spec] == ["临清市水利抢险队"]
    by_place = client.get(FORCES, {"jurisdiction": "371521"}).json()["results"]
    assert [r["name"] for r in by_place] == ["阳谷县水利抢险队"]
    by_org = client.get(FORCES, {"organisation": world.power_a.pk}).json()["results"]
    assert [r["name"] for r in by_org] == ["临清供电抢修队"]
    assert client.get(FORCES, {"status": "deployed"}).json()["count"] == 0


# --- masking -------------------------------------------------------------------------


def test_leader_phone_masked_for_other_organisations(world, api):
    other = api(world.duty_officer_a).get(detail(world.force_a)).json()
    assert other["leader_phone"] == "138****5678"
    own = api(world.editor_a).get(detail(world.force_a)).json()
    assert own["leader_phone"] == "13812345678"
    admin = api(world.admin_a).get(detail(world.force_a)).json()
    assert admin["leader_phone"] == "13812345678"


def test_personnel_phone_and_id_masked_for_other_organisations(world, api):
    services.add_force_item(
        actor=world.editor_a,
        force_id=world.force_a.pk,
        kind="personnel",
        data={"name": "李四", "phone": "13912345678", "id_number": "11010519491231002X"},
    )
    row = api(world.dispatcher_a).get("/api/v1/forces/personnel/").json()["results"][0]
    assert (row["phone"], row["id_number"]) == ("139****5678", "110105********002X")
    own = api(world.editor_a).get("/api/v1/forces/personnel/").json()["results"][0]
    assert (own["phone"], own["id_number"]) == ("13912345678", "11010519491231002X")


def test_personnel_create_and_delete_through_api(world, api):
    client = api(world.editor_a)
    response = client.post(
        "/api/v1/forces/personnel/",
        {"force": world.force_a.pk, "name": "赵六", "phone": "13700001111"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(world.editor_power_a).delete(f"/api/v1/forces/personnel/{pk}/").status_code == 403
    assert client.delete(f"/api/v1/forces/personnel/{pk}/").status_code == 204
    assert not Personnel.objects.filter(pk=pk).exists()


def test_expert_api_masks_phone_and_scopes(world, api):
    expert = services.create_expert(
        actor=world.admin_a,
        organisation=world.bureau_a,
        data={"name": "陈教授", "field": "水利工程", "phone": "13600001234"},
    )
    rows = api(world.dispatcher_a).get("/api/v1/forces/experts/").json()["results"]
    assert rows[0]["phone"] == "136****1234"
    assert api(world.dispatcher_b).get(f"/api/v1/forces/experts/{expert.pk}/").status_code == 404


def test_reference_endpoints(world, api):
    client = api(world.dispatcher_a)
    codes = {s["code"] for s in client.get("/api/v1/forces/specialties/").json()}
    assert {"water", "flood"} <= codes
    assert client.get("/api/v1/forces/formations/").status_code == 200


# --- query counts --------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        FORCES,
        "/api/v1/forces/personnel/",
        "/api/v1/forces/equipment/",
        "/api/v1/forces/materials/",
        "/api/v1/forces/experts/",
        "/api/v1/forces/expert-groups/",
        "/api/v1/core/organisations/",
        "/api/v1/core/jurisdictions/",
    ],
)
def test_list_query_count_is_constant_in_page_size(world, api, url):
    client = api(world.admin_a)
    _populate(world, 3)
    small = _count_queries(client, f"{url}?page_size=2")
    _populate(world, 12)
    large = _count_queries(client, f"{url}?page_size=40")
    assert small == large


def _populate(world, n):
    from forces.models import ExpertGroup

    for _ in range(n):
        force = f.force(
            world.admin_a, world.water_a, specialties=[world.water], leader_phone="13800001111"
        )
        for kind, data in (
            ("personnel", {"name": "王五", "phone": "13800002222", "specialty": world.water}),
            ("equipment", {"name": "冲锋舟"}),
            ("material", {"name": "救生衣", "quantity": 10}),
        ):
            services.add_force_item(actor=world.admin_a, force_id=force.pk, kind=kind, data=data)
        expert = services.create_expert(
            actor=world.admin_a,
            organisation=world.bureau_a,
            data={"name": "专家", "field": "水利", "phone": "13600001234"},
            specialties=[world.water],
        )
        group = ExpertGroup.objects.create(
            name=f"水利专家组{expert.pk}",
            disaster_type="flood",
            organisation=world.bureau_a,
            jurisdiction=world.county_a,
        )
        group.members.add(expert)
        f.organisation(f"乡镇单位{expert.pk}", "government_office", world.town_a)
        f.jurisdiction(f"371581{200 + expert.pk % 700:03d}", "村", "township", world.county_a)
