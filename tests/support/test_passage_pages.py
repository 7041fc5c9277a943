"""Passage pages and API: the public verify page a checkpoint opens from the QR code (no
login, no navigation, noindex, no personal data), the JSON check, the list and detail
pages with their forms, the printable pass and its PDF, the API endpoints with their
permission matrix and constant query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from support.choices import PassageStatus
from support.models import PassageRequest, VehiclePass
from support.passage import services, signing
from support.passage.throttle import MISSES_ALLOWED
from tests.support import passage_fixtures
from tests.support.passage_fixtures import make_pass, make_request

pytestmark = pytest.mark.django_db
passage_world = passage_fixtures.passage_world

API = "/api/v1/support"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _verify_url(vehicle_pass) -> str:
    return reverse("support:pass_verify", args=[signing.pass_token(vehicle_pass)])


def test_a_checkpoint_verifies_a_genuine_pass_without_logging_in(passage_world):
    issued = make_pass(passage_world, plate="鲁PD12345")
    response = Client().get(_verify_url(issued))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verdict="valid"' in html
    assert "鲁PD12345" in html and "临清市水利抢险队" in html and issued.route in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # No navigation, no person: the issuer's account and the force leader's phone stay out.
    assert "navbar" not in html
    assert passage_world.duty_officer_a.username not in html
    assert "13812345678" not in html and "张建国" not in html


def test_the_verify_page_refuses_a_forged_token(passage_world):
    issued = make_pass(passage_world)
    token = signing.pass_token(issued)
    forged = token[:-2] + ("xy" if not token.endswith("xy") else "zz")
    response = Client().get(reverse("support:pass_verify", args=[forged]))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-verdict="invalid"' in html
    assert issued.plate not in html


def test_the_verify_page_says_expired_after_the_validity_even_for_a_genuine_token(passage_world):
    issued = make_pass(passage_world)
    url = _verify_url(issued)
    with time_machine.travel(issued.valid_until + timedelta(minutes=1), tick=False):
        response = Client().get(url)
    assert response.status_code == 200
    assert 'data-verdict="expired"' in response.content.decode()


def test_the_verify_page_says_revoked(passage_world):
    w = passage_world
    issued = make_pass(w)
    url = _verify_url(issued)
    services.revoke_pass(actor=w.duty_officer_a, pass_id=issued.pk, reason="车辆改派")
    html = Client().get(url).content.decode()
    assert 'data-verdict="revoked"' in html and issued.plate in html


def test_an_address_that_keeps_trying_forged_tokens_is_refused_for_a_while(passage_world):
    issued = make_pass(passage_world)
    client = Client()
    for n in range(MISSES_ALLOWED):
        client.get(reverse("support:pass_verify", args=[f"forged{n}"]))
    assert client.get(_verify_url(issued)).status_code == 429
    refused = client.get(f"{API}/passes/verify/", {"token": signing.pass_token(issued)})
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"


def test_the_json_check_answers_without_login(passage_world):
    w = passage_world
    issued = make_pass(w)
    anonymous = Client()
    body = anonymous.get(f"{API}/passes/verify/", {"token": signing.pass_token(issued)}).json()
    assert body["verdict"] == "valid"
    assert body["vehicle_pass"]["plate"] == issued.plate
    assert "issued_by" not in body["vehicle_pass"]
    forged = anonymous.get(f"{API}/passes/verify/", {"token": "abc:def"}).json()
    assert forged == {"verdict": "invalid", "vehicle_pass": None}
    missing = anonymous.get(f"{API}/passes/verify/")
    assert missing.status_code == 400 and "token" in missing.json()["errors"]


def test_the_list_page_shows_requests_and_passes_of_the_area(passage_world, client):
    w = passage_world
    make_request(w)
    make_pass(w)
    services.issue_pass(
        actor=w.duty_officer_b, data=passage_fixtures.pass_data(w, incident=None, plate="鲁P77777")
    )
    client.force_login(w.duty_officer_a)
    html = client.get(reverse("support:passage_list")).content.decode()
    assert html.count('class="passage-request-row"') == 1
    assert html.count('class="vehicle-pass-row"') == 1
    assert "鲁P77777" not in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("duty_officer_a", 200),
        ("dispatcher_a", 200),
        ("approver_city", 200),
        ("sync_client", 200),
        ("editor_a", 200),
        ("police_editor_a", 200),
        ("force_account_a", 403),
        ("screen_a", 403),
    ],
)
def test_who_opens_the_passage_list(passage_world, client, persona, status):
    client.force_login(getattr(passage_world, persona))
    assert client.get(reverse("support:passage_list")).status_code == status


def test_the_addressee_sees_only_the_requests_addressed_to_it(passage_world, client):
    w = passage_world
    mine = make_request(w)
    make_request(w, addressee=w.transport_a.pk)
    client.force_login(w.police_editor_a)
    html = client.get(reverse("support:passage_list")).content.decode()
    assert html.count('class="passage-request-row"') == 1 and mine.number in html
    assert client.get(reverse("support:passage_request_detail", args=[mine.pk])).status_code == 200
    other = PassageRequest.objects.exclude(pk=mine.pk).get()
    assert client.get(reverse("support:passage_request_detail", args=[other.pk])).status_code == 404


def test_the_list_page_costs_the_same_whatever_the_rows(
    passage_world, client, django_assert_max_num_queries
):
    w = passage_world
    client.force_login(w.duty_officer_a)
    for n in range(2):
        make_request(w)
        make_pass(w, plate=f"鲁P1234{n}")
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("support:passage_list"))
    for n in range(6):
        make_request(w)
        make_pass(w, plate=f"鲁P5678{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("support:passage_list"))


def test_a_duty_officer_sends_a_request_from_the_form(passage_world, client):
    w = passage_world
    client.force_login(w.duty_officer_a)
    url = reverse("support:passage_request_create") + f"?incident={w.incident_a.pk}"
    page = client.get(url)
    assert page.status_code == 200 and w.police_a.name in page.content.decode()
    assert w.police_b.name not in page.content.decode()
    response = client.post(
        url,
        {
            "incident": w.incident_a.pk,
            "kind": "emergency_channel",
            "addressee": w.police_a.pk,
            "area": "S254线",
            "starts_at": "2026-07-01T10:30",
            "reason": "大型排涝设备进场",
        },
    )
    created = PassageRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:passage_request_detail", args=[created.pk])


def test_the_form_shows_field_errors(passage_world, client):
    w = passage_world
    client.force_login(w.duty_officer_a)
    url = reverse("support:passage_request_create") + f"?incident={w.incident_a.pk}"
    response = client.post(url, {"incident": w.incident_a.pk, "kind": "traffic_control"})
    assert response.status_code == 400
    assert 'id="field-area"' in response.content.decode()
    assert "field-error" in response.content.decode()


def test_the_traffic_police_answer_on_the_detail_page(passage_world, client):
    w = passage_world
    request = make_request(w)
    client.force_login(w.police_editor_a)
    page = client.get(reverse("support:passage_request_detail", args=[request.pk]))
    assert 'id="answer-form"' in page.content.decode()
    client.post(
        reverse("support:passage_request_action", args=[request.pk, "answer"]),
        {"accepted": "1", "answer": "已设卡"},
    )
    request.refresh_from_db()
    assert request.status == PassageStatus.ACCEPTED


def test_a_pass_is_issued_from_the_form_and_printed_with_its_qr_code(passage_world, client):
    w = passage_world
    client.force_login(w.dispatcher_a)
    now = timezone.localtime()
    response = client.post(
        reverse("support:pass_create") + f"?incident={w.incident_a.pk}",
        {
            "incident": w.incident_a.pk,
            "force": w.force_a.pk,
            "plate": "鲁P·A1234",
            "route": "临清市区—先锋桥",
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    issued = VehiclePass.objects.get()
    assert response.status_code == 302 and issued.plate == "鲁PA1234"
    printed = client.get(reverse("support:pass_print", args=[issued.pk])).content.decode()
    assert "<svg" in printed and "鲁PA1234" in printed
    token = signing.pass_token(issued)
    assert token not in printed  # the token is in the code's pixels, not the text
    pdf = client.get(reverse("support:pass_pdf", args=[issued.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_pass_form_shows_a_bad_plate_on_its_field(passage_world, client):
    w = passage_world
    client.force_login(w.duty_officer_a)
    now = timezone.localtime()
    response = client.post(
        reverse("support:pass_create"),
        {
            "force": w.force_a.pk,
            "plate": "ABC",
            "route": "x",
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="field-plate"' in html and "field-error" in html


def test_a_pass_is_revoked_on_its_page(passage_world, client):
    w = passage_world
    issued = make_pass(w)
    client.force_login(w.duty_officer_a)
    client.post(reverse("support:pass_revoke", args=[issued.pk]), {"reason": "车辆故障"})
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoke_reason == "车辆故障"


# --- API -------------------------------------------------------------------------------------


def test_the_api_creates_answers_and_lifts_a_request(passage_world, api):
    w = passage_world
    created = api(w.duty_officer_a).post(
        f"{API}/passage-requests/",
        {
            "incident": w.incident_a.pk,
            "kind": "traffic_control",
            "addressee": w.police_a.pk,
            "area": "G308线",
            "reason": "抢险",
            "starts_at": "2026-07-01T10:30:00+08:00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    answered = api(w.police_editor_a).post(
        f"{API}/passage-requests/{pk}/answer/", {"accepted": True}, format="json"
    )
    assert answered.json()["status"] == "accepted"
    again = api(w.police_editor_a).post(
        f"{API}/passage-requests/{pk}/answer/", {"accepted": False}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    lifted = api(w.dispatcher_a).post(f"{API}/passage-requests/{pk}/lift/", {}, format="json")
    assert lifted.json()["status"] == "lifted"


def test_the_api_refuses_the_wrong_people_with_codes(passage_world, api):
    w = passage_world
    body = {
        "incident": w.incident_a.pk,
        "kind": "traffic_control",
        "addressee": w.police_a.pk,
        "area": "G308线",
        "reason": "抢险",
        "starts_at": "2026-07-01T10:30:00+08:00",
    }
    assert api().get(f"{API}/passage-requests/").status_code in (401, 403)
    refused = api(w.editor_a).post(f"{API}/passage-requests/", body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    elsewhere = api(w.duty_officer_b).post(f"{API}/passage-requests/", body, format="json")
    assert elsewhere.status_code == 404
    assert api(w.force_account_a).get(f"{API}/vehicle-passes/").status_code == 403
    request = make_request(w)
    assert api(w.duty_officer_b).get(f"{API}/passage-requests/{request.pk}/").status_code == 404


def test_the_api_issues_and_revokes_a_pass(passage_world, api):
    w = passage_world
    now = timezone.now()
    issued = api(w.duty_officer_a).post(
        f"{API}/vehicle-passes/",
        {
            "incident": w.incident_a.pk,
            "force": w.force_a.pk,
            "plate": "鲁P12345D",
            "route": "临清—松林",
            "valid_until": (now + timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert issued.status_code == 201, issued.content
    assert issued.json()["state"] == "valid"
    pk = issued.json()["id"]
    bad = api(w.duty_officer_a).post(
        f"{API}/vehicle-passes/",
        {"force": w.force_a.pk, "plate": "XX", "route": "r", "valid_until": now.isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "plate" in bad.json()["errors"]
    revoked = api(w.duty_officer_a).post(
        f"{API}/vehicle-passes/{pk}/revoke/", {"reason": "改派"}, format="json"
    )
    assert revoked.json()["state"] == "revoked"


def test_the_api_lists_cost_the_same_whatever_the_rows(
    passage_world, api, django_assert_max_num_queries
):
    w = passage_world
    client = api(w.duty_officer_a)
    make_request(w)
    make_pass(w)
    counts = {}
    for url in (f"{API}/passage-requests/", f"{API}/vehicle-passes/"):
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    for n in range(5):
        make_request(w)
        make_pass(w, plate=f"鲁P5555{n}")
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert len(client.get(url).json()["results"]) == 6
