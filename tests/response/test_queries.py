"""Constant queries: activating a 40-line manual costs what a 3-line one costs; the board
and the API lists cost the same whatever the number of instructions; record_events keeps
the hash chain."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import verify_chain
from core.choices import OrganisationKind as K
from response import selectors, services
from tests import factories as f


def _manual(w, level: str, lines: int, departments):
    return services.save_manual(
        actor=w.duty_officer_a,
        jurisdiction=w.county_a,
        hazard="hazardous_chemicals",
        level=level,
        title=f"危化品{level}",
        lines=[
            services.ManualLine(f"第{n}项处置措施", departments[n % len(departments)], 30 + n)
            for n in range(lines)
        ],
    )


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.fixture
def many_departments(response_world):
    w = response_world
    w.many = [
        f.organisation(f"临清市测试部门{n}", K.INDUSTRY_DEPARTMENT, w.county_a) for n in range(8)
    ]
    return w


def test_activating_a_forty_line_manual_costs_what_a_three_line_one_costs(many_departments):
    w = many_departments
    _manual(w, "iv", 3, w.many)
    _manual(w, "iii", 40, w.many)
    other = f.incident(w.duty_officer_a, title="另一起危化品泄漏", jurisdiction=w.county_a)

    def activate(level, incident):
        return lambda: services.activate_response(
            actor=w.duty_officer_a,
            hazard="hazardous_chemicals",
            level=level,
            incident_id=incident.pk,
        )

    small = _queries(activate("iv", w.incident_a))
    large = _queries(activate("iii", other))
    assert large == small


def test_the_board_costs_the_same_for_three_and_forty_instructions(many_departments):
    w = many_departments
    _manual(w, "iv", 3, w.many)
    _manual(w, "iii", 40, w.many)
    other = f.incident(w.duty_officer_a, title="另一起危化品泄漏", jurisdiction=w.county_a)
    small = services.activate_response(
        actor=w.duty_officer_a,
        hazard="hazardous_chemicals",
        level="iv",
        incident_id=w.incident_a.pk,
    )
    large = services.activate_response(
        actor=w.duty_officer_a, hazard="hazardous_chemicals", level="iii", incident_id=other.pk
    )
    for seat_org in w.many[:3]:
        services.join_seat(
            actor=w.duty_officer_a,
            activation_id=large.pk,
            organisation_id=seat_org.pk,
            person="席位",
        )
    assert _queries(lambda: selectors.board(small)) == _queries(lambda: selectors.board(large))
    board = selectors.board(large)
    assert board.total == 40 and len(board.departments) == 8
    assert sum(1 for row in board.departments if row.seat is not None) == 3


def test_the_api_lists_cost_the_same_whatever_their_length(many_departments, api):
    w = many_departments
    _manual(w, "iv", 3, w.many)
    _manual(w, "iii", 40, w.many)
    client = api(w.duty_officer_a)
    services.activate_response(
        actor=w.duty_officer_a,
        hazard="hazardous_chemicals",
        level="iv",
        incident_id=w.incident_a.pk,
    )
    urls = ["/api/v1/response/activations/", "/api/v1/response/instructions/"]
    few = [_queries(lambda url=url: client.get(url)) for url in urls]
    for n in range(3):
        incident = f.incident(w.duty_officer_a, title=f"危化品泄漏{n}", jurisdiction=w.county_a)
        services.activate_response(
            actor=w.duty_officer_a,
            hazard="hazardous_chemicals",
            level="iii",
            incident_id=incident.pk,
        )
    many = [_queries(lambda url=url: client.get(url)) for url in urls]
    assert many == few
    board = f"/api/v1/response/activations/{w.incident_a.responses.get().pk}/board/"
    assert client.get(board).status_code == 200


def test_bulk_events_continue_the_hash_chain(many_departments):
    w = many_departments
    _manual(w, "iii", 40, w.many)
    with transaction.atomic():
        services.activate_response(
            actor=w.duty_officer_a,
            hazard="hazardous_chemicals",
            level="iii",
            incident_id=w.incident_a.pk,
        )
    report = verify_chain()
    assert report.intact, report
    assert report.count >= 41
