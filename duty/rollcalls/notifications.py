"""Roll calls reach every force by SMS as well as in-app (issue 10): one ROLL_CALL
notification per target, written in bulk in the transaction that starts the roll call
(a constant number of queries for 5,000 forces), and an SMS reply, a one-time link or a
voice key answers through ``answer_roll_call`` exactly like the force account's page.

The text is Chinese whatever the UI language and names no person:
"临清市12月4日09:00点名：请在09:10前应答。"
(notify adds the prefix, the reply code and the link).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from core.models import Organisation
from dispatch.notifications import force_accounts_by_organisation, force_contacts
from duty.models import RollCall, RollCallOutcome, RollCallTarget
from notify import services as notify_services
from notify.choices import Purpose
from notify.types import NotifyRequest, Responder


def roll_call_title(roll_call: RollCall) -> str:
    """Who calls and when, e.g. "临清市12月4日09:00点名": a phone answering two roll calls
    started together (the city's and the county's) tells them apart."""
    started = timezone.localtime(roll_call.started_at)
    return f"{roll_call.jurisdiction.name}{started.month}月{started.day}日{started:%H:%M}点名"


def roll_call_body(roll_call: RollCall) -> str:
    deadline = timezone.localtime(roll_call.deadline)
    return f"{roll_call_title(roll_call)}：请在{deadline:%H:%M}前应答。"


@dataclass(frozen=True)
class ForceContact:
    organisation_id: int
    duty_phone: str
    leader_name: str
    leader_phone: str


def notify_targets(
    roll_call: RollCall, targets: Sequence[RollCallTarget], contacts: Mapping[int, ForceContact]
) -> None:
    """One notification per target: the force's accounts in-app and its duty phone by SMS
    (then the escalation's voice call). It expires when the roll call closes.
    ``contacts``: by force id, read with the targets (no second query per force)."""
    if not targets:
        return
    organisation_ids = {c.organisation_id for c in contacts.values()}
    organisations = Organisation.objects.in_bulk(organisation_ids)
    accounts = force_accounts_by_organisation(organisation_ids)
    title = roll_call_title(roll_call)
    body = roll_call_body(roll_call)
    link = reverse("duty:rollcall_answer_list")
    requests = []
    for target in targets:
        contact = contacts[target.force_id]
        requests.append(
            NotifyRequest(
                purpose=Purpose.ROLL_CALL,
                subject=target,
                jurisdiction=roll_call.jurisdiction,
                audiences=force_contacts(
                    duty_phone=contact.duty_phone,
                    leader_name=contact.leader_name,
                    leader_phone=contact.leader_phone,
                    accounts=accounts.get(contact.organisation_id, []),
                ),
                title=title,
                body=body,
                link=link,
                organisation=organisations[contact.organisation_id],
                expires_at=roll_call.closes_at,
            )
        )
    notify_services.notify_many(requests)


def target_answered(target: RollCallTarget, responder: Responder) -> None:
    notify_services.acknowledged(purpose=Purpose.ROLL_CALL, subject=target, responder=responder)


def targets_closed(targets: Sequence[RollCallTarget]) -> None:
    notify_services.close_many(purpose=Purpose.ROLL_CALL, subjects=targets)


# Chinese whatever the UI language: the answer goes back by SMS.
OUTCOME_TEXT = {RollCallOutcome.ON_TIME: "按时", RollCallOutcome.LATE: "迟到"}


def answer_by_channel(subject_id: int, responder: Responder, text: str) -> str:
    from duty.rollcalls.services import answer_roll_call

    target = answer_roll_call(actor=None, target_id=subject_id, responder=responder)
    outcome = OUTCOME_TEXT.get(target.outcome, "")
    return f"已应答{roll_call_title(target.roll_call)}（{outcome}）。"


def roll_calls_of(targets: list[RollCallTarget]) -> dict[int, RollCall]:
    """The roll call each target belongs to: its escalations are told of there, one line
    per roll call and level (one query)."""
    roll_calls = RollCall.objects.in_bulk({t.roll_call_id for t in targets})
    return {t.pk: roll_calls[t.roll_call_id] for t in targets if t.roll_call_id in roll_calls}


def register_handlers() -> None:
    from notify import registry

    registry.register(
        Purpose.ROLL_CALL,
        acknowledge=answer_by_channel,
        verb="应答",
        timeline_subjects=roll_calls_of,
    )
