"""Pages of the grid register under /warnings/grids/: list with masked phones and filters,
create and edit with field errors, import with the row report, export and template."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.choices import OrganisationKind as K
from core.roles import Role
from earlywarning import grid_census
from earlywarning.models import Grid
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("earlywarning:grid_list")
CREATE = reverse("earlywarning:grid_create")
IMPORT = reverse("earlywarning:grid_import")
EXPORT = reverse("earlywarning:grid_export")
TEMPLATE = reverse("earlywarning:grid_template")


def edit_url(grid):
    return reverse("earlywarning:grid_edit", args=[grid.pk])


def form_data(w, **overrides):
    data = {
        "jurisdiction": w.village_a2.pk,
        "code": "371581101002-02",
        "name": "东关村二网格",
        "person_name": "钱小红",
        "person_phone": "13805351010",
        "supervisor_name": "刘镇长",
        "supervisor_phone": "13905350001",
        "households": "120",
        "is_active": "on",
        "external_id": "",
        "note": "",
    }
    data.update(overrides)
    return data


def xlsx(rows) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = grid_census.SHEET_TITLE
    ws.append(["网格编码", "网格名称", "所在行政区划代码", "网格责任人", "责任人电话"])
    for r in rows:
        ws.append(r)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "grids.xlsx"
    return out


@pytest.fixture
def gw(warning_world):
    w = warning_world
    w.town_gov_a = f.organisation("松林镇人民政府", K.GOVERNMENT_OFFICE, w.town_a)
    w.town_editor_a = f.user("town_editor_a", w.town_gov_a, Role.DEPARTMENT_EDITOR)
    return w


@pytest.mark.parametrize(
    ("persona", "list_status", "create_status"),
    [
        ("duty_officer_a", 200, 200),
        ("approver_a", 200, 200),
        ("admin_a", 200, 200),
        ("town_editor_a", 200, 200),
        ("dispatcher_a", 200, 403),
        ("editor_a", 200, 403),
        ("sync_client", 200, 403),
        ("screen_a", 403, 403),
        ("force_account_a", 403, 403),
    ],
)
def test_page_permission_matrix_per_role(client, gw, persona, list_status, create_status):
    client.force_login(getattr(gw, persona))
    assert client.get(LIST).status_code == list_status
    assert client.get(CREATE).status_code == create_status
    assert client.get(IMPORT).status_code == create_status
    assert client.get(EXPORT).status_code == list_status
    assert client.get(TEMPLATE).status_code == list_status


def test_anonymous_users_are_sent_to_login(client, gw):
    for url in (LIST, CREATE, IMPORT, EXPORT, edit_url(gw.grid_a1)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_list_masks_phones_for_readers_and_shows_them_to_managers(client, gw):
    client.force_login(gw.dispatcher_a)
    page = client.get(LIST).content.decode()
    assert "138****1001" in page and "13805351001" not in page
    assert "139****0001" in page
    assert "博济桥网格" not in page  # county B
    assert edit_url(gw.grid_a1) not in page

    client.force_login(gw.duty_officer_a)
    page = client.get(LIST).content.decode()
    assert "13805351001" in page and "13905350001" in page
    assert edit_url(gw.grid_a1) in page


def test_list_filters_by_search_jurisdiction_and_active(client, gw):
    Grid.objects.filter(pk=gw.grid_a3.pk).update(is_active=False)
    client.force_login(gw.admin_city)
    page = client.get(LIST, {"q": "王秀英"}).content.decode()
    assert "松林村二网格" in page and "松林村一网格" not in page
    page = client.get(LIST, {"jurisdiction": "371581102"}).content.decode()
    assert "先锋社区一网格" in page and "先锋街道机关网格" in page
    assert "松林村一网格" not in page and "博济桥网格" not in page
    page = client.get(LIST, {"is_active": "false"}).content.decode()
    assert "东关村网格" in page and "松林村一网格" not in page
    rows = client.get(LIST, {"q": "网格"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows and 'id="grid-table"' in rows


def test_create_registers_a_grid_and_returns_to_the_list(client, gw):
    client.force_login(gw.town_editor_a)
    response = client.post(CREATE, form_data(gw))
    assert response.status_code == 302
    assert response["Location"] == LIST
    grid = Grid.objects.get(code="371581101002-02")
    assert grid.history.get().history_user == gw.town_editor_a


def test_create_form_shows_field_errors_and_saves_nothing(client, gw):
    client.force_login(gw.duty_officer_a)
    response = client.post(
        CREATE, form_data(gw, person_phone="110", code="371581101001-01", person_name="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("person_phone", "code", "person_name"):
        assert f'id="field-{field}"' in page
    assert page.count("field-error") >= 3
    assert not Grid.objects.filter(name="东关村二网格").exists()


def test_form_offers_only_places_the_user_keeps(client, gw):
    client.force_login(gw.town_editor_a)
    form = client.get(CREATE).context["form"]
    places = set(form.fields["jurisdiction"].queryset)
    assert gw.village_a1 in places and gw.town_a in places
    assert gw.town_a2 not in places and gw.town_b not in places
    response = client.post(CREATE, form_data(gw, jurisdiction=gw.town_a2.pk))
    assert response.status_code == 400
    assert "jurisdiction" in response.context["form"].errors


def test_edit_saves_changes_and_other_counties_grid_is_404(client, gw):
    client.force_login(gw.approver_a)
    response = client.post(
        edit_url(gw.grid_a1),
        form_data(
            gw,
            jurisdiction=gw.village_a1.pk,
            code=gw.grid_a1.code,
            name=gw.grid_a1.name,
            person_name="李小山",
        ),
    )
    assert response.status_code == 302
    gw.grid_a1.refresh_from_db()
    assert gw.grid_a1.person_name == "李小山"
    assert client.get(edit_url(gw.grid_b1)).status_code == 404
    client.force_login(gw.town_editor_a)
    assert client.get(edit_url(gw.grid_a4)).status_code == 404  # another township
    client.force_login(gw.dispatcher_a)
    assert client.get(edit_url(gw.grid_a1)).status_code == 403


def test_import_page_reports_rows_and_saves_nothing_on_error(client, gw):
    client.force_login(gw.duty_officer_a)
    bad = xlsx(
        [
            ["371581101002-02", "东关村二网格", "371581101002", "钱小红", "13805351010"],
            ["371581101002-03", "东关村三网格", "371581101002", "孙强", "12345"],
        ]
    )
    response = client.post(IMPORT, {"workbook": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="grid-error-table"' in page and "<td>3</td>" in page
    assert (
        not Grid.objects.filter(code__startswith="371581101002-0")
        .exclude(pk=gw.grid_a3.pk)
        .exists()
    )

    good = xlsx([["371581101002-02", "东关村二网格", "371581101002", "钱小红", "13805351010"]])
    response = client.post(IMPORT, {"workbook": good})
    assert response.status_code == 200
    assert 'id="grid-import-ok"' in response.content.decode()
    assert Grid.objects.filter(code="371581101002-02").exists()


def test_import_of_a_non_workbook_answers_400_with_a_file_error(client, gw):
    client.force_login(gw.admin_a)
    text = BytesIO(b"not a workbook")
    text.name = "grids.xlsx"
    response = client.post(IMPORT, {"workbook": text})
    assert response.status_code == 400
    assert 'id="grid-file-error"' in response.content.decode()


def test_export_follows_the_filters_masks_phones_and_is_not_cached(client, gw):
    client.force_login(gw.dispatcher_a)
    response = client.get(EXPORT, {"jurisdiction": "371581102"})
    assert response.status_code == 200
    assert response["Content-Type"] == grid_census.XLSX_CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content))[grid_census.SHEET_TITLE]
    values = list(ws.iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in values] == ["371581102000-01", "371581102001-01"]
    assert values[0][5] == "138****1005"


def test_pages_have_no_inline_scripts(client, gw):
    client.force_login(gw.admin_a)
    for url in (LIST, CREATE, IMPORT, edit_url(gw.grid_a1)):
        page = client.get(url).content.decode()
        assert "<script>" not in page
        assert " onclick=" not in page and " onchange=" not in page


def test_list_queries_do_not_grow_with_the_grids_on_the_page(client, gw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(gw.dispatcher_a)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(20):
        f.grid(
            gw.village_a3, f"371581102001-{n + 10}", f"先锋社区{n + 10}网格", "孙丽", "13805351004"
        )
    with CaptureQueriesContext(connection) as many:
        assert "先锋社区29网格" in client.get(LIST).content.decode()
    assert len(many) <= len(few) + 2
