"""Drill pages: permission matrix, forms through services, calendar, compliance, and
constant query counts on the list pages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from drills import services
from drills.models import AnnualDrillPlan, Drill, FollowUpAction
from tests.drills.helpers import conducted, plan_drill

pytestmark = pytest.mark.django_db

READ_PAGES = [
    "/drills/",
    "/drills/calendar/",
    "/drills/compliance/",
    "/drills/plans/",
    "/drills/contingency-plans/",
]


@pytest.fixture
def browser_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def drill_a(dw):
    return plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2026, 5, 20))


# --- permission matrix -------------------------------------------------------------------


@pytest.mark.parametrize("url", [*READ_PAGES, "/drills/new/"])
def test_anonymous_is_sent_to_login(dw, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"]


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize("persona", ["screen_a", "force_account_a"])
def test_roles_without_registry_access_get_403(dw, browser_as, url, persona):
    assert browser_as(getattr(dw, persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize("persona", ["duty_officer_a", "editor_power_a", "expert_a", "admin_city"])
def test_readers_get_200(dw, browser_as, url, persona):
    assert browser_as(getattr(dw, persona)).get(url).status_code == 200


@pytest.mark.parametrize(
    ("persona", "detail", "edit", "conduct"),
    [
        ("duty_officer_a", 200, 200, 200),  # bureau staff of the organiser
        ("admin_city", 200, 200, 200),  # upper-level administrator
        ("approver_city", 200, 200, 200),  # upper-level bureau
        ("expert_a", 200, 403, 403),  # reads only
        ("editor_power_a", 200, 403, 403),  # other organisation, same county
        ("duty_officer_b", 404, 404, 404),  # other county
        ("screen_a", 403, 403, 403),  # no registry role
    ],
)
def test_drill_pages_matrix(dw, browser_as, drill_a, persona, detail, edit, conduct):
    client = browser_as(getattr(dw, persona))
    assert client.get(f"/drills/{drill_a.pk}/").status_code == detail
    assert client.get(f"/drills/{drill_a.pk}/edit/").status_code == edit
    assert client.get(f"/drills/{drill_a.pk}/conduct/").status_code == conduct


def test_expert_cannot_open_the_new_drill_form(dw, browser_as):
    assert browser_as(dw.expert_a).get("/drills/new/").status_code == 403


def test_nav_shows_drills_for_readers_only(dw, browser_as):
    assert 'href="/drills/"' in browser_as(dw.duty_officer_a).get("/").content.decode()
    assert 'href="/drills/"' not in browser_as(dw.screen_a).get("/").content.decode()


# --- forms -------------------------------------------------------------------------------


def test_plan_drill_through_the_form(dw, browser_as):
    client = browser_as(dw.duty_officer_a)
    response = client.post(
        "/drills/new/",
        {
            "title": "城区防汛综合演练",
            "drill_type": "comprehensive",
            "hazard": "flood",
            "organiser": dw.bureau_a.pk,
            "planned_date": "2026-07-01",
            "participating_organisations": [dw.water_a.pk],
            "participating_forces": [dw.force_a.pk],
            "contingency_plan": dw.flood_plan_a.pk,
        },
    )
    drill = Drill.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/drills/{drill.pk}/"
    assert drill.is_multi_department
    assert drill.history.latest().history_user == dw.duty_officer_a


def test_form_shows_inline_errors_and_saves_nothing(dw, browser_as):
    response = browser_as(dw.duty_officer_a).post(
        "/drills/new/", {"title": "", "drill_type": "comprehensive"}
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Drill.objects.exists()


def test_form_refusal_from_service_lands_on_the_field(dw, browser_as):
    """The annual plan of another year is refused by the service, shown on its field."""
    plan = services.create_annual_plan(actor=dw.admin_a, organisation=dw.bureau_a, year=2025)
    response = browser_as(dw.duty_officer_a).post(
        "/drills/new/",
        {
            "title": "演练",
            "drill_type": "tabletop",
            "organiser": dw.bureau_a.pk,
            "planned_date": "2026-07-01",
            "annual_plan": plan.pk,
        },
    )
    assert response.status_code == 400
    assert 'id="field-annual_plan"' in response.content.decode()
    assert not Drill.objects.exists()


def test_conduct_evaluate_and_close_through_pages(dw, browser_as, drill_a):
    client = browser_as(dw.duty_officer_a)
    today = timezone.localdate().isoformat()
    response = client.post(f"/drills/{drill_a.pk}/conduct/", {"conducted_on": today})
    assert response.status_code == 302
    assert client.get(f"/drills/{drill_a.pk}/evaluate/").status_code == 200
    response = client.post(
        f"/drills/{drill_a.pk}/evaluate/",
        {
            "score": "85",
            "improvements": "完善预案",
            "problems-TOTAL_FORMS": "2",
            "problems-INITIAL_FORMS": "0",
            "problems-0-problem": "通信不畅",
            "problems-0-owner": dw.water_a.pk,
            "problems-0-deadline": "2099-01-01",
            "problems-1-problem": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = FollowUpAction.objects.get()
    response = browser_as(dw.editor_a).post(
        f"/drills/actions/{action.pk}/close/", {"closure_note": "已整改"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.closed_by == dw.editor_a
    page = client.get(f"/drills/{drill_a.pk}/").content.decode()
    assert "已整改" in page and "85" in page


def test_invalid_transition_is_a_message_not_an_error(dw, browser_as):
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    client = browser_as(dw.admin_a)
    response = client.post(f"/drills/{drill.pk}/conduct/", {"conducted_on": "2026-05-23"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "alert-danger" in page


def test_evaluation_problem_without_owner_is_a_field_error(dw, browser_as):
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    response = browser_as(dw.admin_a).post(
        f"/drills/{drill.pk}/evaluate/",
        {
            "score": "85",
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            "problems-0-problem": "通信不畅",
        },
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert Drill.objects.get(pk=drill.pk).status == "conducted"


def test_annual_plan_page_creates_plan_and_refuses_duplicate(dw, browser_as):
    client = browser_as(dw.admin_a)
    data = {"organisation": dw.bureau_a.pk, "year": "2026", "notes": ""}
    response = client.post("/drills/plans/", data)
    assert response.status_code == 302
    plan = AnnualDrillPlan.objects.get()
    assert client.get(plan.get_absolute_url()).status_code == 200
    again = client.post("/drills/plans/", data)
    assert again.status_code == 400
    assert "field-error" in again.content.decode()


def test_contingency_plan_page_registers_plan(dw, browser_as):
    response = browser_as(dw.editor_power_a).post(
        "/drills/contingency-plans/",
        {
            "organisation": dw.power_a.pk,
            "name": "大面积停电专项预案",
            "kind": "special",
            "hazard": "flood",
        },
    )
    assert response.status_code == 302


# --- calendar and compliance ---------------------------------------------------------------


def test_calendar_shows_the_months_drills_and_navigates_with_htmx(dw, browser_as, drill_a):
    client = browser_as(dw.duty_officer_a)
    page = client.get("/drills/calendar/", {"month": "2026-05"}).content.decode()
    assert drill_a.title in page and "2026-05" in page
    partial = client.get("/drills/calendar/", {"month": "2026-06"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "2026-06" in body and "<html" not in body and drill_a.title not in body
    assert client.get("/drills/calendar/", {"month": "garbage"}).status_code == 200


def test_calendar_hides_other_county(dw, browser_as, drill_a):
    page = browser_as(dw.duty_officer_b).get("/drills/calendar/", {"month": "2026-05"})
    assert drill_a.title not in page.content.decode()


def test_compliance_page_groups_by_jurisdiction(dw, browser_as):
    page = browser_as(dw.admin_city).get("/drills/compliance/").content.decode()
    assert "临清市应急管理局" in page and "阳谷县应急管理局" in page
    county = browser_as(dw.duty_officer_b).get("/drills/compliance/").content.decode()
    assert "阳谷县应急管理局" in county and "临清市应急管理局" not in county


# --- query counts ------------------------------------------------------------------------


def _add(dw, n, start):
    for i in range(n):
        conducted(
            dw.admin_a,
            dw.bureau_a,
            date(2026, 1, start + i),
            title=f"演练{start + i}",
            organisations=[dw.water_a, dw.fire_a],
        )
        services.create_annual_plan(
            actor=dw.admin_a, organisation=dw.water_a, year=2000 + start + i
        )
        services.create_contingency_plan(
            actor=dw.admin_a, organisation=dw.bureau_a, name=f"预案{start + i}", kind="overall"
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", [*READ_PAGES[:1], "/drills/calendar/?month=2026-01", *READ_PAGES[2:]]
)
def test_list_page_query_count_is_constant(dw, browser_as, url):
    client = browser_as(dw.admin_a)
    _add(dw, 2, 1)
    first = _queries(client, url)
    _add(dw, 8, 3)
    assert _queries(client, url) == first


def test_detail_query_count_is_constant(dw, browser_as):
    client = browser_as(dw.admin_a)
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23), organisations=[dw.water_a])
    services.evaluate_drill(
        actor=dw.admin_a,
        drill_id=drill.pk,
        score=80,
        problems=[
            services.ProblemInput(problem="问题", owner=dw.water_a, deadline=date(2026, 8, 1))
        ],
    )
    first = _queries(client, f"/drills/{drill.pk}/")
    for i in range(5):
        FollowUpAction.objects.create(
            drill=drill, problem=f"问题{i}", owner=dw.fire_a, deadline=date(2026, 8, 1)
        )
    assert _queries(client, f"/drills/{drill.pk}/") == first
