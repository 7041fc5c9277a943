"""Who may do what (DESIGN13): every transition tried by the people of county A, county B
and the city. A permitted attempt runs in a savepoint rolled back afterwards, so each
persona meets the same state."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.exceptions import DomainError, PermissionDeniedError
from response import permissions, services

COUNTY_A = [
    "duty_officer_a",
    "approver_a",
    "dispatcher_a",
    "editor_a",
    "force_account_a",
    "screen_a",
    "admin_a",
]
COUNTY_B = ["duty_officer_b", "approver_b", "dispatcher_b", "editor_b"]
CITY = ["approver_city", "admin_city", "dispatcher_city", "screen_city", "sync_client"]
EVERYONE = COUNTY_A + COUNTY_B + CITY
COMMANDERS = {"duty_officer_a", "approver_a", "admin_a", "approver_city", "admin_city"}
WATER_WORKERS = {"editor_a", "duty_officer_a"}  # the department, and 代签


class _Undo(Exception):
    pass


def _who_may(world, attempt) -> set[str]:
    allowed = set()
    for name in EVERYONE:
        try:
            with transaction.atomic():
                attempt(getattr(world, name))
                raise _Undo
        except _Undo:
            allowed.add(name)
        except PermissionDeniedError:
            pass
        except DomainError as refused:  # refused for another reason: the test is wrong
            raise AssertionError((name, refused.code, refused.detail)) from refused
    return allowed


def _activate(w):
    return services.activate_response(
        actor=w.duty_officer_a, hazard="flood", level="iv", incident_id=w.incident_a.pk
    )


def test_who_may_write_county_a_manuals(response_world):
    w = response_world

    def attempt(user):
        services.save_manual(
            actor=user,
            jurisdiction=w.county_a,
            hazard="flood",
            level="ii",
            title="临清市防汛Ⅱ级应急响应手册",
            lines=[services.ManualLine("24小时巡堤查险", w.water_a, 30)],
        )

    assert _who_may(w, attempt) == COMMANDERS


def test_who_may_activate_a_response_for_a_county_a_incident(response_world):
    w = response_world

    def attempt(user):
        services.activate_response(
            actor=user, hazard="flood", level="iv", incident_id=w.incident_a.pk
        )

    assert _who_may(w, attempt) == COMMANDERS


def test_who_may_raise_lower_and_end_it(response_world):
    w = response_world
    activation = _activate(w)

    def change(user):
        services.change_level(
            actor=user, activation_id=activation.pk, level="iii", reason="水位上涨"
        )

    def end(user):
        services.end_response(actor=user, activation_id=activation.pk, reason="险情解除")

    assert _who_may(w, change) == COMMANDERS
    assert _who_may(w, end) == COMMANDERS


def test_who_may_acknowledge_start_and_complete_the_water_bureaus_instruction(response_world):
    w = response_world
    instruction = _activate(w).instructions.get(department=w.water_a)

    def acknowledge(user):
        services.acknowledge_instruction(actor=user, instruction_id=instruction.pk)

    def start(user):
        services.start_instruction(actor=user, instruction_id=instruction.pk)

    def complete(user):
        services.complete_instruction(
            actor=user, instruction_id=instruction.pk, report="已巡查堤防，水位平稳"
        )

    assert _who_may(w, acknowledge) == WATER_WORKERS
    assert _who_may(w, start) == WATER_WORKERS
    assert _who_may(w, complete) == WATER_WORKERS


def test_who_may_seat_the_water_bureau_and_free_its_seat(response_world):
    w = response_world
    activation = _activate(w)

    def join(user):
        services.join_seat(
            actor=user, activation_id=activation.pk, organisation_id=w.water_a.pk, person="王水利"
        )

    assert _who_may(w, join) == COMMANDERS | {"editor_a"}
    seat = services.join_seat(
        actor=w.editor_a, activation_id=activation.pk, organisation_id=w.water_a.pk, person="王水利"
    )

    def leave(user):
        services.leave_seat(actor=user, seat_id=seat.pk)

    assert _who_may(w, leave) == COMMANDERS | {"editor_a"}


def test_who_reads_a_county_a_response(response_world):
    w = response_world
    activation = _activate(w)
    readers = {
        name for name in EVERYONE if permissions.can_read_response(getattr(w, name), activation)
    }
    # The centre of county A and the city; county A's water bureau (instructed).
    assert readers == {
        "duty_officer_a",
        "approver_a",
        "dispatcher_a",
        "editor_a",
        "screen_a",
        "admin_a",
        "approver_city",
        "admin_city",
        "dispatcher_city",
        "screen_city",
        "sync_client",
    }


@pytest.mark.parametrize("name", ["editor_b", "duty_officer_b", "force_account_a"])
def test_outsiders_do_not_see_county_a_responses_or_instructions(response_world, name):
    from response import selectors

    w = response_world
    _activate(w)
    user = getattr(w, name)
    assert not selectors.visible_activations(user).exists()
    assert not selectors.visible_instructions(user).exists()
