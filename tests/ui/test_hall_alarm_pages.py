"""The hall's alarm markup and rules, without a browser (the browser tests in
tests/browser/test_hall_alarms.py play them): both hall pages carry the banner, the
switch and the labels; every type that rings is one the code records and the hall's
users read; the force account's live pages resume exactly after what they show."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from core import visibility
from core.events import declared_vocabularies
from hall.selectors import ALARM_TYPES, alarm_config
from hall.views import DASHBOARD_ROLES

pytestmark = pytest.mark.django_db

RINGS = {
    "incident.created",
    "plan.submitted",
    "plan.approved",
    "order.overdue",
    "notify.escalated",
    "rollcall.closed",
    # Issue 13: an instruction of an active response passed its deadline.
    "instruction.overdue",
}


def declared_types() -> set[str]:
    return {
        str(member)
        for vocabularies in declared_vocabularies().values()
        for vocabulary in vocabularies
        for member in vocabulary
    }


def test_the_hall_rings_for_the_kinds_the_issue_names_and_only_those():
    assert set(ALARM_TYPES) == RINGS
    assert RINGS <= declared_types()  # spelt as the services record them


@pytest.mark.parametrize("role", sorted({*DASHBOARD_ROLES, *visibility.HALL_ROLES}))
def test_everyone_who_watches_the_hall_reads_every_type_that_rings(role):
    """Of any organisation, anywhere in the jurisdiction (core/visibility.py)."""
    viewer = visibility.Viewer(False, "/a/", frozenset({role}), 1)
    for event_type in RINGS:
        assert viewer.can_see("/a/b/", event_type, None), (role, event_type)
        assert viewer.can_see("/a/b/", event_type, 2), (role, event_type)


def page_of(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", ["/hall/dashboard/", "/hall/screen/"])
def test_both_hall_pages_carry_the_banner_the_switch_and_the_labels(world, url):
    html = page_of(world.duty_officer_a, url)
    assert 'id="hall-alarms"' in html and 'id="alarm-enable"' in html
    assert f'data-storage-key="linkage.alarms.{world.duty_officer_a.pk}"' in html
    assert re.search(r'<script src="/static/js/alarms\.js', html)
    config = re.search(r'id="hall-alarm-config" type="application/json">(.*?)</script>', html)
    assert json.loads(config.group(1)) == json.loads(json.dumps(alarm_config()))


@pytest.mark.parametrize(
    "url", ["/dispatch/orders/", "/duty/rollcalls/answer/"], ids=["orders", "roll calls"]
)
def test_the_force_accounts_pages_resume_the_feed_after_what_they_show(world, url):
    from core.web import latest_seq

    html = page_of(world.force_account_a, url)
    seq = re.search(r'data-live-root data-live-seq="(\d+)"', html)
    assert seq is not None and int(seq.group(1)) == latest_seq(world.force_account_a)
    assert "data-live-refresh" in html
    assert '<script src="/static/js/live.js' in html
