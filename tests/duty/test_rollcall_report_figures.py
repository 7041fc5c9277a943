"""The roll-call report in one pass (GROUPING SETS on PostgreSQL) gives the figures the
grouped queries give, medians and streaks of misses included; its reads may go to a
replica; the API and the Excel export carry the same rows (Liaocheng §三.二.2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core import excel, replica
from duty.rollcalls import selectors, services
from tests import factories as f

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = (date(2026, 10, 1), date(2026, 12, 31))


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def history(world):
    """Six forces of two departments and three categories, eight closed roll calls over
    two months. Two roll calls start at the same instant (one tick starts several); the
    water force misses two roll calls and answers the last, which starts at the same
    instant as the one before it: only the roll calls' order says it is not on a
    streak."""
    w = world
    w.extra = [
        f.force(w.editor_a, w.water_a, name=f"临清市抢险{n}队", category=category)
        for n, category in enumerate(("government", "social", "expert", "social"))
    ]
    accounts = {w.force_a.pk: w.force_account_a, w.force_power_a.pk: w.force_account_power_a}
    for force in w.extra:
        accounts[force.pk] = w.force_account_a
    days = [(10, 5), (10, 19), (11, 2), (11, 9), (11, 16), (11, 23), (11, 30), (11, 30)]
    for n, (month, day) in enumerate(days):
        roll_call = services.start_roll_call(
            actor=w.dispatcher_a, jurisdiction=w.county_a, now=at(2026, month, day, 9, 0)
        )
        for m, target in enumerate(roll_call.targets.order_by("force_id")):
            minutes = (n * 7 + m * 5) % 45  # on time and late, with repeats
            missed = (n + m) % 4 == 0 or (target.force_id == w.force_power_a.pk and n >= 5)
            if target.force_id == w.force_a.pk and n >= 5:
                missed = n != 7
            if missed:
                continue
            services.answer_roll_call(
                actor=accounts[target.force_id],
                target_id=target.pk,
                now=roll_call.started_at + timedelta(minutes=minutes, seconds=n),
            )
        services.close_expired(now=roll_call.closes_at + timedelta(seconds=1))
    return w


def figures(report):
    def rows(items):
        return [
            (r.key, r.label, r.total, r.on_time, r.late, r.no_answer, r.median_seconds)
            for r in items
        ]

    return {
        "roll_calls": report.roll_calls,
        "overall": rows([report.overall]),
        "by_month": rows(report.by_month),
        "by_department": rows(report.by_department),
        "by_category": rows(report.by_category),
        "by_force": rows(report.by_force),
        "streaks": [(s.force_id, s.misses, s.last_missed) for s in report.streaks],
    }


@pytest.mark.postgres
def test_one_pass_report_gives_the_same_figures_as_one_query_per_breakdown(history):
    w = history
    one_pass = selectors._answer_report_grouping_sets(w.duty_officer_a, *NOVEMBER)
    by_group = selectors._answer_report_by_group(w.duty_officer_a, *NOVEMBER)
    assert figures(one_pass) == figures(by_group)
    assert one_pass.roll_calls == 8 and len(one_pass.by_force) == 6
    assert [r.label for r in one_pass.by_month] == ["2026-10", "2026-11"]
    assert {s.force_name: s.misses for s in one_pass.streaks}["临清供电抢修队"] == 3
    # A part of the period and another county: the same in both ways too.
    part = (date(2026, 11, 5), date(2026, 11, 25))
    assert figures(selectors._answer_report_grouping_sets(w.duty_officer_a, *part)) == figures(
        selectors._answer_report_by_group(w.duty_officer_a, *part)
    )
    empty = selectors._answer_report_grouping_sets(w.duty_officer_b, *NOVEMBER)
    assert figures(empty) == figures(selectors._answer_report_by_group(w.duty_officer_b, *NOVEMBER))
    assert (empty.roll_calls, empty.overall.total, empty.by_force) == (0, 0, [])


@pytest.mark.postgres
def test_an_answer_to_the_later_of_two_roll_calls_at_one_instant_ends_the_streak(history):
    """Two roll calls started by one tick: the later one (by its number) is the latest."""
    w = history
    report = selectors._answer_report_grouping_sets(w.duty_officer_a, *NOVEMBER)
    assert "临清市水利抢险队" not in {s.force_name for s in report.streaks}
    assert {s.force_name for s in report.streaks} == {
        s.force_name for s in selectors._answer_report_by_group(w.duty_officer_a, *NOVEMBER).streaks
    }


def test_report_reads_are_offered_to_the_replica(history, monkeypatch):
    """Without a replica configured they stay on the primary, but every read of the
    report is made inside ``replica_reads()``."""
    seen = []
    route = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append((model._meta.label, replica._READS.get()))
        return route(self, model, **hints)

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    selectors.answer_report(history.duty_officer_a, *NOVEMBER)
    targets = [reads for label, reads in seen if label == "duty.RollCallTarget"]
    assert targets and all(targets)
    assert all(reads for _label, reads in seen)


def test_report_api_rows_are_the_report_rows(history, client):
    w = history
    client.force_login(w.duty_officer_a)
    body = client.get(
        "/api/v1/duty/roll-call-report/", {"start": "2026-10-01", "end": "2026-12-31"}
    ).json()
    report = selectors.answer_report(w.duty_officer_a, *NOVEMBER)
    expected = [
        {
            "key": str(r.key),
            "label": r.label,
            "total": r.total,
            "on_time": r.on_time,
            "late": r.late,
            "no_answer": r.no_answer,
            "answer_rate": r.answer_rate,
            "median_seconds": r.median_seconds,
        }
        for r in report.by_force
    ]
    assert body["by_force"] == expected
    assert body["overall"]["key"] is None and body["overall"]["total"] == report.overall.total
    assert [m["label"] for m in body["by_month"]] == ["2026-10", "2026-11"]


def test_excel_export_highlights_each_force_on_a_streak_once(history, client):
    w = history
    client.force_login(w.duty_officer_a)
    response = client.get(
        reverse("duty:rollcall_report_xlsx"), {"start": "2026-10-01", "end": "2026-12-31"}
    )
    by_force = load_workbook(BytesIO(response.content)).worksheets[3]
    highlighted = [
        row[0].value
        for row in by_force.iter_rows(min_row=2)
        if row[0].fill.fgColor.rgb.endswith("F8D7DA")
    ]
    report = selectors.answer_report(w.duty_officer_a, *NOVEMBER)
    assert sorted(highlighted) == sorted(s.force_name for s in report.streaks)
    assert by_force.max_row == 1 + len(report.by_force)


def test_excel_append_returns_the_cells_it_wrote_as_text():
    sheet = Workbook().active
    excel.append(sheet, ["a", 1])
    cells = excel.append(sheet, ["=1+1", 2, None])
    assert [(c.row, c.column) for c in cells] == [(2, 1), (2, 2), (2, 3)]
    assert cells[0].data_type == "s" and cells[0].quotePrefix
