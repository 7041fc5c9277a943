"""Notify tests use a Force as the subject and a throwaway acknowledgement handler, so
the engine is tested without the dispatch and duty wiring."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from notify import registry, services
from notify.choices import Audience, Purpose
from notify.types import Recipient, Responder


class Recorder:
    """A handler that records who acknowledged which subject and refuses a second time,
    the way acknowledge_order does."""

    def __init__(self):
        self.calls: list[tuple[int, Responder, str]] = []

    def __call__(self, subject_id: int, responder: Responder, text: str) -> str:
        from core.exceptions import InvalidTransition
        from forces.models import Force

        if any(call[0] == subject_id for call in self.calls):
            raise InvalidTransition("already", code="already")
        self.calls.append((subject_id, responder, text))
        force = Force.objects.get(pk=subject_id)
        services.acknowledged(purpose=Purpose.ORDER, subject=force, responder=responder)
        return f"已签收：{force.name}"


@pytest.fixture
def handler():
    """A throwaway handler for ORDER, in place of whatever dispatch registered, which
    is put back afterwards (the registry lives as long as the process)."""
    previous = registry.handler_for(Purpose.ORDER)
    recorder = Recorder()
    registry.register(Purpose.ORDER, acknowledge=recorder, verb="签收")
    yield recorder
    if previous is None:
        registry.unregister(Purpose.ORDER)
    else:
        registry.register(Purpose.ORDER, acknowledge=previous.acknowledge, verb=previous.verb)


def audiences_of(world, force) -> dict[str, list[Recipient]]:
    return {
        Audience.FORCE_ACCOUNT: [
            Recipient(label=world.force_account_a.username, user_id=world.force_account_a.pk)
        ],
        Audience.FORCE_DUTY_PHONE: [Recipient(label="24小时值班电话", phone=force.duty_phone)],
        Audience.FORCE_LEADER: [
            Recipient(label=f"队长 {force.leader_name}", phone=force.leader_phone)
        ],
        Audience.ORG_LEADER: [Recipient(label="单位负责人", phone="13900001111")],
        Audience.DUTY_OFFICERS: [
            Recipient(
                label=world.duty_officer_a.username,
                user_id=world.duty_officer_a.pk,
                phone="13700002222",
            )
        ],
    }


def order_notification(world, force=None, **extra):
    force = force or world.force_a
    return services.notify(
        purpose=Purpose.ORDER,
        subject=force,
        jurisdiction=force.jurisdiction,
        organisation=force.organisation,
        audiences=audiences_of(world, force),
        title=f"出动指令：{force.name}",
        body="出动指令LQ-TEST：洪水，卫运河临清段。任务：抢险",
        link=f"/forces/{force.pk}/",
        **extra,
    )


@pytest.fixture
def default_rules(db):
    """The rules and steps of notify's data migration. A transactional test's flush
    deletes migration data for the tests after it (pytest-django runs those last), so
    they ask for this fixture; elsewhere it finds the rows and changes nothing."""
    from django.apps import apps

    seed = importlib.import_module("notify.migrations.0002_seed_default_rules").seed
    seed(apps, None)


@pytest.fixture
def nw(world, handler, default_rules):
    return SimpleNamespace(world=world, handler=handler)
