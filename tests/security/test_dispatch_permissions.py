"""The pages, the API and the services of the dispatch chain ask one module,
``dispatch.permissions``: for every persona, what a page offers is exactly what the
service then allows (issue 9: the drafter never approves, said in one place)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.exceptions import DomainError
from core.models import User
from dispatch import permissions, services
from dispatch.models import CallOutPlan
from tests import factories as f

PERSONAS = (
    "dispatcher_a",
    "dispatcher_b",
    "dispatcher_city",
    "approver_a",
    "approver_b",
    "approver_city",
    "duty_officer_a",
    "editor_a",
    "editor_power_a",
    "force_account_a",
    "screen_a",
    "admin_a",
)


def _user(w, name: str) -> User:
    return getattr(w, name)


@pytest.mark.parametrize("name", PERSONAS)
def test_the_approve_button_is_offered_exactly_to_whom_the_service_lets_approve(
    incident_world, client, name
):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    user = _user(w, name)
    offered = permissions.may_decide_plan(user, plan)
    client.force_login(user)
    page = client.get(reverse("dispatch:plan_detail", args=[plan.pk]))
    shown = page.status_code == 200 and page.context["can_decide"]
    try:
        services.approve_plan(actor=user, plan_id=plan.pk)
        allowed = True
    except DomainError:
        allowed = False
    assert shown == offered == allowed


def test_the_drafter_is_never_offered_the_decision_even_when_also_an_approver(
    incident_world, client
):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    w.dispatcher_a.groups.add(*w.approver_a.groups.all())
    w.dispatcher_a.organisation = w.approver_a.organisation
    w.dispatcher_a.save(update_fields=["organisation"])
    drafter = User.objects.get(pk=w.dispatcher_a.pk)
    plan = CallOutPlan.objects.get(pk=plan.pk)
    assert permissions.is_bureau_approver_of(drafter, plan.jurisdiction)
    assert not permissions.may_decide_plan(drafter, plan)
    client.force_login(drafter)
    page = client.get(reverse("dispatch:plan_detail", args=[plan.pk]))
    assert page.status_code == 200
    assert not page.context["can_decide"]


def test_selectors_read_without_importing_the_services():
    import ast
    from pathlib import Path

    import dispatch.selectors as selectors

    tree = ast.parse(Path(selectors.__file__).read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any(name.startswith("dispatch.services") for name in imported)
    assert not any(
        isinstance(node, ast.ImportFrom)
        and node.module == "dispatch"
        and any(a.name == "services" for a in node.names)
        for node in ast.walk(tree)
    )
