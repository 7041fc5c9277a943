"""What the intake tests share: the city's 12345 hotline and maritime SAR centre (with
its duty account), the environment department of county A (a responsible unit for
首接负责制), and a registered open-work hook the tests switch on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from command import closing
from core.choices import OrganisationKind as K
from core.roles import Role
from tests import factories as f


@pytest.fixture
def intake_world(incident_world):
    w = incident_world
    w.hotline = f.organisation("聊城市12345政务服务便民热线", K.HOTLINE_12345, w.city)
    w.maritime = f.organisation("聊城市水上搜救中心", K.MARITIME_SAR, w.city, tier=1)
    w.maritime.duty_phone = "0635-8276121"
    w.maritime.save(update_fields=["duty_phone"])
    w.maritime_user = f.user("maritime_duty", w.maritime, Role.DEPARTMENT_EDITOR)
    w.ecology_a = f.organisation("聊城市生态环境局临清分局", K.INDUSTRY_DEPARTMENT, w.county_a)
    w.ecology_user = f.user("ecology_a", w.ecology_a, Role.DEPARTMENT_EDITOR)
    return w


@pytest.fixture
def open_work():
    """A registered open-work hook (as dispatch registers its orders): ``lines`` says what
    is open per incident id; ``end`` empties it and remembers the reason."""
    state = SimpleNamespace(lines={}, ended=[])

    def describe(incident):
        return list(state.lines.get(incident.pk, []))

    def end(incident, actor, reason):
        lines = state.lines.pop(incident.pk, [])
        state.ended.append((incident.pk, actor.username, reason, lines))
        return len(lines)

    closing.register("tests.fake_orders", describe=describe, end=end)
    yield state
    closing.unregister("tests.fake_orders")


__all__ = ["intake_world", "open_work"]
