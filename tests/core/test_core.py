"""Platform foundation (SPEC §1, §8): jurisdiction scoping, the event log, the API's
authentication, error shape and schema, masking."""

import pytest
from django.db import transaction

from core.events import record_event
from core.exceptions import NotFoundError, PermissionDeniedError
from core.masking import mask_id_number, mask_name, mask_phone
from core.models import Event, Jurisdiction, Organisation
from core.services import create_organisation, create_user_account
from forces.models import Force

pytestmark = pytest.mark.django_db


def test_jurisdiction_path_follows_the_tree(world):
    assert world.town_a.path == "370000/371500/371581/371581101/"
    assert world.county_a.contains(world.town_a)
    assert not world.county_b.contains(world.town_a)


def test_visible_to_covers_own_jurisdiction_and_below(world):
    assert set(Force.objects.visible_to(world.admin_city)) >= {world.force_a, world.force_b}
    assert world.force_b not in Force.objects.visible_to(world.admin_a)
    orgs = set(Organisation.objects.visible_to(world.dispatcher_b))
    assert world.fire_b in orgs and world.fire_a not in orgs


def test_visible_to_anonymous_and_userless_org_is_empty(world):
    from django.contrib.auth.models import AnonymousUser

    from tests import factories as f

    assert not Force.objects.visible_to(AnonymousUser()).exists()
    orphan = f.user("orphan", None, "duty_officer")
    assert not Force.objects.visible_to(orphan).exists()


def test_event_sequence_strictly_increases_in_commit_order(world):
    before = Event.objects.order_by("-seq").first().seq
    with transaction.atomic():
        e1 = record_event(type="test.one", jurisdiction=world.county_a, subject=world.force_a)
        e2 = record_event(type="test.two", jurisdiction=world.county_a, subject=world.force_a)
    assert before < e1.seq < e2.seq == e1.seq + 1


def test_rolled_back_change_leaves_no_event(world):
    count = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(type="test.rollback", jurisdiction=world.county_a, subject=world.force_a)
        raise RuntimeError("abort")
    assert Event.objects.count() == count


def test_events_are_append_only(world):
    event = Event.objects.first()
    event.type = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_transaction_is_refused(world):
    with pytest.raises(RuntimeError):
        record_event(type="x", jurisdiction=world.county_a, subject=world.force_a)


def test_only_administrators_open_organisations_and_accounts(world):
    with pytest.raises(PermissionDeniedError):
        create_organisation(
            actor=world.duty_officer_a, name="x", kind="enterprise", jurisdiction=world.county_a
        )
    with pytest.raises(NotFoundError):
        create_organisation(
            actor=world.admin_a, name="x", kind="enterprise", jurisdiction=world.county_b
        )
    org = create_organisation(
        actor=world.admin_a, name="临清化工", kind="enterprise", jurisdiction=world.county_a
    )
    assert org.group is not None
    user = create_user_account(
        actor=world.admin_a, username="hg_editor", organisation=org, roles=["department_editor"]
    )
    assert user.role_names == {"department_editor"}


def test_masking_formats():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0635-2345678") == "0635-****678"
    assert mask_phone("119") == "119"
    assert mask_id_number("110105194912310022") == "110105********0022"
    assert mask_name("张三明") == "张*明"
    assert mask_name("李四") == "李*"


def test_token_login_and_use(world, client):
    bad = client.post("/api/v1/auth/token/", {"username": "editor_water_a", "password": "no"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    response = client.post(
        "/api/v1/auth/token/", {"username": "editor_water_a", "password": "pw-Linkage-2026"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["roles"] == ["department_editor"]
    forces = client.get("/api/v1/forces/forces/", HTTP_AUTHORIZATION=f"Token {token}")
    assert forces.status_code == 200


def test_invalid_token_is_401_with_code(world, client):
    response = client.get("/api/v1/forces/forces/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}


def test_malformed_json_is_400_not_500(world, api):
    response = api(world.editor_a).generic(
        "PATCH",
        f"/api/v1/forces/forces/{world.force_a.pk}/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_schema_and_docs_are_served_without_cdn(world, client):
    client.force_login(world.admin_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/forces/forces/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


def test_jurisdictions_api_is_scoped(world, api):
    codes = {
        r["code"] for r in api(world.admin_a).get("/api/v1/core/jurisdictions/").json()["results"]
    }
    assert codes == {"371581", "371581101"}
    assert api(world.admin_a).get("/api/v1/core/jurisdictions/371521/").status_code == 404


def test_dates_are_shown_the_chinese_way(world, client):
    from django.utils import formats, timezone
    from django.utils.translation import override

    moment = timezone.make_aware(timezone.datetime(2026, 11, 23, 14, 5))
    with override("zh-hans"):
        assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == (
            "2026年11月23日 14:05"
        )
    assert str(Jurisdiction.objects.get(code="371581")) == "临清市"


def test_health_check_answers_without_login(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
