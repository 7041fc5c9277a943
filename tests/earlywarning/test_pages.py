"""The warning pages (DESIGN12 "pages"): who may open the list, the draft form, the
detail page and its 叫应 board, per role and county (403 for the wrong role, 404 outside
the jurisdiction, as the rest of the site answers); the form's field errors; phones
masked on the board; the actions and 代签 going through the services; and the hall's
counter 预警未叫应 and orange/red prompt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from earlywarning import services
from earlywarning.choices import WarningLevel, WarningStatus
from earlywarning.models import HazardWarning, WarningRecipient
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "/warnings/"
NEW = "/warnings/new/"
POLYGON = "36.85,115.70 36.90,115.75 36.80,115.80 36.85,115.70"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def html(response) -> str:
    return response.content.decode()


def data(w, **overrides):
    now = timezone.now()
    values = {
        "hazard_type": w.flood_hazard,
        "level": WarningLevel.ORANGE,
        "areas": [w.town_a, w.town_a2],
        "headline": "卫运河临清段洪水橙色预警",
        "description": "受上游来水影响，卫运河临清段水位持续上涨。",
        "effective_at": now,
        "expires_at": now + timedelta(hours=12),
    }
    values.update(overrides)
    return services.WarningData(**values)


def draft(w, **overrides) -> HazardWarning:
    return services.create_draft(actor=w.editor_a, data=data(w, **overrides))


def published(w, **overrides) -> HazardWarning:
    warning = draft(w, **overrides)
    return services.publish_warning(actor=w.editor_a, warning_id=warning.pk)


def form_post(w, **overrides) -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    values = {
        "hazard_type": w.flood_hazard.pk,
        "level": "orange",
        "areas": [w.town_a.pk, w.village_a3.pk],
        "headline": "卫运河洪水橙色预警",
        "description": "水位上涨，请做好防范。",
        "instruction": "远离河道。",
        "force_instruction": "抢险队伍24小时备勤。",
        "effective_at": now.strftime("%Y-%m-%dT%H:%M"),
        "expires_at": (now + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "urgency": "Expected",
        "certainty": "Likely",
        "polygon": POLYGON,
    }
    values.update(overrides)
    return values


# --- who may open what ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, warning_world):
    warning = draft(warning_world)
    for url in (LIST, NEW, f"/warnings/{warning.pk}/", f"/warnings/{warning.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.mark.parametrize(
    "persona",
    ["duty_officer_a", "approver_a", "dispatcher_a", "editor_a", "admin_a", "screen_a"],
)
def test_every_warning_role_opens_the_list(as_user, warning_world, persona):
    response = as_user(getattr(warning_world, persona)).get(LIST)
    assert response.status_code == 200
    assert 'id="active-warnings"' in html(response)


def test_an_expert_may_not_open_the_warning_pages(as_user, warning_world):
    expert = f.user("expert_a", warning_world.bureau_a, Role.EXPERT)
    warning = published(warning_world)
    client = as_user(expert)
    assert client.get(LIST).status_code == 403
    assert client.get(f"/warnings/{warning.pk}/").status_code == 403


def test_the_nav_shows_warnings_to_readers_and_not_to_experts(as_user, warning_world):
    page = html(as_user(warning_world.duty_officer_a).get(LIST))
    assert 'id="nav-warnings"' in page
    expert = f.user("expert_a", warning_world.bureau_a, Role.EXPERT)
    page = html(as_user(expert).get("/"))
    assert 'id="nav-warnings"' not in page


def test_only_an_issuing_department_may_open_the_draft_form(as_user, warning_world):
    w = warning_world
    assert as_user(w.editor_a).get(NEW).status_code == 200
    for persona in (w.duty_officer_a, w.dispatcher_a, w.admin_a, w.editor_power_a):
        assert as_user(persona).get(NEW).status_code == 403, persona


def test_a_warning_of_another_county_is_not_found(as_user, warning_world):
    w = warning_world
    warning = published(w)
    assert as_user(w.duty_officer_b).get(f"/warnings/{warning.pk}/").status_code == 404
    assert as_user(w.dispatcher_b).get(f"/warnings/{warning.pk}/").status_code == 404
    assert as_user(w.duty_officer_a).get(f"/warnings/{warning.pk}/").status_code == 200
    assert str(warning.pk) not in re.findall(
        r'data-warning-id="(\d+)"', html(as_user(w.duty_officer_b).get(LIST))
    )


def test_the_city_sees_a_warning_of_its_county(as_user, warning_world):
    warning = published(warning_world)
    assert as_user(warning_world.approver_city).get(f"/warnings/{warning.pk}/").status_code == 200


def test_a_draft_is_its_departments_until_published(as_user, warning_world):
    w = warning_world
    warning = draft(w)
    url = f"/warnings/{warning.pk}/"
    assert as_user(w.editor_a).get(url).status_code == 200
    for persona in (w.duty_officer_a, w.editor_weather_a, w.editor_b):
        assert as_user(persona).get(url).status_code == 404, persona
    assert 'id="draft-warnings"' in html(as_user(w.editor_a).get(LIST))
    assert 'id="draft-warnings"' not in html(as_user(w.duty_officer_a).get(LIST))


def test_a_force_account_opens_only_the_warnings_it_must_answer(as_user, warning_world):
    w = warning_world
    warning = published(w)
    asked = WarningRecipient.objects.filter(warning=warning, force__organisation=w.water_a).exists()
    response = as_user(w.force_account_a).get(f"/warnings/{warning.pk}/")
    assert response.status_code == (200 if asked else 404)
    assert as_user(w.force_account_b).get(f"/warnings/{warning.pk}/").status_code == 404


# --- the list ------------------------------------------------------------------------------


def test_active_warnings_come_first_most_severe_on_top(as_user, warning_world):
    w = warning_world
    yellow = published(w, level=WarningLevel.YELLOW, headline="黄色预警")
    red = published(w, level=WarningLevel.RED, headline="红色预警", areas=[w.town_a2])
    blue = published(w, level=WarningLevel.BLUE, headline="蓝色预警", areas=[w.village_a1])
    services.cancel_warning(actor=w.editor_a, warning_id=blue.pk, reason="水位回落")
    page = html(as_user(w.duty_officer_a).get(LIST))
    active = page.split('id="active-warnings"')[1].split('id="warning-history"')[0]
    ids = re.findall(r'data-warning-id="(\d+)"', active)
    assert ids == [str(red.pk), str(yellow.pk)]
    history = page.split('id="warning-history"')[1]
    assert f'data-warning-id="{blue.pk}"' in history
    assert 'class="badge warning-level warning-level-red"' in active


def test_the_list_filters_by_level_and_text(as_user, warning_world):
    w = warning_world
    published(w, level=WarningLevel.YELLOW, headline="黄色预警甲")
    red = published(w, level=WarningLevel.RED, headline="红色预警乙", areas=[w.town_a2])
    client = as_user(w.duty_officer_a)
    ids = re.findall(r'data-warning-id="(\d+)"', html(client.get(LIST, {"level": "red"})))
    assert ids == [str(red.pk)]
    ids = re.findall(r'data-warning-id="(\d+)"', html(client.get(LIST, {"q": "乙"})))
    assert ids == [str(red.pk)]


# --- the draft form ------------------------------------------------------------------------


def test_the_form_offers_only_the_departments_hazards_and_areas(as_user, warning_world):
    w = warning_world
    form = html(as_user(w.editor_a).get(NEW))
    hazards = form.split('name="hazard_type"')[1].split("</select>")[0]
    assert w.flood_hazard.name in hazards and w.rainstorm_hazard.name not in hazards
    areas = form.split('name="areas"')[1].split("</select>")[0]
    assert '<optgroup label="松林镇">' in areas and '<optgroup label="先锋街道">' in areas
    assert "松林村" in areas and w.town_b.name not in areas
    weather = html(as_user(w.editor_weather_a).get(NEW))
    hazards = weather.split('name="hazard_type"')[1].split("</select>")[0]
    assert w.rainstorm_hazard.name in hazards and w.flood_hazard.name not in hazards


def test_the_form_proposes_an_effective_time_now_and_expiry_a_day_later(as_user, warning_world):
    form = html(as_user(warning_world.editor_a).get(NEW))
    effective = re.search(r'name="effective_at" value="([^"]+)"', form).group(1)
    expires = re.search(r'name="expires_at" value="([^"]+)"', form).group(1)
    assert expires > effective
    assert 'id="warning-map"' in form and "js/warning_map.js" in form
    assert "unpkg" not in form and "cdn" not in form.lower()


def test_a_valid_form_saves_a_draft_with_its_polygon(as_user, warning_world):
    w = warning_world
    response = as_user(w.editor_a).post(NEW, form_post(w))
    assert response.status_code == 302
    warning = HazardWarning.objects.get()
    assert response["Location"] == f"/warnings/{warning.pk}/"
    assert warning.status == WarningStatus.DRAFT
    assert warning.polygon == POLYGON
    assert set(warning.areas.all()) == {w.town_a, w.village_a3}
    assert warning.force_instruction == "抢险队伍24小时备勤。"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"headline": ""}, "headline"),
        ({"areas": []}, "areas"),
        ({"polygon": "36.8 115.7"}, "polygon"),
        ({"polygon": "36.85,115.70 36.90,115.75 36.80,115.80"}, "polygon"),
        ({"polygon": "95,115.70 36.90,115.75 36.80,115.80 95,115.70"}, "polygon"),
        ({"level": "yellow", "opens_key_period": "on"}, "opens_key_period"),
        ({"expires_at": "2020-01-01T00:00"}, "expires_at"),
    ],
)
def test_a_wrong_field_is_shown_on_the_form(as_user, warning_world, overrides, field):
    w = warning_world
    response = as_user(w.editor_a).post(NEW, form_post(w, **overrides))
    assert response.status_code == 400
    assert f'data-field="{field}"' in html(response)
    assert not HazardWarning.objects.exists()


def test_a_hazard_of_another_sector_cannot_be_posted(as_user, warning_world):
    w = warning_world
    response = as_user(w.editor_a).post(NEW, form_post(w, hazard_type=w.rainstorm_hazard.pk))
    assert response.status_code == 400
    assert 'data-field="hazard_type"' in html(response)


def test_an_area_of_another_county_cannot_be_posted(as_user, warning_world):
    w = warning_world
    response = as_user(w.editor_a).post(NEW, form_post(w, areas=[w.town_b.pk]))
    assert response.status_code == 400
    assert 'data-field="areas"' in html(response)


def test_the_department_edits_its_draft(as_user, warning_world):
    w = warning_world
    warning = draft(w)
    url = f"/warnings/{warning.pk}/edit/"
    client = as_user(w.editor_a)
    assert "卫运河临清段洪水橙色预警" in html(client.get(url))
    response = client.post(url, form_post(w, headline="改过的标题"))
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.headline == "改过的标题"


def test_others_may_not_edit_a_draft_nor_anyone_a_published_warning(as_user, warning_world):
    w = warning_world
    warning = draft(w)
    url = f"/warnings/{warning.pk}/edit/"
    assert as_user(w.editor_weather_a).get(url).status_code == 404
    assert as_user(w.editor_b).get(url).status_code == 404
    live = published(w, areas=[w.town_a2])
    assert as_user(w.editor_a).get(f"/warnings/{live.pk}/edit/").status_code == 404
    assert as_user(w.duty_officer_a).get(f"/warnings/{live.pk}/edit/").status_code == 403


# --- actions -------------------------------------------------------------------------------


def test_the_department_publishes_its_draft_from_the_detail_page(as_user, warning_world):
    w = warning_world
    warning = draft(w)
    client = as_user(w.editor_a)
    page = html(client.get(f"/warnings/{warning.pk}/"))
    assert 'id="action-publish"' in page and 'id="cap-link"' not in page
    response = client.post(f"/warnings/{warning.pk}/publish/")
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.PUBLISHED
    assert warning.recipients.filter(grid=w.grid_a1).exists()


def test_the_bureau_sees_no_publish_button_and_may_not_cancel(as_user, warning_world):
    w = warning_world
    warning = published(w)
    client = as_user(w.duty_officer_a)
    page = html(client.get(f"/warnings/{warning.pk}/"))
    assert 'id="action-cancel"' not in page and 'id="action-revise"' not in page
    assert client.post(f"/warnings/{warning.pk}/cancel/", {"reason": "x"}).status_code == 403
    warning.refresh_from_db()
    assert warning.status == WarningStatus.PUBLISHED


def test_cancelling_needs_a_reason(as_user, warning_world):
    w = warning_world
    warning = published(w)
    client = as_user(w.editor_a)
    response = client.post(f"/warnings/{warning.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400
    assert 'data-field="reason"' in html(response)
    response = client.post(f"/warnings/{warning.pk}/cancel/", {"reason": "水位回落"})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CANCELLED and warning.cancel_reason == "水位回落"
    assert "水位回落" in html(client.get(f"/warnings/{warning.pk}/"))


def test_revising_opens_the_new_versions_form_and_links_the_versions(as_user, warning_world):
    w = warning_world
    warning = published(w)
    client = as_user(w.editor_a)
    response = client.post(f"/warnings/{warning.pk}/revise/")
    revision = HazardWarning.objects.get(previous=warning)
    assert response["Location"] == f"/warnings/{revision.pk}/edit/"
    page = html(client.get(f"/warnings/{revision.pk}/"))
    assert f'href="/warnings/{warning.pk}/"' in page and 'id="previous-version"' in page
    services.publish_warning(actor=w.editor_a, warning_id=revision.pk)
    old = html(client.get(f"/warnings/{warning.pk}/"))
    assert 'id="next-version"' in old and 'id="updated-note"' in old


def test_discarding_a_draft_removes_it(as_user, warning_world):
    w = warning_world
    warning = draft(w)
    response = as_user(w.editor_a).post(f"/warnings/{warning.pk}/discard/")
    assert response["Location"] == LIST
    assert not HazardWarning.objects.filter(pk=warning.pk).exists()


def test_an_unknown_action_is_not_found(as_user, warning_world):
    warning = published(warning_world)
    response = as_user(warning_world.editor_a).post(f"/warnings/{warning.pk}/explode/")
    assert response.status_code == 404


def test_the_bureau_relays_a_warning_to_more_forces(as_user, warning_world):
    w = warning_world
    warning = published(w)
    client = as_user(w.duty_officer_a)
    assert 'id="relay-form"' in html(client.get(f"/warnings/{warning.pk}/"))
    response = client.post(f"/warnings/{warning.pk}/relay/", {})
    assert response.status_code == 302
    assert as_user(w.editor_weather_a).post(f"/warnings/{warning.pk}/relay/", {}).status_code in (
        403,
        404,
    )


# --- the 叫应 board ----------------------------------------------------------------------------


def test_the_board_counts_and_drills_down_with_masked_phones(as_user, warning_world):
    w = warning_world
    warning = published(w)
    total = warning.recipients.count()
    client = as_user(w.duty_officer_a)
    page = html(client.get(f"/warnings/{warning.pk}/"))
    assert f'data-total="{total}"' in page
    assert 'data-live-subject="earlywarning.hazardwarning:' in page
    assert f'class="board-row" data-jurisdiction="{w.town_a.code}"' in page
    drill = html(client.get(f"/warnings/{warning.pk}/", {"j": w.town_a.code}))
    rows = re.findall(r'class="recipient-row" data-recipient-id="(\d+)"', drill)
    grid_rows = WarningRecipient.objects.filter(warning=warning, grid=w.grid_a1)
    assert str(grid_rows.get().pk) in rows
    assert "13805351001" not in drill
    assert "138****1001" in drill
    assert str(WarningRecipient.objects.get(warning=warning, grid=w.grid_a4).pk) not in rows


def test_the_board_filters_by_state(as_user, warning_world):
    w = warning_world
    warning = published(w)
    recipient = warning.recipients.get(grid=w.grid_a1)
    services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)
    page = html(as_user(w.duty_officer_a).get(f"/warnings/{warning.pk}/", {"state": "answered"}))
    assert re.findall(r'class="recipient-row" data-recipient-id="(\d+)"', page) == [
        str(recipient.pk)
    ]


def test_a_duty_officer_acknowledges_on_a_recipients_behalf(as_user, warning_world):
    w = warning_world
    warning = published(w)
    recipient = warning.recipients.get(grid=w.grid_a2)
    url = f"/warnings/recipients/{recipient.pk}/acknowledge/"
    assert as_user(w.dispatcher_a).post(url).status_code == 403
    assert as_user(w.duty_officer_b).post(url).status_code == 404
    back = f"/warnings/{warning.pk}/?j={w.town_a.code}"
    response = as_user(w.duty_officer_a).post(url, {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is not None
    assert "代签" in recipient.acknowledged_label
    page = html(as_user(w.duty_officer_a).get(back))
    assert f'data-recipient-id="{recipient.pk}" data-state="answered"' in page
    row = page.split(f'data-recipient-id="{recipient.pk}"')[1].split("</tr>")[0]
    assert "值班员代签" in row and "acknowledge-for" not in row


def test_an_outside_next_address_is_not_followed(as_user, warning_world):
    w = warning_world
    warning = published(w)
    recipient = warning.recipients.get(grid=w.grid_a3)
    url = f"/warnings/recipients/{recipient.pk}/acknowledge/"
    response = as_user(w.duty_officer_a).post(url, {"next": "https://evil.example/"})
    assert response["Location"] == f"/warnings/{warning.pk}/"


# --- the hall --------------------------------------------------------------------------------


def test_the_hall_counts_unanswered_recipients(as_user, warning_world):
    w = warning_world
    warning = published(w)
    total = warning.recipients.count()
    client = as_user(w.screen_a)
    body = client.get("/hall/screen/data.json").json()
    assert body["counters"]["warnings_unanswered"] == total
    assert body["warnings"][0]["id"] == warning.pk
    assert body["warnings"][0]["level"] == "orange"
    recipient = warning.recipients.get(grid=w.grid_a1)
    services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)
    body = client.get("/hall/screen/data.json").json()
    assert body["counters"]["warnings_unanswered"] == total - 1
    assert body["warnings"][0]["answered"] == 1
    assert 'id="counter-warnings-unanswered"' in html(client.get("/hall/screen/"))
    assert as_user(w.screen_city).get("/hall/screen/data.json").json()["warnings"]
    other = as_user(w.duty_officer_b).get("/hall/screen/data.json").json()
    assert other["counters"]["warnings_unanswered"] == 0 and other["warnings"] == []


def test_the_dashboard_prompts_a_response_for_orange_and_red_only(as_user, warning_world):
    w = warning_world
    orange = published(w)
    yellow = published(w, level=WarningLevel.YELLOW, headline="黄色", areas=[w.town_a2])
    page = html(as_user(w.duty_officer_a).get("/hall/dashboard/"))
    prompts = re.findall(
        r'class="alert alert-warning[^"]*warning-prompt" data-warning-id="(\d+)"', page
    )
    assert prompts == [str(orange.pk)]
    assert f'href="/warnings/{orange.pk}/"' in page
    assert f'data-warning-id="{yellow.pk}"' in page
    assert 'id="count-warnings-unanswered"' in page
    assert 'id="panel-warnings" data-live-refresh data-live-types="warning."' in page


# --- the matrix: every role, both counties, every page -----------------------------------

READERS_A = ["duty_officer_a", "approver_a", "dispatcher_a", "editor_a", "admin_a", "screen_a"]
CITY = ["approver_city", "admin_city", "dispatcher_city", "screen_city", "sync_client"]
COUNTY_B = ["duty_officer_b", "approver_b", "dispatcher_b", "editor_b"]


@pytest.mark.parametrize(
    ("persona", "detail", "board", "edit_published"),
    [
        *[(p, 200, 200, 403) for p in READERS_A if p != "editor_a"],
        ("editor_a", 200, 200, 404),  # its own, but only a draft is edited
        ("editor_weather_a", 200, 200, 403),
        *[(p, 200, 200, 403) for p in CITY],
        *[(p, 404, 404, 404) for p in COUNTY_B],
        ("force_account_b", 404, 404, 404),
    ],
)
def test_every_role_and_county_on_the_pages_of_a_published_warning(
    as_user, warning_world, persona, detail, board, edit_published
):
    w = warning_world
    warning = published(w)
    client = as_user(getattr(w, persona))
    assert client.get(LIST).status_code == 200
    assert client.get(f"/warnings/{warning.pk}/").status_code == detail
    drill = client.get(f"/warnings/{warning.pk}/", {"j": w.town_a.code, "state": "unreached"})
    assert drill.status_code == board
    assert client.get(f"/warnings/{warning.pk}/edit/").status_code == edit_published
    if detail == 200:
        page = html(client.get(f"/warnings/{warning.pk}/"))
        assert "13805351001" not in page and "13905350001" not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("editor_a", 200),
        ("admin_a", 200),  # administrators see the drafts of their jurisdiction
        ("duty_officer_a", 404),
        ("dispatcher_a", 404),
        ("editor_weather_a", 404),
        ("screen_a", 404),
        ("duty_officer_b", 404),
        ("editor_b", 404),
        ("force_account_a", 404),
    ],
)
def test_a_draft_is_found_only_by_its_department_and_administrators(
    as_user, warning_world, persona, status
):
    warning = draft(warning_world)
    response = as_user(getattr(warning_world, persona)).get(f"/warnings/{warning.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize("action", ["publish", "discard"])
def test_nobody_but_the_department_publishes_or_discards_its_draft(as_user, warning_world, action):
    w = warning_world
    warning = draft(w)
    assert as_user(w.admin_a).post(f"/warnings/{warning.pk}/{action}/").status_code == 403
    assert as_user(w.duty_officer_a).post(f"/warnings/{warning.pk}/{action}/").status_code == 404
    assert as_user(w.editor_b).post(f"/warnings/{warning.pk}/{action}/").status_code == 404
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DRAFT


def test_a_force_account_acknowledges_its_warning_on_the_warning_page(as_user, warning_world):
    """The inbox links to the warning; the warning page has the force's 签收 button."""
    w = warning_world
    warning = published(w)
    mine = WarningRecipient.objects.get(warning=warning, force=w.force_a)
    page = as_user(w.force_account_a).get(f"{LIST}{warning.pk}/")
    assert page.status_code == 200
    assert f'data-acknowledge="{mine.pk}"' in html(page)

    answer = as_user(w.force_account_a).post(f"{LIST}recipients/{mine.pk}/acknowledge/")
    assert answer.status_code == 302
    mine.refresh_from_db()
    assert mine.acknowledged_at is not None
    again = as_user(w.force_account_a).get(f"{LIST}{warning.pk}/")
    assert f'data-acknowledge="{mine.pk}"' not in html(again)


def test_a_force_account_may_not_sign_for_another_recipient(as_user, warning_world):
    w = warning_world
    warning = published(w)
    grid_row = WarningRecipient.objects.get(warning=warning, grid=w.grid_a1)
    refused = as_user(w.force_account_a).post(f"{LIST}recipients/{grid_row.pk}/acknowledge/")
    assert refused.status_code in (403, 404)
    grid_row.refresh_from_db()
    assert grid_row.acknowledged_at is None
    other_county = as_user(w.force_account_b).post(f"{LIST}recipients/{grid_row.pk}/acknowledge/")
    assert other_county.status_code == 404
