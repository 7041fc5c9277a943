"""The graded-response pages (Tieling §三.二.4, 附件1 §1 and §13): who opens which page,
the activate form from an incident, the HQ page listing each department's instructions,
a department acknowledging, starting and completing with a report, raising, lowering and
ending with a reason, seats, and the forms showing what is wrong."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Event
from response import services
from response.choices import ActivationStatus, InstructionStatus, StepKind
from response.models import ResponseActivation, ResponseInstruction, Seat


@pytest.fixture
def as_user():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def activate(w, level="iv"):
    return services.activate_response(
        actor=w.duty_officer_a,
        hazard="flood",
        level=level,
        incident_id=w.incident_a.pk,
        reason="卫运河临清站超警戒水位",
    )


def instruction_of(activation, department) -> ResponseInstruction:
    return activation.instructions.get(department=department)


# --- who opens what ---------------------------------------------------------------------------

PAGES = {
    "manual_list": lambda w, a: reverse("response:manual_list"),
    "manual_detail": lambda w, a: reverse("response:manual_detail", args=[w.manual_iv.pk]),
    "manual_edit": lambda w, a: reverse("response:manual_edit", args=[w.manual_iv.pk]),
    "manual_create": lambda w, a: reverse("response:manual_create") + "?hazard=drought&level=iv",
    "activation_list": lambda w, a: reverse("response:activation_list"),
    "activate": lambda w, a: reverse("response:activate") + f"?incident={w.incident_a.pk}",
    "board": lambda w, a: reverse("response:board", args=[a.pk]),
    "instructions": lambda w, a: reverse("response:department_instructions"),
    "instruction": lambda w, a: reverse(
        "response:instruction_detail", args=[instruction_of(a, w.water_a).pk]
    ),
}

# persona → page → status. The bureau (duty officer, approver, administrator) does
# everything in its county; the city's bureau above too; the brigade reads; the water
# bureau's editor reads what concerns it and works its instructions; county B sees
# nothing of county A; a force account opens none of it.
MATRIX = {
    "duty_officer_a": dict.fromkeys(PAGES, 200),
    "approver_a": {**dict.fromkeys(PAGES, 200)},
    "admin_a": {**dict.fromkeys(PAGES, 200), "instructions": 403, "instruction": 200},
    "admin_city": {**dict.fromkeys(PAGES, 200), "instructions": 403, "instruction": 200},
    "dispatcher_a": {
        **dict.fromkeys(PAGES, 200),
        "manual_edit": 403,
        "manual_create": 403,
        "activate": 403,
    },
    "editor_a": {
        **dict.fromkeys(PAGES, 200),
        "manual_edit": 403,
        "manual_create": 403,
        "activate": 403,
    },
    "editor_b": {
        **dict.fromkeys(PAGES, 200),
        "manual_detail": 404,
        "manual_edit": 404,
        "manual_create": 403,
        "activate": 403,
        "board": 404,
        "instruction": 404,
    },
    "duty_officer_b": {
        **dict.fromkeys(PAGES, 200),
        "manual_detail": 404,
        "manual_edit": 404,
        "activate": 404,
        "board": 404,
        "instruction": 404,
    },
    "screen_a": {
        **dict.fromkeys(PAGES, 403),
        "activation_list": 200,
        "board": 200,
        "instruction": 200,
    },
    "force_account_a": dict.fromkeys(PAGES, 403),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_each_role_opens_the_response_pages_it_should(as_user, response_world, persona):
    w = response_world
    activation = activate(w)
    client = as_user(getattr(w, persona))
    got = {name: client.get(url(w, activation)).status_code for name, url in PAGES.items()}
    assert got == MATRIX[persona]


def test_anonymous_visitors_are_sent_to_the_login_page(client, response_world):
    w = response_world
    activation = activate(w)
    for name, url in PAGES.items():
        response = client.get(url(w, activation))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_a_department_not_instructed_does_not_see_the_response(as_user, response_world):
    w = response_world
    activation = activate(w)
    client = as_user(w.editor_power_a)
    assert client.get(reverse("response:board", args=[activation.pk])).status_code == 404
    page = client.get(reverse("response:activation_list")).content.decode()
    assert f'data-response-id="{activation.pk}"' not in page


# --- manuals ----------------------------------------------------------------------------------


def test_the_manual_grid_shows_the_county_manuals_and_the_gaps(as_user, response_world):
    w = response_world
    page = as_user(w.duty_officer_a).get(reverse("response:manual_list")).content.decode()
    assert "临清市防汛Ⅳ级应急响应手册" in page
    assert "临清市防汛Ⅲ级应急响应手册" in page
    assert f"?j={w.county_a.code}&amp;hazard=flood&amp;level=ii" in page
    reader = as_user(w.dispatcher_a).get(reverse("response:manual_list")).content.decode()
    assert "临清市防汛Ⅳ级应急响应手册" in reader
    assert "manual-write" not in reader


def test_a_county_reads_the_city_manual_it_inherits(as_user, response_world):
    w = response_world
    city_manual = services.save_manual(
        actor=w.admin_city,
        jurisdiction=w.city,
        hazard="hazardous_chemicals",
        level="iv",
        title="聊城市危险化学品事故Ⅳ级应急响应手册",
        lines=[services.ManualLine("组织专家会商", w.city_bureau, 60)],
    )
    page = as_user(w.duty_officer_a).get(reverse("response:manual_list")).content.decode()
    assert "聊城市危险化学品事故Ⅳ级应急响应手册" in page
    assert "来自聊城市" in page or "from 聊城市" in page
    detail = as_user(w.duty_officer_a).get(reverse("response:manual_detail", args=[city_manual.pk]))
    assert detail.status_code == 200
    # Reading is not editing: the city's manual is the city bureau's.
    edit = as_user(w.duty_officer_a).get(reverse("response:manual_edit", args=[city_manual.pk]))
    assert edit.status_code == 403


def _manual_post(w, lines, **fields):
    data = {
        "title": fields.get("title", "临清市防汛Ⅳ级应急响应手册"),
        "hazard": fields.get("hazard", "flood"),
        "level": fields.get("level", "iv"),
        "conditions": fields.get("conditions", "卫运河临清站水位达到警戒水位"),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    return data


def _line(text, department, minutes, **extra):
    return {"text": text, "department": department.pk, "deadline_minutes": minutes, **extra}


def test_the_bureau_reorders_removes_and_adds_lines(as_user, response_world):
    w = response_world
    manual = w.manual_iv
    data = _manual_post(
        w,
        [
            _line("加强水库、河道巡查", w.water_a, 60, ORDER=3),
            {
                "text": "开展地质灾害隐患点巡查",
                "department": w.natres_a.pk,
                "deadline_minutes": 120,
                "ORDER": 1,
                "DELETE": "on",
            },
            _line("排查城市易涝点", w.housing_a, 90, ORDER=1),
            _line("医疗救护队伍待命", w.health_a, 45, ORDER=2),
            {"text": "", "department": "", "deadline_minutes": "", "ORDER": ""},
        ],
        title="临清市防汛Ⅳ级应急响应手册（修订）",
    )
    response = as_user(w.duty_officer_a).post(
        reverse("response:manual_edit", args=[manual.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    manual.refresh_from_db()
    assert manual.title == "临清市防汛Ⅳ级应急响应手册（修订）"
    lines = list(manual.instructions.order_by("position", "id"))
    assert [(line.text, line.department, line.deadline_minutes) for line in lines] == [
        ("排查城市易涝点", w.housing_a, 90),
        ("医疗救护队伍待命", w.health_a, 45),
        ("加强水库、河道巡查", w.water_a, 60),
    ]
    assert Event.objects.filter(type="response.manual_saved", subject_id=str(manual.pk)).exists()


def test_the_bureau_writes_a_new_manual_for_a_gap(as_user, response_world):
    w = response_world
    client = as_user(w.duty_officer_a)
    url = reverse("response:manual_create") + f"?j={w.county_a.code}&hazard=drought&level=iv"
    form = client.get(url)
    assert form.status_code == 200
    assert "临清市交通运输局" in form.content.decode()
    data = _manual_post(
        w,
        [{"text": "启动抗旱应急水源", "department": w.water_a.pk, "deadline_minutes": 120}],
        title="临清市抗旱Ⅳ级应急响应手册",
        hazard="drought",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    created = w.county_a.response_manuals.get(hazard="drought", level="iv")
    assert response["Location"] == reverse("response:manual_detail", args=[created.pk])
    assert created.instructions.get().text == "启动抗旱应急水源"


def test_asking_to_write_an_existing_manual_opens_it_for_editing(as_user, response_world):
    w = response_world
    url = reverse("response:manual_create") + "?hazard=flood&level=iv"
    response = as_user(w.duty_officer_a).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("response:manual_edit", args=[w.manual_iv.pk])


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"text": "", "department": "D", "deadline_minutes": 60}, "text"),
        ({"text": "巡查", "department": "", "deadline_minutes": 60}, "department"),
        ({"text": "巡查", "department": "D", "deadline_minutes": 0}, "deadline_minutes"),
    ],
)
def test_a_wrong_line_is_shown_on_the_manual_form(as_user, response_world, line, field):
    w = response_world
    line = {k: (w.water_a.pk if v == "D" else v) for k, v in line.items()}
    response = as_user(w.duty_officer_a).post(
        reverse("response:manual_edit", args=[w.manual_iv.pk]), _manual_post(w, [line])
    )
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert w.manual_iv.instructions.count() == 3


def test_a_department_of_another_county_is_not_offered_nor_accepted(as_user, response_world):
    w = response_world
    client = as_user(w.duty_officer_a)
    form = client.get(reverse("response:manual_edit", args=[w.manual_iv.pk])).content.decode()
    assert "阳谷县水利局" not in form
    response = client.post(
        reverse("response:manual_edit", args=[w.manual_iv.pk]),
        _manual_post(w, [{"text": "巡查", "department": w.water_b.pk, "deadline_minutes": 60}]),
    )
    assert response.status_code == 400
    assert 'data-field="department"' in response.content.decode()


def test_a_manual_without_lines_is_refused(as_user, response_world):
    w = response_world
    response = as_user(w.duty_officer_a).post(
        reverse("response:manual_edit", args=[w.manual_iv.pk]), _manual_post(w, [])
    )
    assert response.status_code == 400
    assert 'id="lines-errors"' in response.content.decode()


def test_only_the_bureau_may_post_a_manual(as_user, response_world):
    w = response_world
    data = _manual_post(w, [{"text": "巡查", "department": w.water_a.pk, "deadline_minutes": 60}])
    for persona in ("dispatcher_a", "editor_a", "duty_officer_b"):
        response = as_user(getattr(w, persona)).post(
            reverse("response:manual_edit", args=[w.manual_iv.pk]), data
        )
        assert response.status_code in (403, 404), persona
    assert w.manual_iv.instructions.count() == 3


# --- activating -------------------------------------------------------------------------------


def test_the_incident_page_offers_to_start_a_response_to_the_bureau(as_user, response_world):
    w = response_world
    url = reverse("command:incident_detail", args=[w.incident_a.pk])
    page = as_user(w.duty_officer_a).get(url).content.decode()
    assert 'id="start-response"' in page
    assert f"{reverse('response:activate')}?incident={w.incident_a.pk}" in page
    assert 'id="start-response"' not in as_user(w.dispatcher_a).get(url).content.decode()


def test_the_activate_form_proposes_the_incidents_hazard(as_user, response_world):
    w = response_world
    url = reverse("response:activate") + f"?incident={w.incident_a.pk}"
    page = as_user(w.duty_officer_a).get(url).content.decode()
    assert '<option value="flood" selected>' in page
    assert "临清市防汛Ⅳ级应急响应手册" in page


def test_a_duty_officer_activates_a_level_iv_flood_response(as_user, response_world):
    w = response_world
    client = as_user(w.duty_officer_a)
    response = client.post(
        reverse("response:activate"),
        {"incident": w.incident_a.pk, "hazard": "flood", "level": "iv", "reason": "超警戒水位"},
    )
    activation = ResponseActivation.objects.get(incident=w.incident_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("response:board", args=[activation.pk])
    board = client.get(response["Location"]).content.decode()
    for department in ("临清市水利局", "临清市自然资源局", "临清市住房和城乡建设局"):
        assert department in board
    assert board.count('class="list-group-item instruction-row') == 3
    assert "加强水库、河道巡查，每2小时报告一次水情" in board
    incident_page = client.get(reverse("command:incident_detail", args=[w.incident_a.pk]))
    assert f'data-response-id="{activation.pk}"' in incident_page.content.decode()
    assert 'id="start-response"' not in incident_page.content.decode()


def test_the_activate_form_shows_what_is_wrong(as_user, response_world):
    w = response_world
    client = as_user(w.duty_officer_a)
    empty = client.post(
        reverse("response:activate"), {"incident": w.incident_a.pk, "hazard": "flood"}
    )
    assert empty.status_code == 400
    page = empty.content.decode()
    assert "field-error" in page
    assert 'id="field-reason"' in page
    no_manual = client.post(
        reverse("response:activate"),
        {"incident": w.incident_a.pk, "hazard": "drought", "level": "iv", "reason": "旱情"},
    )
    assert no_manual.status_code == 400
    assert 'id="form-errors"' in no_manual.content.decode() or "field-error" in (
        no_manual.content.decode()
    )
    assert not ResponseActivation.objects.exists()


def test_a_second_activation_shows_the_active_one(as_user, response_world):
    w = response_world
    activation = activate(w)
    client = as_user(w.duty_officer_a)
    url = reverse("response:activate") + f"?incident={w.incident_a.pk}"
    page = client.get(url).content.decode()
    assert 'id="already-active"' in page
    assert reverse("response:board", args=[activation.pk]) in page
    again = client.post(
        reverse("response:activate"),
        {"incident": w.incident_a.pk, "hazard": "flood", "level": "iii", "reason": "再启动"},
    )
    assert again.status_code == 409
    assert ResponseActivation.objects.count() == 1


def test_activating_without_an_incident_or_warning_is_not_found(as_user, response_world):
    w = response_world
    client = as_user(w.duty_officer_a)
    assert client.get(reverse("response:activate")).status_code == 404
    assert client.get(reverse("response:activate") + "?incident=abc").status_code == 404
    assert (
        client.get(reverse("response:activate") + f"?incident={w.incident_b.pk}").status_code == 404
    )


# --- the department works its instructions ----------------------------------------------------


def test_the_departments_editor_acknowledges_starts_and_completes(as_user, response_world):
    w = response_world
    activation = activate(w)
    instruction = instruction_of(activation, w.water_a)
    client = as_user(w.editor_a)
    ours = client.get(reverse("response:department_instructions")).content.decode()
    assert "加强水库、河道巡查，每2小时报告一次水情" in ours
    assert "开展地质灾害隐患点巡查" not in ours
    back = reverse("response:department_instructions")
    url = lambda action: reverse("response:instruction_action", args=[instruction.pk, action])  # noqa: E731
    response = client.post(url("acknowledge"), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.ACKNOWLEDGED
    assert instruction.acknowledged_label
    client.post(url("start"), {"next": back})
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.IN_PROGRESS
    client.post(url("complete"), {"next": back, "report": "已巡查河道12公里，未见险情"})
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.DONE
    assert instruction.report == "已巡查河道12公里，未见险情"
    board = as_user(w.duty_officer_a).get(reverse("response:board", args=[activation.pk]))
    assert "已巡查河道12公里，未见险情" in board.content.decode()


def test_completing_without_a_report_shows_the_error(as_user, response_world):
    w = response_world
    activation = activate(w)
    instruction = instruction_of(activation, w.water_a)
    response = as_user(w.editor_a).post(
        reverse("response:instruction_action", args=[instruction.pk, "complete"]), {"report": " "}
    )
    assert response.status_code == 400
    assert 'data-field="report"' in response.content.decode()
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.SENT


def test_acknowledging_twice_says_so(as_user, response_world):
    w = response_world
    activation = activate(w)
    instruction = instruction_of(activation, w.water_a)
    client = as_user(w.editor_a)
    url = reverse("response:instruction_action", args=[instruction.pk, "acknowledge"])
    client.post(url)
    again = client.post(url)
    assert again.status_code == 409
    assert 'id="action-error"' in again.content.decode()


def test_another_department_may_not_work_the_instruction(as_user, response_world):
    w = response_world
    activation = activate(w)
    instruction = instruction_of(activation, w.water_a)
    client = as_user(w.editor_natres_a)
    url = reverse("response:instruction_action", args=[instruction.pk, "acknowledge"])
    assert client.post(url).status_code == 403
    dispatcher = as_user(w.dispatcher_a)
    assert dispatcher.post(url).status_code == 403
    assert as_user(w.editor_b).post(url).status_code == 404
    unknown = reverse("response:instruction_action", args=[instruction.pk, "delete"])
    assert as_user(w.editor_a).post(unknown).status_code == 404
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.SENT


def test_the_duty_officer_signs_on_a_departments_behalf_from_the_board(as_user, response_world):
    w = response_world
    activation = activate(w)
    instruction = instruction_of(activation, w.housing_a)
    client = as_user(w.duty_officer_a)
    board_url = reverse("response:board", args=[activation.pk])
    board = client.get(board_url).content.decode()
    assert f'data-action="acknowledge" data-instruction="{instruction.pk}"' in board
    response = client.post(
        reverse("response:instruction_action", args=[instruction.pk, "acknowledge"]),
        {"next": board_url},
    )
    assert response["Location"] == board_url
    instruction.refresh_from_db()
    assert "值班员代签" in instruction.acknowledged_label
    assert instruction.acknowledged_label in client.get(board_url).content.decode()


def test_an_unsafe_next_is_ignored(as_user, response_world):
    w = response_world
    activation = activate(w)
    instruction = instruction_of(activation, w.water_a)
    response = as_user(w.editor_a).post(
        reverse("response:instruction_action", args=[instruction.pk, "acknowledge"]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("response:instruction_detail", args=[instruction.pk])


# --- raising, lowering, ending ------------------------------------------------------------------


def test_the_bureau_raises_and_lowers_with_a_reason(as_user, response_world):
    w = response_world
    activation = activate(w)
    client = as_user(w.duty_officer_a)
    url = reverse("response:change_level", args=[activation.pk])
    response = client.post(url, {"level": "iii", "reason": "上游来水持续增加"})
    assert response.status_code == 302
    activation.refresh_from_db()
    assert activation.level == "iii"
    board = client.get(reverse("response:board", args=[activation.pk])).content.decode()
    assert "做好抢险物资运输车辆准备" in board
    assert "上游来水持续增加" in board
    client.post(url, {"level": "iv", "reason": "水位回落"})
    activation.refresh_from_db()
    assert activation.level == "iv"
    assert [s.kind for s in activation.steps.order_by("at", "id")] == [
        StepKind.ACTIVATED,
        StepKind.RAISED,
        StepKind.LOWERED,
    ]


def test_the_level_and_end_forms_show_what_is_wrong(as_user, response_world):
    w = response_world
    activation = activate(w)
    client = as_user(w.duty_officer_a)
    no_reason = client.post(
        reverse("response:change_level", args=[activation.pk]), {"level": "iii"}
    )
    assert no_reason.status_code == 400
    assert 'data-field="reason"' in no_reason.content.decode()
    same = client.post(
        reverse("response:change_level", args=[activation.pk]), {"level": "iv", "reason": "x"}
    )
    assert same.status_code == 409
    end = client.post(reverse("response:end", args=[activation.pk]), {"reason": ""})
    assert end.status_code == 400
    assert 'data-field="reason"' in end.content.decode()
    activation.refresh_from_db()
    assert activation.status == ActivationStatus.ACTIVE and activation.level == "iv"


def test_the_bureau_ends_the_response(as_user, response_world):
    w = response_world
    activation = activate(w)
    client = as_user(w.duty_officer_a)
    response = client.post(reverse("response:end", args=[activation.pk]), {"reason": "险情解除"})
    assert response.status_code == 302
    activation.refresh_from_db()
    assert activation.status == ActivationStatus.ENDED
    board = client.get(reverse("response:board", args=[activation.pk])).content.decode()
    assert 'id="response-actions"' not in board
    assert "险情解除" in board
    assert 'data-action="acknowledge"' not in board


def test_only_who_commands_may_change_or_end(as_user, response_world):
    w = response_world
    activation = activate(w)
    for persona, status in (
        ("dispatcher_a", 403),
        ("editor_a", 403),
        ("duty_officer_b", 404),
        ("screen_a", 403),
    ):
        client = as_user(getattr(w, persona))
        level = client.post(
            reverse("response:change_level", args=[activation.pk]),
            {"level": "iii", "reason": "x"},
        )
        end = client.post(reverse("response:end", args=[activation.pk]), {"reason": "x"})
        assert (level.status_code, end.status_code) == (status, status), persona
    board = as_user(w.dispatcher_a).get(reverse("response:board", args=[activation.pk]))
    assert 'id="response-actions"' not in board.content.decode()
    activation.refresh_from_db()
    assert activation.status == ActivationStatus.ACTIVE and activation.level == "iv"


# --- seats ------------------------------------------------------------------------------------


def test_a_department_takes_its_seat_and_the_board_shows_what_it_owes(as_user, response_world):
    w = response_world
    activation = activate(w)
    editor = as_user(w.editor_a)
    board_url = reverse("response:board", args=[activation.pk])
    form = editor.get(board_url).content.decode()
    assert 'id="seat-form"' in form
    response = editor.post(
        reverse("response:seat_join", args=[activation.pk]),
        {"organisation": w.water_a.pk, "person": "王水利", "phone": "13905351234"},
    )
    assert response.status_code == 302
    seat = Seat.objects.get(activation=activation)
    own = editor.get(board_url).content.decode()
    assert "13905351234" in own  # its own people see the number
    hq = as_user(w.duty_officer_a).get(board_url).content.decode()
    assert "139****1234" in hq and "13905351234" not in hq
    assert f'data-seat-id="{seat.pk}"' in hq
    assert "加强水库、河道巡查，每2小时报告一次水情" in hq
    leave = editor.post(reverse("response:seat_leave", args=[seat.pk]))
    assert leave.status_code == 302
    seat.refresh_from_db()
    assert seat.left_at is not None


def test_a_department_may_seat_only_itself(as_user, response_world):
    w = response_world
    activation = activate(w)
    response = as_user(w.editor_a).post(
        reverse("response:seat_join", args=[activation.pk]),
        {"organisation": w.natres_a.pk, "person": "张三"},
    )
    assert response.status_code == 400
    assert 'data-field="organisation"' in response.content.decode()
    assert not Seat.objects.exists()


def test_the_seat_form_shows_a_wrong_phone(as_user, response_world):
    w = response_world
    activation = activate(w)
    response = as_user(w.duty_officer_a).post(
        reverse("response:seat_join", args=[activation.pk]),
        {"organisation": w.health_a.pk, "person": "李医生", "phone": "12345"},
    )
    assert response.status_code == 400
    assert 'data-field="phone"' in response.content.decode()


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_board_costs_the_same_queries_for_3_or_30_instructions(as_user, response_world):
    w = response_world
    small = activate(w)
    client = as_user(w.duty_officer_a)
    url = reverse("response:board", args=[small.pk])
    _queries(client, url)  # warm caches (content types, sessions)
    few = _queries(client, url)
    departments = [w.water_a, w.natres_a, w.housing_a, w.transport_a, w.health_a]
    services.save_manual(
        actor=w.duty_officer_a,
        jurisdiction=w.county_a,
        hazard="flood",
        level="ii",
        title="临清市防汛Ⅱ级应急响应手册",
        lines=[services.ManualLine(f"第{n}项任务", departments[n % 5], 30 + n) for n in range(30)],
    )
    services.end_response(actor=w.duty_officer_a, activation_id=small.pk, reason="改为Ⅱ级")
    large = activate(w, level="ii")
    for department in departments[:3]:
        services.join_seat(
            actor=w.duty_officer_a,
            activation_id=large.pk,
            organisation_id=department.pk,
            person="值守人员",
            phone="13905350000",
        )
    many = _queries(client, reverse("response:board", args=[large.pk]))
    assert large.instructions.count() == 30
    assert many == few, (few, many)


def test_the_list_and_our_instructions_cost_fixed_queries(as_user, response_world):
    w = response_world
    activate(w)
    client = as_user(w.duty_officer_a)
    list_url = reverse("response:activation_list")
    mine_url = reverse("response:department_instructions")
    _queries(client, list_url)
    first = (_queries(client, list_url), _queries(client, mine_url))
    services.change_level(
        actor=w.duty_officer_a,
        activation_id=ResponseActivation.objects.get().pk,
        level="iii",
        reason="升级",
    )
    second = (_queries(client, list_url), _queries(client, mine_url))
    assert second == first


def test_after_a_refused_form_a_refresh_returns_to_the_live_board(response_world, client):
    """The board's live refresh GETs the page's URL: after a refused level change shown at
    …/level/, that GET goes back to the board instead of answering 405."""
    from response import services

    w = response_world
    activation = services.activate_response(
        actor=w.duty_officer_a, hazard="flood", level="iv", incident_id=w.incident_a.pk
    )
    client.force_login(w.duty_officer_a)
    board = f"/response/{activation.pk}/"
    for suffix in ("level/", "end/", "seats/"):
        response = client.get(board + suffix)
        assert response.status_code == 302, suffix
        assert response["Location"] == board
