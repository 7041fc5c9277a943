"""Drill fixtures on top of the shared ``world``: an expert, a contingency plan, helpers
that plan and conduct drills through the services, and a throw-away MEDIA_ROOT."""

from __future__ import annotations

import pytest

from core.roles import Role
from drills import services
from tests import factories as f
from tests.drills.after_action_fixtures import closed_world  # noqa: F401 (a fixture)


@pytest.fixture
def dw(world):
    world.expert_a = f.user("expert_a", world.bureau_a, Role.EXPERT)
    world.flood_plan_a = services.create_contingency_plan(
        actor=world.admin_a,
        organisation=world.bureau_a,
        name="临清市防汛应急预案",
        kind="special",
        hazard="flood",
    )
    return world


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
