"""The 叫应 board: who has answered, who is being chased and who has not been reached, by
jurisdiction, and the counter "预警未叫应 N" — scoped to the user and a constant number of
queries whatever the number of recipients (DESIGN12 "Board and counters")."""

from __future__ import annotations

import pytest

from earlywarning import services
from earlywarning.choices import RecipientState
from earlywarning.models import Grid, WarningRecipient
from earlywarning.selectors import (
    active_warnings,
    board_recipients,
    unanswered_count,
    warning_board,
)
from notify import services as notify_services
from notify.choices import Purpose
from notify.models import Notification
from tests.earlywarning.helpers import published_flood

pytestmark = pytest.mark.django_db


def fail_for_good(recipient: WarningRecipient) -> None:
    """The gateway reports every message to this recipient undeliverable (空号)."""
    notification = Notification.objects.get(purpose=Purpose.WARNING, object_id=recipient.pk)
    for delivery in notification.deliveries.all():
        assert notify_services.record_receipt(key=delivery.key, status="failed", error="空号")


def states(user, warning) -> dict[str, str]:
    return {r.label: r.state for r in board_recipients(user, warning)}


def test_the_board_shows_answered_chasing_and_unreached_by_jurisdiction(warning_world):
    w = warning_world
    from core.choices import OrganisationKind as K
    from tests import factories as f

    # A department concerned (flood → transport) with neither a duty phone nor accounts.
    transport = f.organisation(
        "临清市交通运输局", K.INDUSTRY_DEPARTMENT, w.county_a, sector="交通运输"
    )
    warning = published_flood(w)
    rows = WarningRecipient.objects.filter(warning=warning)
    answered = rows.get(grid=w.grid_a1)
    failed = rows.get(grid=w.grid_a2)
    services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=answered.pk)
    fail_for_good(failed)

    seen = states(w.duty_officer_a, warning)
    assert seen[answered.label] == RecipientState.ANSWERED
    assert seen[failed.label] == RecipientState.UNREACHED
    assert seen[str(w.grid_a3)] == RecipientState.CHASING
    # Nothing could be sent to the transport bureau.
    fire = rows.get(organisation=transport, kind="department")
    assert seen[fire.label] == RecipientState.UNREACHED
    assert seen[str(w.fire_a)] == RecipientState.CHASING  # its dispatcher, in-app

    total = rows.count()
    board = warning_board(w.duty_officer_a, warning)
    assert board.total == total
    assert board.answered == 1
    assert board.unreached == 2
    assert board.chasing == total - 3
    by_place = {row.jurisdiction: row for row in board.rows}
    # Grouped under the warning's jurisdiction (county A): its two townships, and the
    # county itself for the force, the departments and the duty officer.
    assert list(by_place) == [w.county_a, w.town_a, w.town_a2]
    town = by_place[w.town_a]
    assert (town.total, town.answered, town.chasing, town.unreached) == (3, 1, 1, 1)
    town2 = by_place[w.town_a2]
    assert (town2.total, town2.answered, town2.chasing, town2.unreached) == (2, 0, 2, 0)
    assert by_place[w.county_a].total == total - 5

    # One level down: the villages of the township.
    villages = warning_board(w.duty_officer_a, warning, group_by=w.town_a)
    assert [(r.jurisdiction, r.total) for r in villages.rows] == [
        (w.village_a1, 2),
        (w.village_a2, 1),
    ]
    assert villages.total == 3

    unreached = board_recipients(w.duty_officer_a, warning, state=RecipientState.UNREACHED)
    assert {r.pk for r in unreached} == {failed.pk, fire.pk}
    in_village = board_recipients(w.duty_officer_a, warning, jurisdiction=w.village_a1)
    assert {r.pk for r in in_village} == {answered.pk, failed.pk}


