"""Dispatch-chain pages (SPEC §4): the permission matrix of every page, the chain through
the pages (draft with a formset → submit → approve → orders), special-period consent shown
as an alert, order steps, reinforcement and notices, and constant query counts on lists."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dispatch import services
from dispatch.choices import OrderStatus, PlanStatus, ReinforcementStatus, SpecialPeriodKind
from dispatch.models import CallOutOrder, CallOutPlan, ReinforcementRequest, SpecialPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
IN_FLOOD_SEASON = datetime(2026, 7, 15, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def plan_data(forces, *, task="封堵卫运河临清段决口", reason="险情扩大，需专业抢险力量", people=8):
    data = {
        "task": task,
        "reason": reason,
        "lines-TOTAL_FORMS": str(len(forces)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, force in enumerate(forces):
        data |= {
            f"lines-{i}-force": str(force.pk),
            f"lines-{i}-task": "",
            f"lines-{i}-people": str(people),
            f"lines-{i}-equipment": "冲锋舟2艘",
        }
    return data


def html(response) -> str:
    return response.content.decode()


def ids(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


def submitted_plan(w, forces=None):
    return f.plan(w.dispatcher_a, w.incident_a, forces or [w.force_a], submit=True)


def approved_plan(w, forces=None):
    plan = submitted_plan(w, forces)
    orders = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    return plan, orders


def flood_season(jurisdiction):
    return SpecialPeriod.objects.create(
        kind=SpecialPeriodKind.FLOOD_SEASON,
        name="聊城市汛期",
        jurisdiction=jurisdiction,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 9, 30),
        recurs_yearly=True,
    )


# --- permission matrix ------------------------------------------------------------------------


def page_urls(w):
    plan, orders = approved_plan(w)
    request = services.request_reinforcement(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, needs="冲锋舟", reason="力量不足"
    )
    return {
        "plan_list": "/dispatch/plans/",
        "plan_create": f"/dispatch/incidents/{w.incident_a.pk}/plans/new/",
        "plan_detail": f"/dispatch/plans/{plan.pk}/",
        "order_list": "/dispatch/orders/",
        "order_detail": f"/dispatch/orders/{orders[0].pk}/",
        "order_pdf": f"/dispatch/orders/{orders[0].pk}/pdf/",
        "reinforcement_list": "/dispatch/reinforcements/",
        "reinforcement_create": f"/dispatch/incidents/{w.incident_a.pk}/reinforcements/new/",
        "reinforcement_detail": f"/dispatch/reinforcements/{request.pk}/",
        "notice_list": "/dispatch/notices/",
    }


def test_anonymous_is_sent_to_login(incident_world, client):
    for name, url in page_urls(incident_world).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/"), name


@pytest.mark.parametrize(
    ("persona", "forbidden"),
    [
        (
            "screen_a",
            [
                "plan_list",
                "plan_create",
                "plan_detail",
                "order_list",
                "order_detail",
                "order_pdf",
                "reinforcement_list",
                "reinforcement_create",
                "reinforcement_detail",
                "notice_list",
            ],
        ),
        (
            "force_account_a",
            [
                "plan_list",
                "plan_create",
                "plan_detail",
                "reinforcement_list",
                "reinforcement_create",
                "reinforcement_detail",
                "notice_list",
            ],
        ),
        ("duty_officer_a", ["plan_create"]),
        ("approver_a", ["plan_create"]),
        ("dispatcher_a", ["reinforcement_create"]),
        ("editor_power_a", ["plan_create", "order_list", "reinforcement_list"]),
    ],
)
def test_wrong_role_gets_403(incident_world, as_user, persona, forbidden):
    urls = page_urls(incident_world)
    client = as_user(getattr(incident_world, persona))
    for name in forbidden:
        assert client.get(urls[name]).status_code == 403, name


def test_other_jurisdiction_gets_404(incident_world, as_user):
    w = incident_world
    urls = page_urls(w)
    for persona in ("dispatcher_b", "approver_b"):
        client = as_user(getattr(w, persona))
        for name in ("plan_detail", "order_detail", "order_pdf", "reinforcement_detail"):
            assert client.get(urls[name]).status_code == 404, (persona, name)
    client = as_user(w.dispatcher_b)
    assert client.get(urls["plan_create"]).status_code == 404
    client = as_user(w.duty_officer_b)
    assert client.get(urls["reinforcement_create"]).status_code == 404
    # Another organisation's force account does not see the order at all.
    client = as_user(w.force_account_power_a)
    assert client.get(urls["order_detail"]).status_code == 404


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        (
            "dispatcher_a",
            [
                "plan_list",
                "plan_create",
                "plan_detail",
                "order_list",
                "order_detail",
                "order_pdf",
                "reinforcement_list",
                "reinforcement_detail",
                "notice_list",
            ],
        ),
        (
            "approver_a",
            [
                "plan_list",
                "plan_detail",
                "order_list",
                "order_detail",
                "reinforcement_list",
                "reinforcement_create",
                "reinforcement_detail",
                "notice_list",
            ],
        ),
        ("duty_officer_a", ["plan_list", "plan_detail", "order_list", "reinforcement_create"]),
        ("force_account_a", ["order_list", "order_detail", "order_pdf"]),
        ("editor_a", ["plan_list", "plan_detail", "notice_list"]),
        ("approver_city", ["plan_detail", "order_detail", "reinforcement_detail"]),
    ],
)
def test_right_role_gets_200(incident_world, as_user, persona, allowed):
    urls = page_urls(incident_world)
    client = as_user(getattr(incident_world, persona))
    for name in allowed:
        assert client.get(urls[name]).status_code == 200, name


# --- the chain through the pages ----------------------------------------------------------


def test_dispatcher_drafts_submits_and_approver_approves_through_the_pages(incident_world, as_user):
    """Liaocheng §三.一.2: the brigade drafts and submits, the same-level bureau approves,
    and the orders go to each force."""
    w = incident_world
    client = as_user(w.dispatcher_a)
    detail = html(client.get(f"/command/incidents/{w.incident_a.pk}/"))
    assert 'id="draft-plan"' in detail
    form_page = client.get(f"/dispatch/incidents/{w.incident_a.pk}/plans/new/")
    assert form_page.status_code == 200
    page = html(form_page)
    for marker in ('id="plan-form"', 'id="id_task"', 'id="id_reason"', 'id="save-plan"'):
        assert marker in page
    assert f'data-force-id="{w.force_a.pk}"' in page and "add-suggestion" in page

    response = client.post(
        f"/dispatch/incidents/{w.incident_a.pk}/plans/new/",
        plan_data([w.force_a, w.force_power_a]),
    )
    assert response.status_code == 302
    plan = CallOutPlan.objects.get()
    assert response["Location"] == f"/dispatch/plans/{plan.pk}/"
    assert plan.status == PlanStatus.DRAFT and plan.drafted_by == w.dispatcher_a
    assert sorted(plan.lines.values_list("force_id", "people")) == sorted(
        [(w.force_a.pk, 8), (w.force_power_a.pk, 8)]
    )

    page = html(client.get(f"/dispatch/plans/{plan.pk}/"))
    assert 'data-status="draft"' in page and 'id="submit-plan"' in page
    assert 'id="approve-plan"' not in page
    response = client.post(f"/dispatch/plans/{plan.pk}/submit/", follow=True)
    assert response.status_code == 200
    page = html(response)
    assert re.search(r'id="plan-status" data-status="submitted"', page)
    # The drafter sees no approve button and cannot approve by posting either.
    assert 'id="approve-plan"' not in page and 'id="reject-plan"' not in page
    assert client.post(f"/dispatch/plans/{plan.pk}/approve/").status_code == 403

    client = as_user(w.approver_a)
    page = html(client.get("/dispatch/plans/"))
    assert f'data-plan-id="{plan.pk}"' in page
    page = html(client.get(f"/dispatch/plans/{plan.pk}/"))
    assert 'id="approve-plan"' in page and 'id="reject-plan"' in page
    assert 'id="id_rejection_reason"' in page
    response = client.post(f"/dispatch/plans/{plan.pk}/approve/", follow=True)
    assert response.status_code == 200
    page = html(response)
    assert 'id="plan-status" data-status="approved"' in page
    assert page.count('class="order-row') == 2
    orders = CallOutOrder.objects.filter(plan=plan)
    assert orders.count() == 2
    for order in orders:
        assert f'href="/dispatch/orders/{order.pk}/"' in page

    page = html(client.get("/dispatch/orders/"))
    assert len(ids(page, r'class="order-row[^"]*" data-status="issued"')) == 2


def test_invalid_formset_shows_errors_inline_with_400(incident_world, as_user):
    w = incident_world
    client = as_user(w.dispatcher_a)
    url = f"/dispatch/incidents/{w.incident_a.pk}/plans/new/"
    response = client.post(url, plan_data([w.force_a], task=""))
    assert response.status_code == 400
    assert "field-error" in html(response)
    # A force of another county is not a choice for this brigade.
    response = client.post(url, plan_data([w.force_b]))
    assert response.status_code == 400
    assert "field-error" in html(response)
    # The service's refusals (a force twice) come back as an alert on the form.
    data = plan_data([w.force_a, w.force_a])
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'class="alert alert-danger"' in html(response)
    # No line at all: the service refuses a plan without forces.
    response = client.post(url, plan_data([]))
    assert response.status_code == 400 and "alert-danger" in html(response)
    assert not CallOutPlan.objects.exists()


def test_draft_is_edited_through_the_form(incident_world, as_user):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a])
    client = as_user(w.dispatcher_a)
    page = html(client.get(f"/dispatch/plans/{plan.pk}/edit/"))
    assert f'<option value="{w.force_a.pk}" selected>' in page
    response = client.post(
        f"/dispatch/plans/{plan.pk}/edit/", plan_data([w.force_power_a], task="新任务")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.task == "新任务"
    assert list(plan.lines.values_list("force_id", flat=True)) == [w.force_power_a.pk]
    # Another brigade's dispatcher may not edit; the approver's role may not draft.
    assert as_user(w.approver_a).get(f"/dispatch/plans/{plan.pk}/edit/").status_code == 403
    assert as_user(w.dispatcher_b).get(f"/dispatch/plans/{plan.pk}/edit/").status_code == 404


def test_rejection_needs_a_reason_shown_inline(incident_world, as_user):
    """Liaocheng §三.一.2: the bureau approves or rejects with a reason."""
    w = incident_world
    plan = submitted_plan(w)
    client = as_user(w.approver_a)
    response = client.post(f"/dispatch/plans/{plan.pk}/reject/", {"rejection_reason": " "})
    assert response.status_code == 400
    assert "field-error" in html(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    response = client.post(
        f"/dispatch/plans/{plan.pk}/reject/", {"rejection_reason": "力量过剩"}, follow=True
    )
    assert 'data-status="rejected"' in html(response) and "力量过剩" in html(response)


def test_deciding_twice_shows_an_alert_not_an_error(incident_world, as_user):
    w = incident_world
    plan, _ = approved_plan(w)
    response = as_user(w.approver_a).post(f"/dispatch/plans/{plan.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "alert-danger" in html(response)


def test_approver_sees_consent_missing_in_flood_season(incident_world, as_user):
    """Liaocheng §三.一.2: in the flood season the bureau first obtains the consent of each
    force's industry department; the page names the missing departments."""
    w = incident_world
    flood_season(w.city)
    with time_machine.travel(IN_FLOOD_SEASON, tick=False):
        plan = submitted_plan(w, [w.force_a, w.force_power_a])
        client = as_user(w.approver_a)
        page = html(client.get(f"/dispatch/plans/{plan.pk}/"))
        assert 'id="special-period"' in page and 'id="consent-form"' in page
        response = client.post(f"/dispatch/plans/{plan.pk}/approve/", follow=True)
        assert response.status_code == 200
        page = html(response)
        alert = re.search(r'<div class="alert alert-danger[^>]*>(.*?)<button', page, re.S)
        assert alert and "临清市水利局" in alert.group(1) and "国网临清市供电公司" in alert.group(1)
        assert 'data-status="submitted"' in page

        # The department gives its consent with one click.
        editor = as_user(w.editor_a)
        page = html(editor.get(f"/dispatch/plans/{plan.pk}/"))
        assert 'id="give-consent"' in page and 'id="approve-plan"' not in page
        assert editor.post(f"/dispatch/plans/{plan.pk}/consent/").status_code == 302

        # The approver records the other department's consent: whom and when are required.
        client = as_user(w.approver_a)
        response = client.post(
            f"/dispatch/plans/{plan.pk}/consent/", {"organisation": w.power_a.pk}
        )
        assert response.status_code == 400
        assert html(response).count("field-error") >= 2
        response = client.post(
            f"/dispatch/plans/{plan.pk}/consent/",
            {
                "organisation": w.power_a.pk,
                "consulted_person": "李供电",
                "consulted_at": "2026-07-15T09:40",
            },
        )
        assert response.status_code == 302
        response = client.post(f"/dispatch/plans/{plan.pk}/approve/", follow=True)
    page = html(response)
    assert 'data-status="approved"' in page and "李供电" in page
    assert CallOutOrder.objects.filter(plan=plan).count() == 2


