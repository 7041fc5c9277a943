"""The major-flood load (bench/flood.py runs it headless, bounded, on loopback).

Everything goes through the HTTP API and pages the users use, as the users who use
them: API tokens for the duty officer, the fire dispatcher, the bureau approver, the
water bureau's editor and each force's own account; session cookies for the duty
officers' dashboards. bench/flood.py seeds the city and writes what the users need to
the JSON file named by FLOOD_PLAN (hosts, tokens, sessions, codes, rate).

Users (fixed counts, so ``-u`` is their sum):
  Chain      one incident per pacing period (``chains`` users share the issue's rate):
             record it, draft a plan over 3–5 forces, submit, approve, then each force's
             account steps its order: acknowledge, depart, arrive, complete, result
  Dashboard  a duty officer's dashboard: the page, a panel, the hall screen's JSON
  Commander  once: the roll call over the county's forces; then the flood warning
             (create and publish) to every grid person
  Responder  after the roll call starts, force accounts one by one: list what is
             waiting, answer it

Request kinds are named by what the user does (``name=``), so the table reads as a list
of actions, not of URLs with ids.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, between, constant, constant_pacing, task

PLAN = json.loads(Path(os.environ["FLOOD_PLAN"]).read_text()) if "FLOOD_PLAN" in os.environ else {}
HOSTS = PLAN.get("hosts", ["http://127.0.0.1"])
FORCES = [tuple(pair) for pair in PLAN.get("forces", [])]
TOKENS = dict(FORCES)
PANELS = ["incidents", "plans", "orders", "overdue", "rollcalls", "coverage"]
STEPS = ["acknowledge", "depart", "arrive", "complete", "result"]

_hosts = itertools.count()
_incidents = itertools.count(1)
_answering = iter(FORCES)
_dashboards = itertools.count()
_dispatchable = deque(FORCES)
roll_call_started = Event()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def now_iso(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).isoformat()


class FloodUser(HttpUser):
    """Spread over the entry points: one balancer, or the nodes themselves in turn."""

    abstract = True
    host = HOSTS[0]

    def on_start(self) -> None:
        self.client.base_url = HOSTS[next(_hosts) % len(HOSTS)]

    def post(self, path: str, token: str, name: str, body: dict | None = None):
        return self.client.post(path, json=body or {}, headers=auth(token), name=name)


class Chain(FloodUser):
    fixed_count = PLAN.get("chains", 1)
    # Together the chain users start one incident every 600 / rate seconds.
    wait_time = constant_pacing(PLAN.get("chains", 1) * 600 / PLAN.get("rate", 100))

    @task
    def incident_to_results(self) -> None:
        n = next(_incidents)
        response = self.post(
            "/api/v1/command/incidents/",
            PLAN["duty"],
            "record incident",
            {
                "title": f"卫运河汛情{n:03d}号：堤段管涌",
                "source": "119",
                "incident_type": PLAN["incident_type"],
                "level": "iv",
                "jurisdiction": PLAN["county"],
                "address": f"卫运河临清段{n}号堤段",
                "latitude": "36.838000",
                "longitude": "115.705000",
            },
        )
        if not response.ok:
            return
        forces = []
        for _ in range(random.randint(3, 5)):
            forces.append(_dispatchable[0])
            _dispatchable.rotate(-1)
        response = self.post(
            "/api/v1/dispatch/plans/",
            PLAN["dispatcher"],
            "draft plan",
            {
                "incident": response.json()["id"],
                "task": "堤防抢险",
                "reason": "管涌扩大，需专业力量",
                "lines": [
                    {"force": pk, "task": "封堵管涌", "people": 10, "equipment": "砂袋"}
                    for pk, _ in forces
                ],
                "allow_deployed": True,
            },
        )
        if not response.ok:
            return
        plan = response.json()["id"]
        if not self.post(
            f"/api/v1/dispatch/plans/{plan}/submit/", PLAN["dispatcher"], "submit plan"
        ).ok:
            return
        response = self.post(
            f"/api/v1/dispatch/plans/{plan}/approve/", PLAN["approver"], "approve plan"
        )
        if not response.ok:
            return
        orders = [(row["id"], TOKENS[row["force"]]) for row in response.json()["orders"]]
        for step in STEPS:
            gevent.sleep(random.uniform(0.5, 1.5))
            body = (
                {"result": "险情排除，转移群众", "people_rescued": 3} if step == "result" else None
            )
            for order, token in orders:
                self.post(f"/api/v1/dispatch/orders/{order}/{step}/", token, f"{step} order", body)


class Dashboard(FloodUser):
    fixed_count = len(PLAN.get("dashboards", []))
    wait_time = between(3, 7)

    def on_start(self) -> None:
        super().on_start()
        self.client.cookies.set("sessionid", PLAN["dashboards"][next(_dashboards)])
        self.client.get("/hall/dashboard/", name="dashboard page")

    @task(3)
    def panel(self) -> None:
        name = random.choice(PANELS)
        self.client.get(f"/hall/dashboard/panel/{name}/", name="dashboard panel")

    @task(2)
    def screen_data(self) -> None:
        self.client.get("/hall/screen/data.json", name="hall screen data")

    @task(1)
    def page(self) -> None:
        self.client.get("/hall/dashboard/", name="dashboard page")


class Commander(FloodUser):
    """The roll call a few seconds in, the warning a little later; then nothing."""

    fixed_count = 1 if PLAN else 0
    wait_time = constant(1)

    def on_start(self) -> None:
        super().on_start()
        self.steps = iter([self.roll_call, self.warning])
        gevent.sleep(5)

    @task
    def next_step(self) -> None:
        step = next(self.steps, None)
        if step is None:
            gevent.sleep(30)
        else:
            step()

    def retried(self, path: str, token: str, name: str, body: dict | None = None):
        """As a person at a desk does: a refusal for a passing fault (503) is tried again
        a few seconds later, at most three times; each try counts in the table."""
        for _ in range(3):
            response = self.post(path, token, name, body)
            if response.status_code != 503:
                return response
            gevent.sleep(3)
        return response

    def roll_call(self) -> None:
        response = self.retried(
            "/api/v1/duty/roll-calls/",
            PLAN["dispatcher"],
            "start roll call",
            {"jurisdiction": PLAN["county"], "window_minutes": 30, "note": "汛期加密点名"},
        )
        if response.ok:
            roll_call_started.set()
        gevent.sleep(10)

    def warning(self) -> None:
        response = self.post(
            "/api/v1/warnings/warnings/",
            PLAN["editor"],
            "draft warning",
            {
                "hazard_type": PLAN["hazard_type"],
                "level": "orange",
                "areas": [PLAN["county"]],
                "headline": "卫运河全线水位超警戒",
                "description": "受上游来水影响，卫运河临清段水位将超过警戒水位。",
                "instruction": "沿河群众做好转移准备。",
                "effective_at": now_iso(),
                "expires_at": now_iso(timedelta(hours=24)),
            },
        )
        if response.ok:
            warning = response.json()["id"]
            self.retried(
                f"/api/v1/warnings/warnings/{warning}/publish/", PLAN["editor"], "publish warning"
            )


class Responder(FloodUser):
    """Force accounts answering the roll call, one after another."""

    fixed_count = PLAN.get("responders", 1) if PLAN else 0
    wait_time = between(0.5, 1.5)

    @task
    def answer(self) -> None:
        roll_call_started.wait()
        account = next(_answering, None)
        if account is None:
            gevent.sleep(30)
            return
        token = account[1]
        response = self.client.get(
            "/api/v1/duty/roll-call-targets/?outcome=waiting",
            headers=auth(token),
            name="list roll-call targets",
        )
        if not response.ok:
            return
        for target in response.json()["results"]:
            self.post(
                f"/api/v1/duty/roll-call-targets/{target['id']}/answer/",
                token,
                "answer roll call",
                {"people_on_duty": 18, "equipment_ready": True},
            )
