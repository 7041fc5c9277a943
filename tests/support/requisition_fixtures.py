"""Fixtures of the requisition and compensation tests: a construction enterprise of county
A that owns an excavator, its editor, and helpers that build requisitions and claims
through the services."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.choices import OrganisationKind as K
from core.roles import Role
from support.compensation import services as compensation
from support.requisition import services as requisition_services
from tests import factories as f


@pytest.fixture(name="requisition_world")
def requisition_world_fixture(incident_world):
    w = incident_world
    w.builder_a = f.organisation("临清市宏达建筑工程有限公司", K.ENTERPRISE, w.county_a)
    w.builder_a.duty_phone = "0635-2361234"
    w.builder_a.save(update_fields=["duty_phone"])
    w.editor_builder_a = f.user("editor_builder_a", w.builder_a, Role.DEPARTMENT_EDITOR)
    return w


def requisition_data(w, **extra):
    now = timezone.now()
    data = {
        "mode": "requisition",
        "description": "履带式挖掘机",
        "quantity": 1,
        "plate_or_serial": "SY215C-2024-0318",
        "with_operator": True,
        "owner_organisation": w.builder_a,
        "owner_name": "",
        "owner_phone": "13963501234",
        "needed_from": now,
        "needed_until": now + datetime.timedelta(days=2),
        "purpose": "卫运河临清段堤防加固、封堵决口",
    }
    data.update(extra)
    return data


def make_requisition(w, actor=None, **extra):
    return requisition_services.request_requisition(
        actor=actor or w.duty_officer_a,
        incident_id=w.incident_a.pk,
        data=requisition_data(w, **extra),
    )


def returned_requisition(w):
    req = make_requisition(w)
    requisition_services.record_handover(
        actor=w.duty_officer_a,
        requisition_id=req.pk,
        at=timezone.now() - datetime.timedelta(hours=5),
        condition="完好，油量满",
    )
    return requisition_services.record_return(
        actor=w.duty_officer_a,
        requisition_id=req.pk,
        at=timezone.now() - datetime.timedelta(hours=1),
        condition="履带磨损",
        damage="左侧履带板断裂2块",
    )


COSTS = [
    {"category": "fuel", "description": "柴油 800 升", "amount": "6400.00"},
    {"category": "personnel", "description": "队员补助 20 人×2 天", "amount": "8000"},
    {"category": "equipment_wear", "description": "冲锋舟螺旋桨更换", "amount": "1250.50"},
]


def claim_data(w, **extra):
    data = {
        "force": w.force_a,
        "incident": w.incident_a,
        "basis": "no_liable_party",
        "summary": "12月3日至4日参与卫运河临清段抢险，转移群众 320 人。",
        "bank_account_name": "临清市水利局",
        "bank_account": "6222 0216 0000 1234 567",
    }
    data.update(extra)
    return data


def make_claim(w, actor=None, costs=COSTS, **extra):
    return compensation.create_claim(
        actor=actor or w.editor_a, data=claim_data(w, **extra), costs=costs
    )


def submitted_claim(w):
    claim = make_claim(w)
    return compensation.submit_claim(actor=w.editor_a, claim_id=claim.pk)


def reviewed_claim(w):
    claim = submitted_claim(w)
    return compensation.review_claim(
        actor=w.editor_a, claim_id=claim.pk, opinion="情况属实，建议按 15000 元补偿。"
    )
