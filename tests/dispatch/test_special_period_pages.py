"""The special periods page (/dispatch/special-periods/): the readers of the dispatch
chain see the flood seasons and sensitive periods that apply to them; the emergency
bureau of the level declares one with the form and ends it with a button."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Event
from dispatch.choices import SpecialPeriodKind
from dispatch.events import DispatchEvent
from dispatch.models import SpecialPeriod

pytestmark = pytest.mark.django_db

URL = "/dispatch/special-periods/"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def form(**extra):
    return {
        "kind": SpecialPeriodKind.SENSITIVE,
        "name": "全国两会安保期",
        "starts_on": "2026-03-04",
        "ends_on": "2026-03-15",
        **extra,
    }


@pytest.mark.parametrize(
    "persona", ["duty_officer_a", "approver_a", "dispatcher_a", "admin_a", "sync_client"]
)
def test_readers_of_the_dispatch_chain_open_the_page(incident_world, as_user, persona):
    response = as_user(getattr(incident_world, persona)).get(URL)
    assert response.status_code == 200
    has_form = 'id="special-period-form"' in response.content.decode()
    assert has_form is (persona in ("duty_officer_a", "approver_a"))


@pytest.mark.parametrize("persona", ["screen_a", "editor_a", "force_account_a"])
def test_other_roles_get_403(incident_world, as_user, persona):
    assert as_user(getattr(incident_world, persona)).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(incident_world, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_plan_list_links_to_the_page(incident_world, as_user):
    page = as_user(incident_world.approver_a).get("/dispatch/plans/").content.decode()
    assert f'id="special-periods-link" href="{URL}"' in page


def test_the_bureau_declares_then_ends_a_sensitive_period(incident_world, as_user):
    w = incident_world
    client = as_user(w.approver_a)
    response = client.post(URL, form())
    assert response.status_code == 302
    period = SpecialPeriod.objects.get()
    assert (period.jurisdiction, period.declared_by) == (w.county_a, w.approver_a)
    page = client.get(URL).content.decode()
    assert f'data-period-id="{period.pk}"' in page and "end-period" in page

    response = client.post(f"{URL}{period.pk}/end/")
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.ends_on == date(2026, 3, 10)
    assert Event.objects.filter(type=DispatchEvent.SPECIAL_PERIOD_ENDED).count() == 1
    assert "end-period" not in client.get(URL).content.decode()


def test_an_invalid_declaration_is_shown_inline_with_400(incident_world, as_user):
    client = as_user(incident_world.duty_officer_a)
    response = client.post(URL, form(ends_on="2026-03-01"))
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not SpecialPeriod.objects.exists()


def test_an_overlapping_declaration_is_shown_on_the_form(incident_world, as_user):
    client = as_user(incident_world.approver_a)
    assert client.post(URL, form()).status_code == 302
    response = client.post(URL, form(starts_on="2026-03-14", ends_on="2026-03-20"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "全国两会安保期" in " ".join(errors["starts_on"])
    assert "field-error" in response.content.decode()
    assert SpecialPeriod.objects.count() == 1


def test_a_dispatcher_cannot_declare_through_the_page(incident_world, as_user):
    assert as_user(incident_world.dispatcher_a).post(URL, form()).status_code == 403
    assert not SpecialPeriod.objects.exists()


def test_another_countys_bureau_cannot_end_the_period(incident_world, as_user):
    w = incident_world
    as_user(w.approver_a).post(URL, form())
    period = SpecialPeriod.objects.get()
    assert as_user(w.approver_b).post(f"{URL}{period.pk}/end/").status_code == 404
    period.refresh_from_db()
    assert period.ends_on == date(2026, 3, 15)


def test_the_city_period_shows_in_the_county_without_an_end_button(incident_world, as_user):
    w = incident_world
    as_user(w.approver_city).post(URL, form(name="聊城市防汛紧急期"))
    page = as_user(w.approver_a).get(URL).content.decode()
    assert "聊城市防汛紧急期" in page and "end-period" not in page