def test_an_escalation_that_gets_through_moves_a_recipient_from_unreached_to_chasing(
    warning_world,
):
    w = warning_world
    warning = published_flood(w)
    failed = WarningRecipient.objects.get(warning=warning, grid=w.grid_a2)
    fail_for_good(failed)
    assert states(w.duty_officer_a, warning)[failed.label] == RecipientState.UNREACHED
    # The 10-minute voice call is answered by the network: the person is being chased.
    notification = Notification.objects.get(purpose=Purpose.WARNING, object_id=failed.pk)
    notification.deliveries.update(status="sent")
    assert states(w.duty_officer_a, warning)[failed.label] == RecipientState.CHASING


def test_the_board_and_the_counter_are_scoped_to_the_user(warning_world):
    w = warning_world
    warning = published_flood(w)
    total = WarningRecipient.objects.filter(warning=warning).count()
    assert unanswered_count(w.duty_officer_a) == total
    assert unanswered_count(w.screen_a) == total
    assert unanswered_count(w.approver_city) == total
    assert unanswered_count(w.duty_officer_b) == 0
    assert warning_board(w.duty_officer_b, warning).total == 0
    # The force account sees its own force only.
    assert [r.force_id for r in board_recipients(w.force_account_a, warning)] == [w.force_a.pk]
    assert unanswered_count(w.force_account_a) == 1
    services.acknowledge_recipient(
        actor=w.duty_officer_a,
        recipient_id=WarningRecipient.objects.get(warning=warning, grid=w.grid_a4).pk,
    )
    assert unanswered_count(w.duty_officer_a) == total - 1
    # A cancelled warning is no longer counted.
    services.cancel_warning(actor=w.editor_a, warning_id=warning.pk, reason="解除")
    assert unanswered_count(w.duty_officer_a) == 0
    assert not active_warnings(w.duty_officer_a).exists()


def test_a_township_sees_its_own_part_of_the_county_warning(warning_world):
    from core.choices import OrganisationKind as K
    from core.roles import Role
    from tests import factories as f

    w = warning_world
    town_office = f.organisation("松林镇应急办", K.EMERGENCY_BUREAU, w.town_a)
    town_officer = f.user("duty_town_a", town_office, Role.DUTY_OFFICER)
    warning = published_flood(w)
    board = warning_board(town_officer, warning)
    assert [r.jurisdiction for r in board.rows] == [w.town_a]
    assert (
        board.total
        == WarningRecipient.objects.filter(
            warning=warning, jurisdiction__path__startswith=w.town_a.path
        ).count()
    )


def _many_grids(w, count: int) -> None:
    Grid.objects.bulk_create(
        Grid(
            jurisdiction=w.village_a1 if i % 2 else w.village_a3,
            code=f"LOAD-{i:05d}",
            name=f"负载网格{i}",
            person_name=f"网格员{i}",
            person_phone=f"1370000{i:04d}",
            supervisor_name="刘镇长",
            supervisor_phone="13905350001",
        )
        for i in range(count)
    )


@pytest.mark.parametrize("grids", [10, 200])
def test_the_board_takes_the_same_few_queries_for_10_or_200_recipients(
    warning_world, grids, django_assert_max_num_queries
):
    w = warning_world
    Grid.objects.all().delete()
    _many_grids(w, grids)
    warning = published_flood(w)
    some = WarningRecipient.objects.filter(warning=warning, kind="grid_person")[:3]
    for recipient in some:
        services.acknowledge_recipient(actor=w.duty_officer_a, recipient_id=recipient.pk)
    user = w.duty_officer_a
    user.role_names  # noqa: B018 — the roles are read once per request, not per row
    _ = user.organisation.jurisdiction
    with django_assert_max_num_queries(3):
        board = warning_board(user, warning)
    assert board.total >= grids and board.answered == 3
    with django_assert_max_num_queries(2):
        rows = list(board_recipients(user, warning))
        [(r.state, r.jurisdiction.name, r.grid and r.grid.name) for r in rows]
    assert len(rows) == board.total
    with django_assert_max_num_queries(2):
        assert unanswered_count(user) == board.total - 3
