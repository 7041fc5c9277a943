"""Chinese names for what the admin otherwise shows as codes (issue 13): groups (a role,
or an organisation's own group ``org:<id>``) and event types (``plan.approved`` →
"调用方案 · 已批准"). English msgids in the context "event type": a word here is not
the same word elsewhere ("closed" is 办结时间 as a field, 已关闭 here)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.roles import Role

EVENT_FAMILIES = {
    "account": pgettext_lazy("event type", "Account"),
    "admin": pgettext_lazy("event type", "Admin"),
    "afteraction": pgettext_lazy("event type", "After-action report"),
    "allocation": pgettext_lazy("event type", "Material allocation"),
    "compensation": pgettext_lazy("event type", "Rescue compensation"),
    "consultation": pgettext_lazy("event type", "Consultation"),
    "drill": pgettext_lazy("event type", "Drill"),
    "duty": pgettext_lazy("event type", "Duty"),
    "expert": pgettext_lazy("event type", "Expert"),
    "expert_group": pgettext_lazy("event type", "Expert group"),
    "force": pgettext_lazy("event type", "Force"),
    "grid": pgettext_lazy("event type", "Grid"),
    "incident": pgettext_lazy("event type", "Incident"),
    "instruction": pgettext_lazy("event type", "Response instruction"),
    "notice": pgettext_lazy("event type", "Notice for the record"),
    "notify": pgettext_lazy("event type", "Notification"),
    "order": pgettext_lazy("event type", "Call-out order"),
    "organisation": pgettext_lazy("event type", "Organisation"),
    "passage": pgettext_lazy("event type", "Passage"),
    "plan": pgettext_lazy("event type", "Call-out plan"),
    "reinforcement": pgettext_lazy("event type", "Reinforcement"),
    "report": pgettext_lazy("event type", "Incident report"),
    "requisition": pgettext_lazy("event type", "Requisition"),
    "reserve": pgettext_lazy("event type", "Material reserve"),
    "response": pgettext_lazy("event type", "Graded response"),
    "rollcall": pgettext_lazy("event type", "Roll call"),
    "seat": pgettext_lazy("event type", "HQ seat"),
    "security": pgettext_lazy("event type", "Sign-in security"),
    "shelter": pgettext_lazy("event type", "Shelter"),
    "special_period": pgettext_lazy("event type", "Special period"),
    "subscriber": pgettext_lazy("event type", "Feed subscriber"),
    "user": pgettext_lazy("event type", "User"),
    "warning": pgettext_lazy("event type", "Warning"),
    "welfare": pgettext_lazy("event type", "Rescuer welfare"),
}

EVENT_ACTIONS = {
    "accepted": pgettext_lazy("event type", "accepted"),
    "acknowledged": pgettext_lazy("event type", "acknowledged"),
    "action_closed": pgettext_lazy("event type", "follow-up action closed"),
    "activated": pgettext_lazy("event type", "activated"),
    "added": pgettext_lazy("event type", "added"),
    "adjusted": pgettext_lazy("event type", "count adjusted"),
    "annual_plan_created": pgettext_lazy("event type", "annual plan created"),
    "answered": pgettext_lazy("event type", "answered"),
    "approved": pgettext_lazy("event type", "approved"),
    "arrived": pgettext_lazy("event type", "arrived"),
    "attachment_added": pgettext_lazy("event type", "attachment added"),
    "callback_refused": pgettext_lazy("event type", "callback refused"),
    "called": pgettext_lazy("event type", "called"),
    "cancelled": pgettext_lazy("event type", "cancelled"),
    "casualty_decided": pgettext_lazy("event type", "casualty decided"),
    "casualty_reviewed": pgettext_lazy("event type", "casualty reviewed"),
    "casualty_submitted": pgettext_lazy("event type", "casualty reported"),
    "changed": pgettext_lazy("event type", "changed"),
    "closed": pgettext_lazy("event type", "closed"),
    "command_transferred": pgettext_lazy("event type", "command handed over"),
    "commended": pgettext_lazy("event type", "commended"),
    "completed": pgettext_lazy("event type", "completed"),
    "concluded": pgettext_lazy("event type", "concluded"),
    "conducted": pgettext_lazy("event type", "conducted"),
    "consent_recorded": pgettext_lazy("event type", "consent recorded"),
    "contingency_plan_created": pgettext_lazy("event type", "contingency plan created"),
    "created": pgettext_lazy("event type", "created"),
    "deactivated": pgettext_lazy("event type", "deactivated"),
    "declared": pgettext_lazy("event type", "declared"),
    "declined": pgettext_lazy("event type", "declined"),
    "deleted": pgettext_lazy("event type", "deleted"),
    "delivered": pgettext_lazy("event type", "delivered"),
    "departed": pgettext_lazy("event type", "departed"),
    "drafted": pgettext_lazy("event type", "drafted"),
    "edited": pgettext_lazy("event type", "edited"),
    "ended": pgettext_lazy("event type", "ended"),
    "equipment_added": pgettext_lazy("event type", "equipment added"),
    "equipment_removed": pgettext_lazy("event type", "equipment removed"),
    "equipment_updated": pgettext_lazy("event type", "equipment changed"),
    "escalated": pgettext_lazy("event type", "escalated"),
    "evaluated": pgettext_lazy("event type", "evaluated"),
    "expired": pgettext_lazy("event type", "expired"),
    "failed": pgettext_lazy("event type", "failed"),
    "failing": pgettext_lazy("event type", "failing"),
    "feed_token_regenerated": pgettext_lazy("event type", "feed token regenerated"),
    "handed_over": pgettext_lazy("event type", "handed over"),
    "handover": pgettext_lazy("event type", "shift handed over"),
    "health_recorded": pgettext_lazy("event type", "health record added"),
    "hotline_replied": pgettext_lazy("event type", "12345 reply recorded"),
    "imported": pgettext_lazy("event type", "imported"),
    "indicator_set": pgettext_lazy("event type", "indicator set"),
    "insurance_lapsing": pgettext_lazy("event type", "insurance lapsing"),
    "insurance_recorded": pgettext_lazy("event type", "insurance recorded"),
    "intensified": pgettext_lazy("event type", "intensified"),
    "issued": pgettext_lazy("event type", "issued"),
    "item_saved": pgettext_lazy("event type", "catalogue item saved"),
    "joined": pgettext_lazy("event type", "joined"),
    "late": pgettext_lazy("event type", "late"),
    "left": pgettext_lazy("event type", "left"),
    "level_set": pgettext_lazy("event type", "stock level set"),
    "lifted": pgettext_lazy("event type", "lifted"),
    "log_item_closed": pgettext_lazy("event type", "log item closed"),
    "log_recorded": pgettext_lazy("event type", "log entry recorded"),
    "login": pgettext_lazy("event type", "signed in"),
    "login_failed": pgettext_lazy("event type", "sign-in failed"),
    "logout": pgettext_lazy("event type", "signed out"),
    "low_stock": pgettext_lazy("event type", "low stock"),
    "lowered": pgettext_lazy("event type", "lowered"),
    "manual_deleted": pgettext_lazy("event type", "manual deleted"),
    "manual_saved": pgettext_lazy("event type", "manual saved"),
    "material_added": pgettext_lazy("event type", "material added"),
    "material_removed": pgettext_lazy("event type", "material removed"),
    "material_updated": pgettext_lazy("event type", "material changed"),
    "medical_exam_due": pgettext_lazy("event type", "medical examination due"),
    "near_expiry": pgettext_lazy("event type", "near expiry"),
    "note_added": pgettext_lazy("event type", "note added"),
    "otp_enrolled": pgettext_lazy("event type", "second factor enrolled"),
    "overdue": pgettext_lazy("event type", "overdue"),
    "paid": pgettext_lazy("event type", "paid"),
    "pass_issued": pgettext_lazy("event type", "pass issued"),
    "pass_revoked": pgettext_lazy("event type", "pass revoked"),
    "password_changed": pgettext_lazy("event type", "password changed"),
    "password_reset": pgettext_lazy("event type", "password reset"),
    "personnel_added": pgettext_lazy("event type", "personnel added"),
    "personnel_removed": pgettext_lazy("event type", "personnel removed"),
    "personnel_updated": pgettext_lazy("event type", "personnel changed"),
    "planned": pgettext_lazy("event type", "planned"),
    "published": pgettext_lazy("event type", "published"),
    "raised": pgettext_lazy("event type", "raised"),
    "reactivated": pgettext_lazy("event type", "reactivated"),
    "read": pgettext_lazy("event type", "read"),
    "reassessed": pgettext_lazy("event type", "re-assessed"),
    "received": pgettext_lazy("event type", "received"),
    "recorded": pgettext_lazy("event type", "recorded"),
    "recovered": pgettext_lazy("event type", "recovered"),
    "refused": pgettext_lazy("event type", "refused"),
    "rejected": pgettext_lazy("event type", "rejected"),
    "relayed": pgettext_lazy("event type", "relayed"),
    "reported": pgettext_lazy("event type", "reported"),
    "requested": pgettext_lazy("event type", "requested"),
    "required": pgettext_lazy("event type", "required"),
    "returned": pgettext_lazy("event type", "returned"),
    "reveal": pgettext_lazy("event type", "phone number revealed"),
    "reviewed": pgettext_lazy("event type", "reviewed"),
    "roles_changed": pgettext_lazy("event type", "roles changed"),
    "roster_changed": pgettext_lazy("event type", "roster changed"),
    "roster_created": pgettext_lazy("event type", "roster created"),
    "rule_saved": pgettext_lazy("event type", "rule saved"),
    "saved": pgettext_lazy("event type", "saved"),
    "schedule_saved": pgettext_lazy("event type", "schedule saved"),
    "sent": pgettext_lazy("event type", "sent"),
    "shift_changed": pgettext_lazy("event type", "shift changed"),
    "spotcheck_closed": pgettext_lazy("event type", "spot-check item closed"),
    "spotcheck_recorded": pgettext_lazy("event type", "spot check recorded"),
    "started": pgettext_lazy("event type", "started"),
    "status_changed": pgettext_lazy("event type", "status changed"),
    "submitted": pgettext_lazy("event type", "submitted"),
    "token_issued": pgettext_lazy("event type", "token issued"),
    "token_refused": pgettext_lazy("event type", "token refused"),
    "token_revoked": pgettext_lazy("event type", "token revoked"),
    "token_rotated": pgettext_lazy("event type", "token rotated"),
    "transferred": pgettext_lazy("event type", "transferred"),
    "transferred_to_hotline": pgettext_lazy("event type", "transferred to 12345"),
    "updated": pgettext_lazy("event type", "updated"),
    "warehouse_created": pgettext_lazy("event type", "warehouse created"),
    "warehouse_updated": pgettext_lazy("event type", "warehouse updated"),
    "withdrawn": pgettext_lazy("event type", "withdrawn"),
}


def event_type_label(event_type: str) -> str:
    """ "调用方案 · 批准" for ``plan.approved``; the security and administrative types by
    the audit page's names; the code itself for a family or action not named here."""
    from core.audit import type_label

    named = type_label(event_type)
    if named != event_type:
        return named
    family, _dot, action = event_type.partition(".")
    if family not in EVENT_FAMILIES or action not in EVENT_ACTIONS:
        return event_type
    return _("%(family)s · %(action)s") % {
        "family": EVENT_FAMILIES[family],
        "action": EVENT_ACTIONS[action],
    }


def group_label(name: str) -> str:
    """A role's name for a role group; "单位组：<organisation>" for an organisation's own
    group (``org:<id>``); the code otherwise."""
    if name in Role.values:
        return str(Role(name).label)
    if name.startswith("org:") and name[4:].isdigit():
        from core.models import Organisation

        org = Organisation.objects.filter(pk=int(name[4:])).values_list("name", flat=True).first()
        if org:
            return _("Organisation group: %(name)s") % {"name": org}
    return name
