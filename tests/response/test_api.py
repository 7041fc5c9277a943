"""The response API: what a duty officer and a department do over REST, and every refusal
as ``{"code", "detail"}`` with the right status, never a 5xx."""

from __future__ import annotations

import pytest

from response import services

API = "/api/v1/response"


def _activate(w, client, **data):
    body = {"hazard": "flood", "level": "iv", "incident": w.incident_a.pk, **data}
    return client.post(f"{API}/activations/", body, format="json")


def test_a_duty_officer_activates_raises_and_ends_over_the_api(response_world, api):
    w = response_world
    client = api(w.duty_officer_a)
    created = _activate(w, client, reason="卫运河超警戒")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["level"], body["instruction_count"], body["status"]) == ("iv", 3, "active")
    pk = body["id"]
    raised = client.post(
        f"{API}/activations/{pk}/change-level/",
        {"level": "iii", "reason": "水位上涨"},
        format="json",
    )
    assert raised.status_code == 200 and raised.json()["instruction_count"] == 5
    board = client.get(f"{API}/activations/{pk}/board/").json()
    assert board["total"] == 5 and len(board["departments"]) == 5
    assert [s["kind"] for s in board["steps"]] == ["activated", "raised"]
    ended = client.post(f"{API}/activations/{pk}/end/", {"reason": "险情解除"}, format="json")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"


def test_a_department_works_its_instruction_over_the_api(response_world, api):
    w = response_world
    _activate(w, api(w.duty_officer_a))
    client = api(w.editor_a)
    listed = client.get(f"{API}/instructions/", {"status": "sent"}).json()["results"]
    assert [row["department_name"] for row in listed] == ["临清市水利局"]
    pk = listed[0]["id"]
    assert client.post(f"{API}/instructions/{pk}/acknowledge/").json()["status"] == "acknowledged"
    assert client.post(f"{API}/instructions/{pk}/start/").json()["status"] == "in_progress"
    done = client.post(
        f"{API}/instructions/{pk}/complete/", {"report": "已巡查堤防12公里"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    seat = client.post(
        f"{API}/seats/",
        {"activation": listed[0]["activation"], "organisation": w.water_a.pk, "person": "王水利"},
        format="json",
    )
    assert seat.status_code == 201, seat.json()
    left = client.post(f"{API}/seats/{seat.json()['id']}/leave/")
    assert left.status_code == 200 and left.json()["left_at"]


def test_instruction_filters(response_world, api):
    w = response_world
    created = _activate(w, api(w.duty_officer_a)).json()
    client = api(w.duty_officer_a)
    rows = client.get(f"{API}/instructions/", {"activation": created["id"]}).json()["results"]
    assert len(rows) == 3
    rows = client.get(f"{API}/instructions/", {"department": w.natres_a.pk}).json()["results"]
    assert [r["department_name"] for r in rows] == ["临清市自然资源局"]
    assert client.get(f"{API}/instructions/", {"overdue": "true"}).json()["results"] == []
    bad = client.get(f"{API}/instructions/", {"activation": "x"})
    assert bad.status_code == 400 and bad.json()["code"]


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) >= {"code", "detail"} and body["detail"], body
    if code:
        assert body["code"] == code, body
    return body


def test_refusals_are_4xx_with_a_code_and_a_detail(response_world, api):
    w = response_world
    officer = api(w.duty_officer_a)
    missing = _activate(w, officer, hazard="hazardous_chemicals")
    assert "临清市" in _error(missing, 400, "no_manual")["detail"]
    _error(_activate(w, officer, warning=1), 400)  # an incident and a warning
    _error(_activate(w, api(w.dispatcher_a)), 403, "permission_denied")
    _error(_activate(w, api(w.duty_officer_b)), 403, "permission_denied")
    _error(_activate(w, officer, incident=2**40), 404, "not_found")
    pk = _activate(w, officer).json()["id"]
    _error(_activate(w, officer, level="iii"), 409, "response_already_active")
    same = officer.post(
        f"{API}/activations/{pk}/change-level/", {"level": "iv", "reason": "同级"}, format="json"
    )
    _error(same, 409, "same_level")
    _error(officer.post(f"{API}/activations/{pk}/end/", {}, format="json"), 400)
    water = w.incident_a.responses.get().instructions.get(department=w.water_a).pk
    _error(api(w.editor_b).post(f"{API}/instructions/{water}/acknowledge/"), 404)
    _error(api(w.editor_natres_a).post(f"{API}/instructions/{water}/acknowledge/"), 404)
    _error(api(w.dispatcher_a).post(f"{API}/instructions/{water}/acknowledge/"), 403)
    editor = api(w.editor_a)
    _error(editor.post(f"{API}/instructions/{water}/complete/", {"report": ""}, format="json"), 400)
    editor.post(f"{API}/instructions/{water}/acknowledge/")
    _error(editor.post(f"{API}/instructions/{water}/acknowledge/"), 409, "already_acknowledged")
    _error(api(w.force_account_a).get(f"{API}/activations/"), 403)
    _error(api().get(f"{API}/activations/"), 401)


def test_manuals_crud_over_the_api(response_world, api):
    w = response_world
    client = api(w.approver_a)
    body = {
        "jurisdiction": w.county_a.code,
        "hazard": "flood",
        "level": "ii",
        "title": "临清市防汛Ⅱ级应急响应手册",
        "lines": [
            {"text": "24小时巡堤查险", "department": w.water_a.pk, "deadline_minutes": 30},
            {"text": "开放避难场所", "department": w.housing_a.pk, "deadline_minutes": 60},
        ],
    }
    created = client.post(f"{API}/manuals/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert [line["position"] for line in created.json()["lines"]] == [1, 2]
    patched = client.patch(f"{API}/manuals/{pk}/", {"title": "改"}, format="json")
    assert patched.status_code == 200 and len(patched.json()["lines"]) == 2
    _error(client.post(f"{API}/manuals/", body, format="json"), 409, "manual_exists")
    outside = {**body, "level": "i", "lines": [{**body["lines"][0], "department": w.water_b.pk}]}
    _error(client.post(f"{API}/manuals/", outside, format="json"), 400, "invalid")
    _error(api(w.editor_a).post(f"{API}/manuals/", {**body, "level": "i"}, format="json"), 403)
    county_b = api(w.approver_b)
    assert county_b.get(f"{API}/manuals/{pk}/").status_code == 404
    assert client.delete(f"{API}/manuals/{pk}/").status_code == 204
    assert services.manual_for(jurisdiction=w.county_a, hazard="flood", level="ii") is None


@pytest.mark.parametrize("url", ["activations", "instructions", "seats", "manuals"])
def test_ids_too_large_for_the_database_are_404_not_500(response_world, api, url):
    w = response_world
    response = api(w.duty_officer_a).get(f"{API}/{url}/{2**70}/")
    assert response.status_code == 404
