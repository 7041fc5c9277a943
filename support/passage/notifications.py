"""How a passage request reaches the traffic police or the transport bureau through
notify, and how an SMS reply or a one-time link acknowledges it (签收).

One ``passage_request`` notification per request: the addressee's 24-hour duty phone
(SMS with a reply code and a link, chased by SMS again and a voice call until someone
acknowledges — migration notify 0010_passage_rules), its accounts in-app, and the bureau's
duty officers of the request's jurisdiction when the chase escalates. An answer,
withdrawal or acknowledgement ends the chase.

Texts are Chinese whatever the UI language and name no person:
"临清市应急管理局请求交通管制：卫运河临清段漫堤，G308线先锋桥至松林段，自08月01日10:30起。请回复签收。"
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from core.choices import OrganisationKind
from core.models import User
from core.roles import Role
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient, Responder
from support.choices import PassageKind
from support.models import PassageRequest
from support.passage.permissions import ANSWER_ROLES

ORG_DUTY_PHONE_LABEL = "单位值班电话"
KIND_ZH = {
    PassageKind.TRAFFIC_CONTROL: "交通管制",
    PassageKind.EMERGENCY_CHANNEL: "开辟应急通道",
    PassageKind.ROAD_REOPENING: "抢通受损道路",
}


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_title(request: PassageRequest) -> str:
    return f"{request.jurisdiction.name}{KIND_ZH.get(request.kind, '')}请求"


def request_body(request: PassageRequest) -> str:
    starts = timezone.localtime(request.starts_at).strftime("%m月%d日%H:%M")
    return (
        f"{request_title(request)}：{_short(request.incident.title, 30)}，"
        f"{_short(request.area, 60)}，自{starts}起。请回复签收。"
    )


def _user_recipient(user: User) -> Recipient:
    return Recipient(
        label=str(user), user_id=user.pk, phone=user.phone or "", email=user.email or ""
    )


def _accounts(organisation_id: int) -> list[Recipient]:
    users = (
        User.objects.filter(
            is_active=True, groups__name__in=list(ANSWER_ROLES), organisation_id=organisation_id
        )
        .distinct()
        .order_by("pk")
    )
    return [_user_recipient(u) for u in users]


def _duty_officers(request: PassageRequest) -> list[Recipient]:
    users = (
        User.objects.filter(
            is_active=True,
            groups__name=Role.DUTY_OFFICER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction_id=request.jurisdiction_id,
        )
        .distinct()
        .order_by("pk")
    )
    return [_user_recipient(u) for u in users]


def notify_request(request: PassageRequest) -> None:
    """Send the request to its addressee; notify chases until it is acknowledged. Runs
    inside the requesting transaction."""
    addressee = request.addressee
    notify_services.notify(
        purpose=Purpose.PASSAGE_REQUEST,
        subject=request,
        jurisdiction=request.jurisdiction,
        audiences={
            Audience.ORG_DUTY_PHONE: (
                [Recipient(label=ORG_DUTY_PHONE_LABEL, phone=addressee.duty_phone)]
                if addressee.duty_phone
                else []
            ),
            Audience.ORG_USERS: _accounts(addressee.pk),
            Audience.DUTY_OFFICERS: _duty_officers(request),
        },
        title=request_title(request),
        body=request_body(request),
        link=reverse("support:passage_request_detail", args=[request.pk]),
        organisation=addressee,
    )


def request_acknowledged(request: PassageRequest, responder: Responder) -> None:
    notify_services.acknowledged(
        purpose=Purpose.PASSAGE_REQUEST, subject=request, responder=responder
    )


def close_request(request: PassageRequest) -> None:
    notify_services.close(purpose=Purpose.PASSAGE_REQUEST, subject=request)


def web_responder(actor: User, *, on_behalf: bool) -> Responder:
    label = f"值班员代答 {actor}" if on_behalf else str(actor)
    return Responder(channel="web", label=label[:100])


# --- answers by channel (registered in support.passage.hooks) ----------------------------


def acknowledge_by_channel(subject_id: int, responder: Responder, text: str) -> str:
    from support.passage.services import acknowledge_passage

    request = acknowledge_passage(request_id=subject_id, responder=responder)
    return f"已签收{request_title(request)}，请尽快落实并在平台答复。"


def register_handlers() -> None:
    from notify import registry

    registry.register(Purpose.PASSAGE_REQUEST, acknowledge=acknowledge_by_channel, verb="签收")