def test_force_account_steps_its_order_and_dispatcher_acts_on_its_behalf(incident_world, as_user):
    """Zhoushan §三.2: acknowledge, depart, arrive, complete, result — the next step only."""
    w = incident_world
    _plan, [order] = approved_plan(w)
    url = f"/dispatch/orders/{order.pk}/"
    client = as_user(w.force_account_a)
    page = html(client.get("/dispatch/orders/"))
    assert f'data-order-id="{order.pk}"' in page
    page = html(client.get(url))
    assert 'id="step-acknowledge"' in page and 'id="step-depart"' not in page
    assert "on the force&#x27;s behalf" not in page
    assert client.post(f"{url}step/", {"action": "acknowledge"}).status_code == 302
    # Skipping a step is refused and shown as an alert.
    response = client.post(f"{url}step/", {"action": "arrive"}, follow=True)
    assert "alert-danger" in html(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED

    dispatcher = as_user(w.dispatcher_a)
    page = html(dispatcher.get(url))
    assert 'id="step-depart"' in page
    for action in ("depart", "arrive", "complete"):
        assert dispatcher.post(f"{url}step/", {"action": action}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.last_step_on_behalf

    # The result needs a description: shown inline with 400.
    response = dispatcher.post(f"{url}step/", {"action": "result", "result": ""})
    assert response.status_code == 400 and "field-error" in html(response)
    response = dispatcher.post(
        f"{url}step/", {"action": "result", "result": "转移群众32人", "people_rescued": "32"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REPORTED and order.people_rescued == 32

    # The approver sees the order but may not step it.
    page = html(as_user(w.approver_a).get(url))
    assert 'id="next-step"' not in page


def test_overdue_order_is_flagged(incident_world, as_user):
    w = incident_world
    _plan, [order] = approved_plan(w)
    later = order.ack_deadline.astimezone(BEIJING).replace(microsecond=0)
    with time_machine.travel(later.timestamp() + 60, tick=False):
        page = html(as_user(w.approver_a).get(f"/dispatch/orders/{order.pk}/"))
        assert 'class="alert alert-danger overdue"' in page
        assert 'data-kind="ack_overdue"' in page
        listing = html(as_user(w.approver_a).get("/dispatch/orders/"))
        assert "overdue-badge" in listing


def test_reinforcement_through_the_pages(incident_world, as_user):
    """Liaocheng §三.一.2: the county bureau applies to the city bureau; once approved, the
    city brigade drafts the plan with forces from outside the requesting county."""
    w = incident_world
    client = as_user(w.duty_officer_a)
    page = html(client.get(f"/command/incidents/{w.incident_a.pk}/"))
    assert 'id="request-reinforcement"' in page
    url = f"/dispatch/incidents/{w.incident_a.pk}/reinforcements/new/"
    response = client.post(url, {"needs": "", "reason": ""})
    assert response.status_code == 400 and "field-error" in html(response)
    response = client.post(url, {"needs": "冲锋舟10艘", "reason": "本地力量不足"})
    assert response.status_code == 302
    request = ReinforcementRequest.objects.get()

    # The requesting county's approver may not decide; the city's approver does.
    assert (
        as_user(w.approver_a)
        .post(f"/dispatch/reinforcements/{request.pk}/decide/", {"decision": "approve"})
        .status_code
        == 403
    )
    client = as_user(w.approver_city)
    page = html(client.get(f"/dispatch/reinforcements/{request.pk}/"))
    assert 'id="approve-reinforcement"' in page
    response = client.post(f"/dispatch/reinforcements/{request.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 400  # a rejection needs a reason
    response = client.post(
        f"/dispatch/reinforcements/{request.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ReinforcementStatus.APPROVED

    client = as_user(w.dispatcher_city)
    page = html(client.get(f"/dispatch/reinforcements/{request.pk}/"))
    assert 'id="draft-reinforcement-plan"' in page
    form_url = f"/dispatch/reinforcements/{request.pk}/plans/new/"
    page = html(client.get(form_url))
    suggested = set(ids(page, r'class="list-group-item suggestion" data-force-id="(\d+)"'))
    assert str(w.force_b.pk) in suggested
    assert str(w.force_a.pk) not in suggested and str(w.force_power_a.pk) not in suggested
    response = client.post(form_url, plan_data([w.force_b]))
    assert response.status_code == 302
    plan = CallOutPlan.objects.get(reinforcement=request)
    assert plan.jurisdiction == w.city
    # A county-A force cannot be slipped into the reinforcement plan.
    response = client.post(form_url, plan_data([w.force_a]))
    assert response.status_code == 400
    # The county county's dispatcher cannot draft it.
    assert as_user(w.dispatcher_a).get(form_url).status_code == 403


def test_notices_are_listed_for_the_department_and_the_bureau(
    incident_world, as_user, django_capture_on_commit_callbacks
):
    """Liaocheng §三.一.2: the industry department is notified for the record (报备)."""
    w = incident_world
    with django_capture_on_commit_callbacks(execute=True):
        approved_plan(w, [w.force_a, w.force_power_a])
    water = html(as_user(w.editor_a).get("/dispatch/notices/"))
    assert water.count('class="notice-row"') == 1 and w.force_a.name in water
    assert 'data-status="delivered"' in water
    bureau = html(as_user(w.approver_a).get("/dispatch/notices/"))
    assert bureau.count('class="notice-row"') == 2
    other = html(as_user(w.editor_b).get("/dispatch/notices/"))
    assert other.count('class="notice-row"') == 0


def test_plans_awaiting_approval_come_first_for_approvers(incident_world, as_user):
    w = incident_world
    waiting = submitted_plan(w)
    newer_draft = f.plan(w.dispatcher_a, w.incident_a, [w.force_power_a])
    page = html(as_user(w.approver_a).get("/dispatch/plans/"))
    assert ids(page, r'data-plan-id="(\d+)"') == [str(waiting.pk), str(newer_draft.pk)]
    page = html(as_user(w.dispatcher_a).get("/dispatch/plans/"))
    assert ids(page, r'data-plan-id="(\d+)"') == [str(newer_draft.pk), str(waiting.pk)]
    page = html(as_user(w.approver_a).get("/dispatch/plans/?status=draft"))
    assert ids(page, r'data-plan-id="(\d+)"') == [str(newer_draft.pk)]


def test_department_sees_only_plans_needing_its_consent(incident_world, as_user):
    w = incident_world
    plan = submitted_plan(w, [w.force_a])
    client = as_user(w.editor_power_a)
    assert ids(html(client.get("/dispatch/plans/")), r'data-plan-id="(\d+)"') == []
    assert client.get(f"/dispatch/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/dispatch/plans/{plan.pk}/consent/").status_code == 404
    client = as_user(w.editor_a)
    assert ids(html(client.get("/dispatch/plans/")), r'data-plan-id="(\d+)"') == [str(plan.pk)]
    # Outside a special period nothing is asked of the department, and it cannot decide.
    page = html(client.get(f"/dispatch/plans/{plan.pk}/"))
    assert 'id="approve-plan"' not in page and 'id="submit-plan"' not in page
    assert client.post(f"/dispatch/plans/{plan.pk}/approve/").status_code == 403


# --- query counts -----------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("approver_a", "/dispatch/plans/"),
        ("approver_a", "/dispatch/orders/"),
        ("force_account_a", "/dispatch/orders/"),
        ("approver_a", "/dispatch/notices/"),
        ("approver_city", "/dispatch/reinforcements/"),
    ],
)
def test_list_query_count_is_constant(incident_world, as_user, persona, url):
    w = incident_world
    client = as_user(getattr(w, persona))
    approved_plan(w, [w.force_a])
    services.request_reinforcement(
        actor=w.duty_officer_a, incident_id=w.incident_a.pk, needs="a", reason="b"
    )
    first = _count(client, url)
    for n in range(3):
        extra = f.force(
            w.editor_a, w.water_a, name=f"临清市抢险{n}队", industry_authority=w.water_a
        )
        approved_plan(w, [extra])
        services.request_reinforcement(
            actor=w.duty_officer_a, incident_id=w.incident_a.pk, needs="a", reason="b"
        )
    assert _count(client, url) == first
