"""How an instruction reaches its department through notify, and how an answer by any
channel comes back (DESIGN13 "Response services"; Tieling §三.二.4 指令传达).

One ``instruction`` notification per instruction, written in bulk in the transaction that
activates or raises the response (a constant number of queries for a 40-line manual). Who:
the department's 24-hour duty phone (SMS, then a voice call), its accounts (in-app), its
person seated in the HQ if it has one (``org_leader``), and the bureau's duty officers of
the response's jurisdiction, whom the escalation (migration notify 0006) raises a silent
department to. Done, cancelled or ended instructions close their notification.

Texts are Chinese whatever the UI language and name no person:
"临清市防汛Ⅳ级应急响应指令：加强水库、河道巡查，每2小时报告一次水情。时限：10:30前。"
(notify adds the prefix, the reply code and the link).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.choices import OrganisationKind
from core.models import Organisation, User
from core.roles import Role
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import NotifyRequest, Recipient, Responder
from response.choices import ResponseHazard, ResponseLevel
from response.models import ResponseActivation, ResponseInstruction, Seat

ORG_DUTY_PHONE_LABEL = "单位值班电话"
SEAT_LABEL = "席位"
# The accounts that speak for a department (not its force accounts or screens).
ORG_USER_ROLES = (
    Role.DEPARTMENT_EDITOR,
    Role.DUTY_OFFICER,
    Role.BUREAU_APPROVER,
    Role.FIRE_DISPATCHER,
)

# Chinese whatever the UI language: these go out by SMS and voice.
HAZARD_ZH = {
    ResponseHazard.FLOOD: "防汛",
    ResponseHazard.DROUGHT: "抗旱",
    ResponseHazard.SNOW_ICE: "低温雨雪冰冻",
    ResponseHazard.EARTHQUAKE_GEOLOGICAL: "地震地质灾害",
    ResponseHazard.FOREST_FIRE: "森林草原火灾",
    ResponseHazard.PRODUCTION_SAFETY: "生产安全事故",
    ResponseHazard.HAZARDOUS_CHEMICALS: "危险化学品事故",
}
LEVEL_ZH = {
    ResponseLevel.IV: "Ⅳ级",
    ResponseLevel.III: "Ⅲ级",
    ResponseLevel.II: "Ⅱ级",
    ResponseLevel.I: "Ⅰ级",
}


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def response_name(activation: ResponseActivation, level: str | None = None) -> str:
    """ "临清市防汛Ⅳ级应急响应"."""
    hazard = HAZARD_ZH.get(ResponseHazard(activation.hazard), activation.hazard)
    zh = LEVEL_ZH.get(ResponseLevel(level or activation.level), "")
    return f"{activation.jurisdiction.name}{hazard}{zh}应急响应"


def instruction_title(instruction: ResponseInstruction) -> str:
    return f"{response_name(instruction.activation, instruction.level)}指令"


def instruction_body(instruction: ResponseInstruction) -> str:
    due = timezone.localtime(instruction.due_at).strftime("%m月%d日%H:%M")
    return (
        f"{response_name(instruction.activation, instruction.level)}指令："
        f"{_short(instruction.text, 60)}。时限：{due}前。请回复签收。"
    )


def instruction_link() -> str:
    try:
        return reverse("response:department_instructions")
    except NoReverseMatch:  # the pages are another part of issue 13
        return ""


# --- recipients -----------------------------------------------------------------------------


def _user_recipient(user: User) -> Recipient:
    return Recipient(
        label=str(user), user_id=user.pk, phone=user.phone or "", email=user.email or ""
    )


def _accounts(organisation_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = defaultdict(list)
    ids = sorted(set(organisation_ids))
    if not ids:
        return found
    users = (
        User.objects.filter(
            is_active=True, groups__name__in=list(ORG_USER_ROLES), organisation_id__in=ids
        )
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email", "organisation_id")
    )
    for user in users:
        found[user.organisation_id].append(_user_recipient(user))
    return found


def _duty_officers(activation: ResponseActivation) -> list[Recipient]:
    """The bureau's duty officers of the response's jurisdiction."""
    users = (
        User.objects.filter(
            is_active=True,
            groups__name=Role.DUTY_OFFICER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction_id=activation.jurisdiction_id,
        )
        .distinct()
        .order_by("pk")
    )
    return [_user_recipient(u) for u in users]


def _seated(activation: ResponseActivation) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = defaultdict(list)
    seats = Seat.objects.filter(activation=activation, left_at__isnull=True).exclude(phone="")
    for seat in seats:
        found[seat.organisation_id].append(
            Recipient(label=f"{SEAT_LABEL} {seat.person}".strip(), phone=seat.phone)
        )
    return found


def _requests(
    activation: ResponseActivation, instructions: Sequence[ResponseInstruction]
) -> list[NotifyRequest]:
    departments = Organisation.objects.in_bulk({i.department_id for i in instructions})
    accounts = _accounts(departments)
    seated = _seated(activation)
    officers = _duty_officers(activation)
    link = instruction_link()
    requests = []
    for instruction in instructions:
        department = departments[instruction.department_id]
        instruction.activation = activation
        requests.append(
            NotifyRequest(
                purpose=Purpose.INSTRUCTION,
                subject=instruction,
                jurisdiction=activation.jurisdiction,
                audiences={
                    Audience.ORG_DUTY_PHONE: (
                        [Recipient(label=ORG_DUTY_PHONE_LABEL, phone=department.duty_phone)]
                        if department.duty_phone
                        else []
                    ),
                    Audience.ORG_USERS: accounts.get(department.pk, []),
                    Audience.ORG_LEADER: seated.get(department.pk, []),
                    Audience.DUTY_OFFICERS: officers,
                },
                title=instruction_title(instruction),
                body=instruction_body(instruction),
                link=link,
                organisation=department,
            )
        )
    return requests


# --- what the services call -------------------------------------------------------------------


def notify_instructions(
    activation: ResponseActivation, instructions: Sequence[ResponseInstruction]
) -> None:
    """Send each instruction to its department; notify chases until it is acknowledged.
    Runs inside the activating transaction; constant queries whatever the count."""
    if instructions:
        notify_services.notify_many(_requests(activation, instructions))


def instruction_acknowledged(instruction: ResponseInstruction, responder: Responder) -> None:
    notify_services.acknowledged(
        purpose=Purpose.INSTRUCTION, subject=instruction, responder=responder
    )


def close_instructions(instructions: Sequence[ResponseInstruction]) -> int:
    """Done, cancelled, or the response ended: nothing more is sent."""
    return notify_services.close_many(purpose=Purpose.INSTRUCTION, subjects=list(instructions))


def web_responder(actor: User, *, on_behalf: bool) -> Responder:
    label = f"值班员代签 {actor}" if on_behalf else str(actor)
    return Responder(channel="web", label=label[:100])


# --- answers by channel (registered in ResponseConfig.ready) -----------------------------------


def acknowledge_by_channel(subject_id: int, responder: Responder, text: str) -> str:
    from response.services import acknowledge_instruction

    instruction = acknowledge_instruction(instruction_id=subject_id, responder=responder)
    return f"已签收{instruction_title(instruction)}，请按时限落实并报告。"


def activations_of(instructions: list[ResponseInstruction]) -> dict[int, ResponseActivation]:
    """The response each instruction belongs to: its escalations are told of there, one
    line per response and level (one query)."""
    found = ResponseActivation.objects.in_bulk({i.activation_id for i in instructions})
    return {i.pk: found[i.activation_id] for i in instructions if i.activation_id in found}


def register_handlers() -> None:
    from notify import registry

    registry.register(
        Purpose.INSTRUCTION,
        acknowledge=acknowledge_by_channel,
        verb="签收",
        timeline_subjects=activations_of,
    )
