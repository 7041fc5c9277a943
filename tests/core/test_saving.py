"""The pre-save helpers every service shares: validation into the domain error and the
history user and reason."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from core.exceptions import ValidationFailed
from core.saving import stamp_history, validated
from duty.models import DutyRoster


def test_an_invalid_instance_is_refused_with_its_field_errors(world):
    roster = DutyRoster(organisation=world.bureau_a, jurisdiction=world.county_a, name="")
    with pytest.raises(ValidationFailed) as refused:
        validated(roster)
    assert "name" in refused.value.errors
    assert "name:" in refused.value.detail


def test_excluded_fields_are_not_validated(world):
    roster = DutyRoster(organisation=world.bureau_a, jurisdiction=world.county_a, name="")
    validated(roster, exclude=["name"])


def test_history_records_the_actor_and_the_reason(world):
    roster = DutyRoster(organisation=world.bureau_a, jurisdiction=world.county_a, name="值班表")
    stamp_history(roster, world.duty_officer_a, "created")
    roster.save()
    record = roster.history.latest()
    assert record.history_user == world.duty_officer_a
    assert record.history_change_reason == "created"


def test_an_anonymous_actor_is_recorded_as_nobody(world):
    roster = DutyRoster(organisation=world.bureau_a, jurisdiction=world.county_a, name="值班表")
    stamp_history(roster, AnonymousUser(), "tick")
    roster.save()
    assert roster.history.latest().history_user is None
