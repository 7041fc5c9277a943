"""CAP and Atom over the pages and the API: who may export, import and read the feed,
the media types, and the feed listing only a jurisdiction's warnings in force."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from defusedxml.ElementTree import fromstring
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.credentials import issue_token
from core.models import Event
from core.roles import Role
from earlywarning.choices import RecipientKind, WarningStatus
from earlywarning.models import HazardWarning, WarningRecipient
from tests import factories as f
from tests.earlywarning.cap_samples import published, shandong_rainstorm

ATOM = "{http://www.w3.org/2005/Atom}"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
XSD = Path(__file__).resolve().parents[2] / "earlywarning" / "schema" / "CAP-v1.2.xsd"
API_IMPORT = "/api/v1/warnings/warnings/import-cap/"
COUNTY_A_ONLY = {
    "<geocode><valueName>GB/T 2260</valueName><value>371521</value></geocode>": "",
    "<areaDesc>聊城市临清市、阳谷县</areaDesc>": "<areaDesc>聊城市临清市</areaDesc>",
}
READERS = ["duty_officer_a", "dispatcher_a", "approver_a", "editor_a", "screen_a", "admin_a"]
READERS += ["sync_client", "admin_city"]


def cap_url(warning) -> str:
    return f"/warnings/{warning.pk}/cap.xml"


# --- CAP export (page) -------------------------------------------------------------


@pytest.mark.parametrize("persona", READERS)
def test_warning_readers_download_the_cap_of_a_warning_in_their_area(
    client, warning_world, persona
):
    warning = published(warning_world)
    client.force_login(getattr(warning_world, persona))
    response = client.get(cap_url(warning))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    xmlschema.XMLSchema(str(XSD)).validate(response.content.decode())


@pytest.mark.parametrize("persona", ["duty_officer_b", "dispatcher_b", "editor_b"])
def test_the_other_countys_users_do_not_see_the_cap(client, warning_world, persona):
    warning = published(warning_world)
    client.force_login(getattr(warning_world, persona))
    assert client.get(cap_url(warning)).status_code == 404


def test_a_force_account_downloads_only_the_cap_of_a_warning_it_was_asked_to_answer(
    client, warning_world
):
    w = warning_world
    asked, other = published(w), published(w, headline="别的预警")
    WarningRecipient.objects.create(
        warning=asked,
        kind=RecipientKind.FORCE,
        jurisdiction=w.county_a,
        force=w.force_a,
        organisation=w.water_a,
        label=w.force_a.name,
    )
    client.force_login(w.force_account_a)
    assert client.get(cap_url(asked)).status_code == 200
    assert client.get(cap_url(other)).status_code == 404
    client.force_login(w.force_account_power_a)
    assert client.get(cap_url(asked)).status_code == 404


def test_a_cancelled_warnings_cap_is_the_cancel_message(client, warning_world):
    warning = published(
        warning_world, status=WarningStatus.CANCELLED, ended_at=timezone.now(), cancel_reason="解除"
    )
    client.force_login(warning_world.duty_officer_a)
    root = fromstring(client.get(cap_url(warning)).content)
    assert root.findtext(f"{CAP}msgType") == "Cancel"
    assert root.findtext(f"{CAP}identifier") == f"{warning.identifier}-C"


def test_the_cap_page_takes_an_api_token_instead_of_a_session(client, warning_world):
    warning = published(warning_world)
    token = issue_token(user=warning_world.sync_client, name="feed").secret
    response = client.get(cap_url(warning), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert client.get(cap_url(warning), HTTP_AUTHORIZATION="Token nonsense").status_code == 401


def test_an_anonymous_visitor_is_sent_to_log_in(client, warning_world):
    response = client.get(cap_url(published(warning_world)))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Atom feed ---------------------------------------------------------------------


def test_the_feed_lists_only_the_warnings_in_force_in_the_jurisdiction(client, warning_world):
    w = warning_world
    now = timezone.now()
    in_force = published(w, headline="松林镇洪水橙色预警")
    citywide = published(
        w, areas=[w.city], headline="聊城市暴雨蓝色预警", level="blue", hazard=w.rainstorm_hazard
    )
    published(
        w, areas=[w.county_b], headline="阳谷县洪水预警", issuer=w.water_b, jurisdiction=w.county_b
    )
    published(w, headline="已解除的预警", status=WarningStatus.CANCELLED, ended_at=now)
    published(w, headline="已过期的预警", status=WarningStatus.EXPIRED)
    published(
        w,
        headline="到期未处理的预警",
        expires_at=now - timedelta(minutes=1),
        effective_at=now - timedelta(hours=3),
    )
    published(w, headline="草稿", status=WarningStatus.DRAFT, published_at=None)
    published(w, headline="旧版本", status=WarningStatus.UPDATED)
    client.force_login(w.duty_officer_a)
    response = client.get("/warnings/feed/371581.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}updated").endswith("+08:00")
    assert "临清市" in feed.findtext(f"{ATOM}title")
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.findall(f"{ATOM}entry")}
    assert set(entries) == {"松林镇洪水橙色预警", "聊城市暴雨蓝色预警"}
    entry = entries["松林镇洪水橙色预警"]
    link = entry.find(f"{ATOM}link")
    assert link.get("rel") == "alternate" and link.get("type") == "application/cap+xml"
    assert link.get("href").endswith(cap_url(in_force))
    assert entry.find(f"{ATOM}category[@scheme='level']").get("term") == "orange"
    assert entry.findtext(f"{ATOM}summary") == in_force.description
    assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")
    assert citywide.pk


def test_a_township_feed_leaves_out_the_other_township(client, warning_world):
    w = warning_world
    published(w, areas=[w.town_a], headline="松林镇")
    published(w, areas=[w.town_a2], headline="先锋街道")
    client.force_login(w.duty_officer_a)
    feed = fromstring(client.get("/warnings/feed/371581102.atom").content)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["先锋街道"]


def test_the_feed_shows_only_what_the_reader_may_see(client, warning_world):
    w = warning_world
    published(
        w, areas=[w.county_b], headline="阳谷县洪水预警", issuer=w.water_b, jurisdiction=w.county_b
    )
    client.force_login(w.duty_officer_a)
    feed = fromstring(client.get("/warnings/feed/371521.atom").content)
    assert feed.findall(f"{ATOM}entry") == []


def test_a_feed_reader_uses_an_api_token(client, warning_world):
    published(warning_world)
    token = issue_token(user=warning_world.screen_a, name="feed").secret
    response = client.get("/warnings/feed/371581.atom", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert len(fromstring(response.content).findall(f"{ATOM}entry")) == 1


def test_the_feed_refuses_force_accounts_strangers_and_unknown_places(client, warning_world):
    assert client.get("/warnings/feed/371581.atom").status_code == 302
    client.force_login(warning_world.force_account_a)
    assert client.get("/warnings/feed/371581.atom").status_code == 403
    client.force_login(warning_world.duty_officer_a)
    assert client.get("/warnings/feed/999999.atom").status_code == 404


# --- Import page -------------------------------------------------------------------


def test_a_duty_officer_pastes_a_cap_message_and_lands_on_the_draft(client, warning_world):
    client.force_login(warning_world.duty_officer_a)
    assert client.get("/warnings/import/").status_code == 200
    xml = shandong_rainstorm(replace=COUNTY_A_ONLY).decode()
    response = client.post("/warnings/import/", {"text": xml})
    draft = HazardWarning.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/warnings/{draft.pk}/")
    assert draft.status == WarningStatus.DRAFT and draft.created_by == warning_world.duty_officer_a


def test_an_editor_uploads_a_cap_file(client, warning_world):
    client.force_login(warning_world.editor_weather_a)
    upload = SimpleUploadedFile(
        "alert.xml", shandong_rainstorm(replace=COUNTY_A_ONLY), "application/cap+xml"
    )
    response = client.post("/warnings/import/", {"file": upload})
    assert response.status_code == 302
    assert HazardWarning.objects.get().hazard_type == warning_world.rainstorm_hazard


def test_a_bad_message_on_the_page_names_the_element_and_saves_nothing(client, warning_world):
    client.force_login(warning_world.duty_officer_a)
    xml = shandong_rainstorm(replace={"371581": "999999"}).decode()
    response = client.post("/warnings/import/", {"text": xml})
    assert response.status_code == 400
    assert "&lt;geocode&gt; 999999: unknown division code" in response.content.decode()
    assert not HazardWarning.objects.exists()
    response = client.post("/warnings/import/", {"text": ""})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "persona", ["dispatcher_a", "screen_a", "admin_a", "force_account_a", "sync_client"]
)
def test_who_may_not_use_the_import_page(client, warning_world, persona):
    client.force_login(getattr(warning_world, persona))
    assert client.get("/warnings/import/").status_code == 403
    xml = shandong_rainstorm(replace=COUNTY_A_ONLY).decode()
    assert client.post("/warnings/import/", {"text": xml}).status_code == 403
    assert not HazardWarning.objects.exists()


def test_an_editor_of_another_sector_is_refused_on_the_page(client, warning_world):
    client.force_login(warning_world.editor_a)  # water bureau, rainstorm is weather's
    xml = shandong_rainstorm(replace=COUNTY_A_ONLY).decode()
    assert client.post("/warnings/import/", {"text": xml}).status_code == 403


# --- API ---------------------------------------------------------------------------


def test_the_api_gives_the_cap_of_a_warning(api, warning_world):
    warning = published(warning_world)
    response = api(warning_world.sync_client).get(
        f"/api/v1/warnings/warnings/{warning.pk}/cap/", HTTP_ACCEPT="application/cap+xml"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    assert fromstring(response.content).findtext(f"{CAP}identifier") == warning.identifier


@pytest.mark.parametrize(
    ("persona", "status"),
    [("duty_officer_b", 404), ("force_account_a", 404), ("expert_a", 403), (None, 401)],
)
def test_the_api_refuses_the_cap_to_others(api, warning_world, persona, status):
    warning = published(warning_world)
    if persona == "expert_a":
        warning_world.expert_a = f.user("expert_a", warning_world.bureau_a, Role.EXPERT)
    user = getattr(warning_world, persona) if persona else None
    response = api(user).get(f"/api/v1/warnings/warnings/{warning.pk}/cap/")
    assert response.status_code == status
    assert set(response.json()) >= {"code", "detail"}


@pytest.mark.parametrize("media_type", ["application/cap+xml", "application/xml"])
def test_the_province_imports_over_the_api_once(api, warning_world, media_type):
    client = api(warning_world.sync_client)
    response = client.post(API_IMPORT, shandong_rainstorm(), content_type=media_type)
    assert response.status_code == 201
    body = response.json()
    draft = HazardWarning.objects.get()
    assert body == {
        "id": draft.pk,
        "identifier": draft.identifier,
        "status": "draft",
        "created": True,
    }
    events = Event.objects.count()
    again = client.post(API_IMPORT, shandong_rainstorm(), content_type=media_type)
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}
    assert HazardWarning.objects.count() == 1 and Event.objects.count() == events


def test_the_api_refuses_other_media_types(api, warning_world):
    client = api(warning_world.sync_client)
    for media_type in ("application/json", "text/plain", "multipart/form-data; boundary=x"):
        response = client.post(API_IMPORT, shandong_rainstorm(), content_type=media_type)
        assert response.status_code == 415, media_type
    assert not HazardWarning.objects.exists()


@pytest.mark.parametrize(
    ("replace", "named"),
    [
        ({"</expires>": "-->", "<expires>": "<!--"}, "<info>/<expires>"),
        ({"371521": "999999"}, "<geocode> 999999"),
        ({"<!DOCTYPE x>": ""}, None),
    ],
)
def test_the_api_answers_a_bad_message_with_400_naming_the_element(
    api, warning_world, replace, named
):
    data = shandong_rainstorm(replace=replace)
    if named is None:
        data = b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "b">]><alert/>'
        named = "<alert>"
    response = api(warning_world.sync_client).post(
        API_IMPORT, data, content_type="application/cap+xml"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and named in body["detail"]
    assert not HazardWarning.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("approver_city", 201),
        ("duty_officer_a", 403),  # the message covers county B too
        ("dispatcher_a", 403),
        ("screen_a", 403),
        ("admin_city", 403),
        ("force_account_a", 403),
        (None, 401),
    ],
)
def test_who_may_import_over_the_api(api, warning_world, persona, status):
    user = getattr(warning_world, persona) if persona else None
    response = api(user).post(API_IMPORT, shandong_rainstorm(), content_type="application/cap+xml")
    assert response.status_code == status
    assert HazardWarning.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize("persona", READERS)
def test_every_warning_reader_of_the_county_or_above_reads_its_feed(client, warning_world, persona):
    published(warning_world)
    client.force_login(getattr(warning_world, persona))
    response = client.get("/warnings/feed/371581.atom")
    assert response.status_code == 200
    assert len(fromstring(response.content).findall(f"{ATOM}entry")) == 1
