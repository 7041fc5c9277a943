"""What the publish tests share: a warning's data, and publishing one as a user would."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from earlywarning import services
from earlywarning.choices import WarningLevel
from notify import services as notify_services
from notify.models import SimulatedMessage


def deliver() -> int:
    """What the after-commit task and the sweep do: hand what is due to the gateways
    (tests run in one transaction, so after-commit callbacks never fire)."""
    return notify_services.send_pending()


def flood_data(w, *, areas=None, level=WarningLevel.ORANGE, hours=24, **extra):
    now = timezone.now()
    data = {
        "hazard_type": w.flood_hazard,
        "level": level,
        "areas": areas if areas is not None else [w.town_a, w.town_a2],
        "headline": "卫运河临清段水位超警戒",
        "description": "受上游来水影响，卫运河临清段水位将超过警戒水位0.5米。",
        "effective_at": now,
        "expires_at": now + timedelta(hours=hours),
        "instruction": "沿河群众注意避险。",
        "force_instruction": "抢险队伍前置备勤。",
    }
    data.update(extra)
    return services.WarningData(**data)


def published_flood(w, **extra):
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w, **extra))
    warning = services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    deliver()
    return warning


def sms_to(phone: str):
    return SimulatedMessage.objects.filter(channel="sms", to=phone)


def calls_to(phone: str):
    return SimulatedMessage.objects.filter(channel="voice", to=phone)


@pytest.fixture
def warning_rules(db):
    """The rules and steps of notify's migration 0004 (warnings). A transactional test's
    flush deletes migration data for the tests after it, so those ask for this fixture;
    elsewhere it finds the rows and changes nothing."""
    from django.apps import apps

    importlib.import_module("notify.migrations.0004_seed_warning_rules").seed(apps, None)
