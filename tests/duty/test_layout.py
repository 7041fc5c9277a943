"""Duty is two places, rosters and roll calls, each with the file names every app uses;
moving code between them must not move a URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

import duty

DUTY = Path(duty.__file__).parent
STANDARD = {
    "admin.py",
    "choices.py",
    "demo.py",
    "forms.py",
    "permissions.py",
    "selectors.py",
    "services.py",
    "urls.py",
    "views.py",
    "api/serializers.py",
    "api/urls.py",
    "api/views.py",
}


def test_duty_has_no_prefixed_modules():
    prefixed = [
        p.relative_to(DUTY).as_posix()
        for p in DUTY.rglob("*.py")
        if p.name.startswith(("roster_", "rollcall_"))
    ]
    assert prefixed == []


@pytest.mark.parametrize("place", ["rosters", "rollcalls"])
def test_each_place_has_the_standard_files(place):
    present = {p.relative_to(DUTY / place).as_posix() for p in (DUTY / place).rglob("*.py")}
    assert STANDARD <= present, sorted(STANDARD - present)


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("duty:roster_list", {}, "/duty/rosters/"),
        ("duty:roster_feed", {"pk": 3, "token": "abc"}, "/duty/rosters/3/feed/abc.ics"),
        ("duty:hand_over", {"pk": 5}, "/duty/shifts/5/hand-over/"),
        ("duty:spotcheck_close", {"pk": 2}, "/duty/spot-checks/2/close/"),
        ("duty:rollcall_list", {}, "/duty/rollcalls/"),
        ("duty:rollcall_answer", {"pk": 7}, "/duty/rollcalls/targets/7/answer/"),
        ("duty:rollcall_report_xlsx", {}, "/duty/rollcalls/report.xlsx"),
        ("duty-roster-list", {}, "/api/v1/duty/rosters/"),
        ("roll-call-detail", {"pk": 4}, "/api/v1/duty/roll-calls/4/"),
        ("roll-call-report", {}, "/api/v1/duty/roll-call-report/"),
    ],
)
def test_duty_urls_keep_their_names_and_paths(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
