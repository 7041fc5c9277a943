"""The admin names groups and event types in Chinese and labels its columns right
(issue 13: English group and event-type names, the specialty's sort column said
"出动指令")."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.admin_labels import event_type_label, group_label
from core.events import declared_vocabularies, record_event
from dispatch.events import DispatchEvent
from forces.models import Specialty
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_declared_event_type_has_a_name():
    codes = {
        str(member.value)
        for enums in declared_vocabularies().values()
        for enum in enums
        for member in enum
    }
    with translation.override("en"):
        unnamed = sorted(code for code in codes if event_type_label(code) == code)
    assert unnamed == []


def test_event_type_and_group_labels_read_as_words():
    with translation.override("en"):
        assert event_type_label("plan.approved") == "Call-out plan · approved"
        assert event_type_label("order.ended") == "Call-out order · ended"
        assert event_type_label("something.else") == "something.else"
        assert group_label("duty_officer") == "Duty officer"
    with translation.override("zh-hans"):
        # The role names are translated already; a role group never shows its code.
        assert group_label("duty_officer") != "duty_officer"


def test_organisation_group_is_named_after_its_organisation(world):
    with translation.override("en"):
        label = group_label(f"org:{world.bureau_a.pk}")
    assert label == f"Organisation group: {world.bureau_a.name}"
    assert group_label("org:999999") == "org:999999"


def test_specialty_sort_column_is_not_labelled_as_an_order():
    field = Specialty._meta.get_field("sort_order")
    with translation.override("en"):
        assert str(field.verbose_name) == "sort order"
    with translation.override("zh-hans"):
        assert str(field.verbose_name) == "排序"


def test_admin_pages_show_role_and_event_type_names(client, world):
    w = world
    record_event(
        type=DispatchEvent.PLAN_APPROVED,
        jurisdiction=w.county_a,
        subject=w.bureau_a,
        actor=w.admin_a,
    )
    operator = f.user("operator", None, is_superuser=True, is_staff=True)
    client.force_login(operator)
    with translation.override("en"):
        groups = client.get("/admin/auth/group/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        events = client.get("/admin/core/event/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        users = client.get("/admin/core/user/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Duty officer" in groups and "Fire-brigade dispatcher" in groups
    assert f"Organisation group: {w.bureau_a.name}" in groups
    assert "Call-out plan · approved" in events
    # The type filter lists names, not codes.
    assert ">Call-out plan · approved</a>" in events
    assert "Duty officer" in users  # the roles column and the role filter
