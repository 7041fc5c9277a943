"""The one event → sentence vocabulary (what an event says to a person, in Chinese).

Two phrasings of the same events live here side by side: the short line of the hall's
live feed (``event_sentences``: a table of ``{placeholder}`` templates, sent to the
browser as data so hall.js fills live events exactly as the server does) and the longer
entry of an incident's timeline (``timeline_sentence``: order numbers, plan numbers,
plurals). It sits in dispatch, not in the hall, because the incident timeline (read by
``dispatch.selectors.incident_timeline`` for the command and dispatch pages) needs it,
and everything it names — incidents, plans, orders, notices, reinforcements, forces —
is at or below dispatch.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from command.choices import CommandAuthority, IncidentLevel
from core.models import Event
from dispatch.choices import AlertKind
from notify.choices import Audience, Channel, Purpose, ResponderChannel

# --- the live feed ------------------------------------------------------------------------


def level_labels() -> dict[str, str]:
    """Short level names for badges and markers (Ⅰ 特别重大 … Ⅳ 一般)."""
    return {
        IncidentLevel.I: _("Level Ⅰ"),
        IncidentLevel.II: _("Level Ⅱ"),
        IncidentLevel.III: _("Level Ⅲ"),
        IncidentLevel.IV: _("Level Ⅳ"),
        IncidentLevel.UNASSESSED: _("Unassessed"),
    }


def event_sentences() -> dict[str, str]:
    """One sentence per event type; ``{subject}``, ``{force}``, ``{department}``,
    ``{level}``, ``{kind}``, ``{new}`` are filled from the event. hall.js receives the
    same table."""
    return {
        "incident.created": _("New incident: {subject}"),
        "incident.updated": _("Incident updated: {subject}"),
        "incident.reassessed": _("Incident re-assessed as {level}: {subject}"),
        "incident.closed": _("Incident closed: {subject}"),
        "incident.command_transferred": _("Command handed over: {subject}"),
        "incident.transferred_to_hotline": _("Transferred to 12345: {subject}"),
        "incident.hotline_replied": _("12345 replied: {subject}"),
        "incident.handed_over": _("Incident handed over: {subject}"),
        "incident.note_added": _("Progress reported: {subject}"),
        "plan.drafted": _("Call-out plan drafted: {subject}"),
        "plan.edited": _("Call-out plan edited: {subject}"),
        "plan.submitted": _("Call-out plan submitted for approval: {subject}"),
        "plan.approved": _("Call-out plan approved: {subject}"),
        "plan.rejected": _("Call-out plan rejected: {subject}"),
        "plan.consent_recorded": _("Industry department consent recorded: {subject}"),
        "plan.withdrawn": _("Call-out plan withdrawn: {subject}"),
        "order.issued": _("Call-out order issued to {force}"),
        "order.delivered": _("Call-out order delivered to {force}"),
        "order.acknowledged": _("{force} acknowledged the order"),
        # An answer by SMS reply, link or voice key says how (hall.js: type + ".via").
        "order.acknowledged.via": _("{force} acknowledged the order ({via})"),
        "order.departed": _("{force} has set out"),
        "order.arrived": _("{force} arrived on scene"),
        "order.completed": _("{force} completed its task"),
        "order.reported": _("{force} reported the result"),
        "order.overdue": _("Overdue: {force} — {kind}"),
        "order.ended": _("{force} stood down"),
        "notice.delivered": _("Notice for the record delivered to {department}"),
        "notice.read": _("{department} read the notice for the record"),
        "notify.escalated": _("No answer yet, escalated: {subject}"),
        "notify.failed": _("A notification could not be delivered: {subject}"),
        "reinforcement.requested": _("Cross-region reinforcement requested: {subject}"),
        "reinforcement.approved": _("Cross-region reinforcement approved: {subject}"),
        "reinforcement.rejected": _("Cross-region reinforcement rejected: {subject}"),
        "special_period.declared": _("Special period declared: {subject}"),
        "special_period.ended": _("Special period ended: {subject}"),
        "force.created": _("Force registered: {subject}"),
        "force.status_changed": _("Force {subject} is now {new}"),
        # Warnings (issue 12): their steps; answers are counted by the 叫应 panel instead.
        "warning.published": _("Warning published: {subject}"),
        "warning.cancelled": _("Warning cancelled: {subject}"),
        "warning.expired": _("Warning expired: {subject}"),
        "warning.relayed": _("Warning relayed to more forces: {subject}"),
        "*": _("{subject}"),
    }


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def feed_sentence(
    event_type: str, subject_label: str, payload: dict[str, Any], labels: dict[str, Any]
) -> str:
    """The feed sentence of an event; hall.js fills the same table (sent as page data) the
    same way for events that arrive over the WebSocket."""
    sentences = labels["sentences"]
    via = payload.get("via_label", "") if payload.get("via") not in (None, "", "web") else ""
    template = (via and sentences.get(f"{event_type}.via")) or sentences.get(
        event_type, sentences["*"]
    )
    values = _Blank(
        subject=subject_label,
        force=payload.get("force") or subject_label,
        # A notice's label is "department · order"; the department is who was told.
        department=subject_label.split(" · ")[0],
        level=labels["levels"].get(payload.get("level", ""), ""),
        kind=labels["alert_kinds"].get(payload.get("kind", ""), ""),
        new=labels["force_status"].get(payload.get("new", ""), ""),
        via=via,
    )
    return template.format_map(values)


# --- the incident timeline -----------------------------------------------------------------


def _level_label(value: str) -> str:
    try:
        return str(IncidentLevel(value).label)
    except ValueError:
        return value or "—"


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _authority_label(value: str) -> str:
    return str(dict(CommandAuthority.choices).get(value, value))


def timeline_sentence(event: Event, organisations: dict[int, str]) -> str:
    """One human sentence for an event of the incident's chain (translated)."""
    p = event.payload or {}
    label = event.subject_label
    plan = {"plan": p.get("plan_id", event.subject_id)}
    order = {"number": p.get("number", label), "force": p.get("force", "")}
    behalf = _(" (on the force's behalf)") if p.get("on_behalf") else ""
    t = event.type
    if t == "incident.created":
        return _("Incident recorded: %(title)s") % {"title": p.get("title", label)}
    if t == "incident.updated":
        return _("Incident details updated")
    if t == "incident.reassessed":
        return _("Level re-assessed from %(old)s to %(new)s") % {
            "old": _level_label(p.get("old_level", "")),
            "new": _level_label(p.get("level", "")),
        }
    if t == "incident.closed":
        return _("Incident closed")
    if t == "incident.transferred_to_hotline":
        return _("Transferred to the 12345 hotline (work order %(number)s)") % {
            "number": p.get("work_order_number") or "—"
        }
    if t == "incident.hotline_replied":
        return _("The 12345 hotline replied (work order %(number)s)") % {
            "number": p.get("work_order_number") or "—"
        }
    if t == "incident.handed_over":
        return _("Handed over: %(from)s → %(to)s") % {
            "from": p.get("from_unit", ""),
            "to": p.get("to_unit", ""),
        }
    if t == "incident.note_added":
        return _("Progress reported by %(by)s") % {"by": p.get("by", "")}
    if t == "incident.command_transferred":
        return _("Command handed over: %(from)s → %(to)s (%(commander)s)") % {
            "from": _authority_label(p.get("from_authority", "")),
            "to": _authority_label(p.get("to_authority", "")),
            "commander": p.get("to_commander", ""),
        }
    if t == "plan.drafted":
        n = len(p.get("forces", []))
        sentence = ngettext(
            "Call-out plan #%(plan)s drafted with %(n)d force",
            "Call-out plan #%(plan)s drafted with %(n)d forces",
            n,
        )
        return sentence % {**plan, "n": n}
    if t == "plan.edited":
        return _("Call-out plan #%(plan)s edited") % plan
    if t == "plan.submitted":
        return _("Call-out plan #%(plan)s submitted for approval") % plan
    if t == "plan.approved":
        n = len(p.get("orders", []))
        sentence = ngettext(
            "Call-out plan #%(plan)s approved; %(n)d order issued",
            "Call-out plan #%(plan)s approved; %(n)d orders issued",
            n,
        )
        return sentence % {**plan, "n": n}
    if t == "plan.rejected":
        return _("Call-out plan #%(plan)s rejected: %(reason)s") % {
            **plan,
            "reason": p.get("reason", ""),
        }
    if t == "plan.withdrawn":
        return _("Call-out plan #%(plan)s withdrawn") % plan
    if t == "plan.consent_recorded":
        org = organisations.get(p.get("organisation_id"), "")
        if p.get("consulted_person"):
            sentence = _("Consent of %(department)s recorded for plan #%(plan)s (%(person)s)")
            return sentence % {**plan, "department": org, "person": p["consulted_person"]}
        return _("Consent of %(department)s given for plan #%(plan)s") % {
            **plan,
            "department": org,
        }
    order_sentences = {
        "order.issued": _("Order %(number)s issued to %(force)s"),
        "order.delivered": _("Order %(number)s delivered to %(force)s"),
        "order.acknowledged": _("%(force)s acknowledged order %(number)s"),
        "order.departed": _("%(force)s departed (order %(number)s)"),
        "order.arrived": _("%(force)s arrived on scene (order %(number)s)"),
        "order.completed": _("%(force)s completed the task (order %(number)s)"),
        "order.reported": _("%(force)s reported the result (order %(number)s)"),
    }
    if t == "order.acknowledged" and p.get("via") not in (None, "", "web"):
        return _("%(force)s acknowledged order %(number)s (%(via)s)") % {
            **order,
            "via": p.get("via_label") or _choice_label(ResponderChannel, p["via"]),
        }
    if t in order_sentences:
        return order_sentences[t] % order + behalf
    if t == "order.ended":
        return _("%(force)s stood down (order %(number)s): %(reason)s") % {
            **order,
            "reason": p.get("reason", ""),
        }
    if t == "order.overdue":
        kind = p.get("kind", "")
        kind_label = str(AlertKind(kind).label) if kind in AlertKind.values else kind
        return _("Order %(number)s overdue: %(kind)s") % {**order, "kind": kind_label}
    if t == "notice.delivered":
        return _("Notice for the record delivered to %(department)s (order %(number)s)") % {
            **order,
            "department": organisations.get(p.get("organisation_id"), ""),
        }
    if t == "notice.read":
        return _("%(department)s read the notice for the record (order %(number)s, %(via)s)") % {
            **order,
            "department": organisations.get(p.get("organisation_id"), ""),
            "via": p.get("via_label", ""),
        }
    if t == "notify.escalated":
        # Names the subject ("出动指令 LQ… · 某队"): two orders escalate at the same minute.
        template = (
            _("%(subject)s not answered after %(minutes)s min: %(audiences)s by %(channels)s")
            if p.get("purpose") == Purpose.ROLL_CALL
            else _(
                "%(subject)s not acknowledged after %(minutes)s min: %(audiences)s by %(channels)s"
            )
        )
        return template % {
            "subject": p.get("title") or label or _choice_label(Purpose, p.get("purpose", "")),
            "minutes": p.get("step", ""),
            "audiences": "、".join(_choice_label(Audience, a) for a in p.get("audiences", [])),
            "channels": "、".join(_choice_label(Channel, c) for c in p.get("channels", [])),
        }
    if t == "notify.failed":
        return _("%(purpose)s could not be delivered by %(channel)s %(to)s") % {
            "purpose": _choice_label(Purpose, p.get("purpose", "")),
            "channel": _choice_label(Channel, p.get("channel", "")),
            "to": p.get("to", ""),
        }
    if t == "reinforcement.requested":
        return _("Cross-region reinforcement requested")
    if t == "reinforcement.approved":
        return _("Reinforcement request approved by the upper level")
    if t == "reinforcement.rejected":
        return _("Reinforcement request rejected by the upper level")
    return _("%(type)s: %(subject)s") % {"type": t, "subject": label}
