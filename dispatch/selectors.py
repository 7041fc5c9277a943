"""Reads of the dispatch chain shared by the pages: force suggestions for a plan (SPEC §4.1),
what each user may list, and the incident timeline read from the event log (SPEC §3, §8).
Nothing here writes; the one overdue rule (``overdue_orders``) lives here, and who may
do what lives in ``dispatch.permissions``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from command.choices import AreaType
from command.models import Incident
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Event, Jurisdiction, Organisation
from core.roles import Role
from dispatch.choices import ORDER_STEPS, AlertKind, OrderStatus, PlanStatus
from dispatch.models import (
    CallOutOrder,
    CallOutPlan,
    DispatchAlert,
    Notice,
    ReinforcementRequest,
    SpecialPeriod,
)
from dispatch.permissions import can_read_dispatch
from dispatch.policies import deadlines_for
from dispatch.sentences import timeline_sentence
from forces.choices import ForceStatus
from forces.models import Force, Formation
from notify.selectors import deliveries_for

# --- suggestions --------------------------------------------------------------------------

# The ETA model (stated on the plan page and in the suggestions API): roads are longer
# than the straight line by the area's road factor, driven at the area's average speed,
# after the tier's turn-out time. A first estimate; the dispatcher knows the roads.
ROAD_FACTOR = {AreaType.URBAN: 1.3, AreaType.RURAL: 1.4}
SPEED_KMH = {AreaType.URBAN: 40, AreaType.RURAL: 60}
# Turn-out before departure by linkage tier (Zhoushan §三.2: tier 1 keeps a 24-hour duty
# room, tier 2 a liaison phone, tier 3 answers in working hours).
MOBILISATION_MINUTES = {1: 5, 2: 10, 3: 20}
EARTH_RADIUS_KM = 6371.0088

# The ranking score (higher first): what a dispatcher weighs. Formation fit dominates
# (a force the incident type needs), then the tier (a tier-1 unit is a professional,
# 24-hour force), then each minute of estimated arrival costs half a point and missing
# the tier deadline ten more; each further matched specialty adds a little.
SCORE_CORE = 30
SCORE_SUPPORT = 10
SCORE_EXTRA_SPECIALTY = 3
SCORE_TIER = {1: 15, 2: 8, 3: 0}
SCORE_PER_ETA_MINUTE = 0.5
SCORE_LATE = 10

TIER_DEADLINE_REASONS = {
    1: gettext_lazy("Tier 1 linkage unit, on scene within %(minutes)d min"),
    2: gettext_lazy("Tier 2 linkage unit, on scene within %(minutes)d min"),
    3: gettext_lazy("Tier 3 linkage unit, on scene within %(minutes)d min"),
}
TIER_OPEN_REASONS = {
    1: gettext_lazy("Tier 1 linkage unit, as fast as possible"),
    2: gettext_lazy("Tier 2 linkage unit, as fast as possible"),
    3: gettext_lazy("Tier 3 linkage unit, as fast as possible"),
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def estimated_arrival_minutes(distance_km: float, area_type: str, tier: int) -> int:
    """Road factor × straight distance ÷ the area's speed, plus the tier's turn-out time,
    rounded up to the minute."""
    area = area_type if area_type in SPEED_KMH else AreaType.URBAN
    travel = ROAD_FACTOR[area] * distance_km / SPEED_KMH[area] * 60
    return math.ceil(travel + MOBILISATION_MINUTES.get(tier, MOBILISATION_MINUTES[3]))


def eta_model_text() -> str:
    """The ETA model and the ranking, in words, for the plan page and the API."""
    return _(
        "Ranked by formation fit, specialty, linkage tier and estimated arrival. Arrival = "
        "road factor × straight-line distance ÷ speed + turn-out time: in town ×%(uf)s at "
        "%(us)d km/h, in the countryside ×%(rf)s at %(rs)d km/h; turn-out %(t1)d / %(t2)d / "
        "%(t3)d min for tier 1 / 2 / 3. An estimate: the dispatcher knows the roads."
    ) % {
        "uf": ROAD_FACTOR[AreaType.URBAN],
        "us": SPEED_KMH[AreaType.URBAN],
        "rf": ROAD_FACTOR[AreaType.RURAL],
        "rs": SPEED_KMH[AreaType.RURAL],
        "t1": MOBILISATION_MINUTES[1],
        "t2": MOBILISATION_MINUTES[2],
        "t3": MOBILISATION_MINUTES[3],
    }


@dataclass
class Suggestion:
    force: Force
    tier: int
    formation_match: str | None  # "core", "support" or None
    matched_specialties: list[str]
    overlap: int
    distance_km: float | None
    eta_minutes: int | None
    deadline_minutes: int | None
    meets_deadline: bool | None
    reasons: list[str] = field(default_factory=list)
    # False when the incident has coordinates but the force has no base: ranked after
    # every placed force, since no one can say when it arrives.
    placed: bool = True

    @property
    def score(self) -> float:
        fit = {"core": SCORE_CORE, "support": SCORE_SUPPORT}.get(self.formation_match or "", 0)
        extra = SCORE_EXTRA_SPECIALTY * max(self.overlap - 1, 0)
        tier = SCORE_TIER.get(self.tier, 0)
        eta = SCORE_PER_ETA_MINUTE * self.eta_minutes if self.eta_minutes is not None else 0
        late = SCORE_LATE if self.meets_deadline is False else 0
        return round(fit + extra + tier - eta - late, 1)

    @property
    def sort_key(self) -> tuple:
        eta = self.eta_minutes if self.eta_minutes is not None else math.inf
        return (not self.placed, -self.score, eta, self.tier, self.force.name)


def suggest_forces(
    incident: Incident,
    level_jurisdiction: Jurisdiction,
    *,
    exclude_jurisdiction: Jurisdiction | None = None,
    limit: int = 20,
) -> list[Suggestion]:
    """Standby active forces visible at ``level_jurisdiction`` (outside
    ``exclude_jurisdiction`` for a reinforcement), ranked for a call-out plan (SPEC §4.1)
    by ``Suggestion.score``: the incident type's dispatch formation (core specialties
    before supporting ones, Rongcheng §四.二.4), further matched specialties, the linkage
    tier, the estimated arrival (``estimated_arrival_minutes``) and whether it meets the
    tier deadline (Zhoushan §三.2). An incident recorded by address only (no coordinates)
    is ranked without distance, and the reasons say so."""
    forces = (
        Force.objects.filter(
            is_active=True,
            status=ForceStatus.STANDBY,
            jurisdiction__path__startswith=level_jurisdiction.path,
        )
        .select_related("organisation", "jurisdiction")
        .prefetch_related("specialties")
    )
    if exclude_jurisdiction is not None:
        forces = forces.exclude(jurisdiction__path__startswith=exclude_jurisdiction.path)
    disaster_type = incident.incident_type.disaster_type
    formation = (
        Formation.objects.filter(disaster_type=disaster_type)
        .prefetch_related("requirements__specialty")
        .first()
        if disaster_type
        else None
    )
    required: dict[int, tuple[bool, str]] = {}
    if formation is not None:
        for req in formation.requirements.all():
            required[req.specialty_id] = (req.is_core, req.specialty.name)
    deadlines: dict[int, int | None] = {}
    located = incident.latitude is not None and incident.longitude is not None
    lat = float(incident.latitude) if located else None
    lon = float(incident.longitude) if located else None
    suggestions = []
    for force in forces:
        tier = force.linkage_tier
        if tier not in deadlines:
            arrival = deadlines_for(force, incident).arrival
            deadlines[tier] = int(arrival.total_seconds() // 60) if arrival else None
        deadline = deadlines[tier]
        specialties = list(force.specialties.all())
        core = [s.name for s in specialties if s.pk in required and required[s.pk][0]]
        support = [s.name for s in specialties if s.pk in required and not required[s.pk][0]]
        distance = eta = None
        has_base = force.latitude is not None and force.longitude is not None
        if located and has_base:
            distance = haversine_km(float(force.latitude), float(force.longitude), lat, lon)
            eta = estimated_arrival_minutes(distance, incident.area_type, tier)
        meets = None if eta is None or deadline is None else eta <= deadline
        suggestion = Suggestion(
            force=force,
            tier=tier,
            formation_match="core" if core else "support" if support else None,
            matched_specialties=core + support,
            overlap=len(core) + len(support),
            distance_km=round(distance, 1) if distance is not None else None,
            eta_minutes=eta,
            deadline_minutes=deadline,
            meets_deadline=meets,
            placed=has_base or not located,
        )
        suggestion.reasons = _reasons(suggestion, core, support, located=located)
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: s.sort_key)
    return suggestions[:limit]


def _reasons(s: Suggestion, core: list[str], support: list[str], *, located: bool) -> list[str]:
    reasons = []
    if core:
        reasons.append(_("Formation requirement: %(names)s (core)") % {"names": "、".join(core)})
    if support:
        reasons.append(
            _("Formation requirement: %(names)s (support)") % {"names": "、".join(support)}
        )
    if not located:
        reasons.append(_("The incident has no coordinates: ranked without distance"))
    elif s.distance_km is not None:
        reasons.append(
            _("%(km).1f km away, about %(minutes)d min to arrive")
            % {"km": s.distance_km, "minutes": s.eta_minutes}
        )
    else:
        reasons.append(_("No base location recorded; arrival time unknown"))
    if s.deadline_minutes is not None:
        reasons.append(str(TIER_DEADLINE_REASONS[s.tier]) % {"minutes": s.deadline_minutes})
        if s.meets_deadline is False:
            reasons.append(_("Estimated arrival misses the deadline"))
    else:
        reasons.append(str(TIER_OPEN_REASONS[s.tier]))
    return reasons


def special_periods_for(user: Any) -> QuerySet[SpecialPeriod]:
    """Flood seasons and sensitive periods that concern the user: declared for the user's
    jurisdiction or above (they cover it) and below."""
    qs = SpecialPeriod.objects.select_related("jurisdiction", "declared_by")
    if user.is_superuser:
        return qs
    own = user.jurisdiction
    if own is None:
        return qs.none()
    return qs.filter(
        Q(jurisdiction__path__startswith=own.path)
        | Q(jurisdiction__code__in=own.ancestors_and_self())
    )


def department_plans(organisation_id: int) -> QuerySet[CallOutPlan]:
    """Plans with a force whose consenting department is this organisation."""
    return CallOutPlan.objects.filter(
        Q(lines__force__industry_authority_id=organisation_id)
        | Q(
            lines__force__industry_authority__isnull=True,
            lines__force__organisation_id=organisation_id,
        )
    ).distinct()


def plans_for(user: Any) -> QuerySet[CallOutPlan]:
    """Plans a user may see: the jurisdiction scope for the chain's roles, plus (for
    department users) the plans that need their department's consent."""
    condition = Q(pk__in=[])
    if user.has_perm("dispatch.view_calloutplan"):
        condition |= Q(pk__in=CallOutPlan.objects.visible_to(user).values("pk"))
    if user.organisation_id and (
        user.has_role(Role.DEPARTMENT_EDITOR) or user.has_perm("dispatch.view_calloutplan")
    ):
        condition |= Q(pk__in=department_plans(user.organisation_id).values("pk"))
    return CallOutPlan.objects.filter(condition)


def plan_list(user: Any) -> QuerySet[CallOutPlan]:
    """Plans for the list page; plans awaiting a decision come first for approvers."""
    qs = (
        CallOutPlan.objects.filter(pk__in=plans_for(user).values("pk"))
        .select_related("incident", "jurisdiction", "drafted_by", "decided_by")
        .annotate(line_count=Count("lines", distinct=True))
    )
    if user.has_role(Role.BUREAU_APPROVER):
        qs = qs.annotate(
            waiting=Case(
                When(status=PlanStatus.SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("waiting", "-submitted_at", "-drafted_at", "-id")
    else:
        qs = qs.order_by("-drafted_at", "-id")
    return qs


def orders_for(user: Any) -> QuerySet[CallOutOrder]:
    """Force accounts see their organisation's forces' orders; others what is visible."""
    condition = Q(pk__in=[])
    if user.has_role(Role.FORCE_ACCOUNT) and user.organisation_id:
        condition |= Q(force__organisation_id=user.organisation_id)
    # The chain's roles (who also see plans) see orders by jurisdiction; a force account
    # holds only the order permission and must not see every order of its county.
    if user.is_superuser or user.has_perm("dispatch.view_calloutplan"):
        condition |= Q(pk__in=CallOutOrder.objects.visible_to(user).values("pk"))
    return CallOutOrder.objects.filter(condition)


def order_list(user: Any) -> QuerySet[CallOutOrder]:
    return (
        CallOutOrder.objects.filter(pk__in=orders_for(user).values("pk"))
        .select_related("force", "plan__incident", "plan__jurisdiction")
        .annotate(
            open_alerts=Count("alerts", filter=Q(alerts__resolved_at__isnull=True), distinct=True)
        )
    )


def notices_for(user: Any) -> QuerySet[Notice]:
    """The notified department sees its notices; the bureau (and the chain's other roles)
    what lies in its jurisdiction."""
    condition = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    if user.has_perm("dispatch.view_notice"):
        condition |= Q(pk__in=Notice.objects.visible_to(user).values("pk"))
    return Notice.objects.filter(condition)


def notice_list(user: Any) -> QuerySet[Notice]:
    return Notice.objects.filter(pk__in=notices_for(user).values("pk")).select_related(
        "organisation",
        "order__force",
        "order__plan__incident",
        "order__plan__jurisdiction",
        "read_by",
    )


# --- orders: next step and lateness ----------------------------------------------------------


def next_step(order: CallOutOrder) -> str | None:
    """The one action an order allows now (acknowledge, depart, arrive, complete, result)."""
    for action, (required, _target) in ORDER_STEPS.items():
        if order.status == required:
            return action
    return None


@dataclass
class Lateness:
    kind: str
    label: str
    deadline: datetime


def overdue_orders(orders: QuerySet, now: datetime) -> QuerySet:
    """Orders with an unresolved alert, or a deadline passed before the sweep noticed
    (Zhoushan §三.2: acknowledge, arrive by the tier deadline, result within 24 h)."""
    open_alert = DispatchAlert.objects.filter(order=OuterRef("pk"), resolved_at__isnull=True)
    # A stood-down order (OrderStatus.ENDED) is never overdue: its alerts were resolved
    # when it ended and none of the statuses below is ENDED.
    return (
        orders.annotate(has_open_alert=Exists(open_alert))
        .exclude(status=OrderStatus.ENDED)
        .filter(
            Q(has_open_alert=True)
            | Q(status=OrderStatus.ISSUED, ack_deadline__lt=now)
            | Q(
                status__in=[OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.DEPARTED],
                arrival_deadline__lt=now,
            )
            | Q(status=OrderStatus.COMPLETED, result_deadline__lt=now)
        )
    )


def overdue_steps(order: CallOutOrder, now: datetime | None = None) -> list[Lateness]:
    """Steps past their deadline right now, whether or not the sweep has raised an alert."""
    now = now or timezone.now()
    late = []
    checks = (
        (AlertKind.ACK_OVERDUE, order.ack_deadline, [OrderStatus.ISSUED]),
        (
            AlertKind.ARRIVAL_OVERDUE,
            order.arrival_deadline,
            [OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.DEPARTED],
        ),
        (AlertKind.RESULT_OVERDUE, order.result_deadline, [OrderStatus.COMPLETED]),
    )
    for kind, deadline, statuses in checks:
        if deadline is not None and order.status in statuses and deadline < now:
            late.append(Lateness(kind=kind, label=str(AlertKind(kind).label), deadline=deadline))
    return late


def open_alerts(order: CallOutOrder) -> QuerySet[DispatchAlert]:
    return order.alerts.filter(resolved_at__isnull=True).order_by("raised_at")


# --- the incident timeline ------------------------------------------------------------------


@dataclass
class TimelineEntry:
    seq: int
    when: datetime
    actor: str
    type: str
    text: str
    url: str = ""


def incident_events(incident: Incident) -> QuerySet[Event]:
    """Every event whose subject is the incident or one of its plans, orders, notices or
    reinforcement requests, in sequence order. Four id queries and one event query."""
    plan_ids = list(CallOutPlan.objects.filter(incident=incident).values_list("pk", flat=True))
    order_ids = list(
        CallOutOrder.objects.filter(plan__incident=incident).values_list("pk", flat=True)
    )
    notice_ids = list(
        Notice.objects.filter(order__plan__incident=incident).values_list("pk", flat=True)
    )
    request_ids = list(
        ReinforcementRequest.objects.filter(incident=incident).values_list("pk", flat=True)
    )
    subjects = {
        "command.incident": [incident.pk],
        "dispatch.calloutplan": plan_ids,
        "dispatch.calloutorder": order_ids,
        "dispatch.notice": notice_ids,
        "dispatch.reinforcementrequest": request_ids,
    }
    condition = Q()
    for subject_type, ids in subjects.items():
        if ids:
            condition |= Q(subject_type=subject_type, subject_id__in=[str(i) for i in ids])
    return Event.objects.filter(condition).select_related("actor").order_by("seq")


def _subject_url(event: Event) -> str:
    from django.urls import reverse

    names = {
        "dispatch.calloutplan": "dispatch:plan_detail",
        "dispatch.calloutorder": "dispatch:order_detail",
        "dispatch.reinforcementrequest": "dispatch:reinforcement_detail",
    }
    name = names.get(event.subject_type)
    return reverse(name, args=[event.subject_id]) if name else ""


def incident_timeline(incident: Incident) -> list[TimelineEntry]:
    """The incident's timeline (事件日志) read from ``core.Event``, oldest first."""
    events = list(incident_events(incident))
    org_ids = {
        e.payload.get("organisation_id")
        for e in events
        if isinstance(e.payload, dict) and e.payload.get("organisation_id")
    }
    organisations = (
        dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
        if org_ids
        else {}
    )
    return [
        TimelineEntry(
            seq=e.seq,
            when=e.created_at,
            actor=str(e.actor) if e.actor else _("system"),
            type=e.type,
            text=timeline_sentence(e, organisations),
            url=_subject_url(e),
        )
        for e in events
    ]


def order_deliveries(order: CallOutOrder, notice: Notice | None = None) -> list[Any]:
    """Every message sent about an order (to the force, on escalation, on overdue) and
    about its notice for the record, per channel, with its status: the order page's
    "who was reached how". Addresses are shown masked (``Delivery.shown_address``)."""
    rows = list(deliveries_for(order))
    if notice is not None:
        rows += list(deliveries_for(notice))
    return rows


# --- suggestions over the API ---------------------------------------------------------------


@dataclass
class SuggestionScope:
    """What a suggestion request ranks for: the incident, the level whose forces are
    considered and, for a reinforcement, the requesting jurisdiction left out."""

    incident: Incident
    level: Jurisdiction
    reinforcement: ReinforcementRequest | None = None

    @property
    def exclude(self) -> Jurisdiction | None:
        return self.reinforcement.requesting_jurisdiction if self.reinforcement else None


def suggestion_scope(
    user: Any,
    *,
    incident_id: int,
    level: Jurisdiction | None = None,
    reinforcement_id: int | None = None,
) -> SuggestionScope:
    """The scope of ``suggest_forces`` for a reader of the dispatch chain, as the plan
    page sets it: the incident (404 unless the user sees it), the level (the user's own
    by default; a reinforcement's upper level, without the requesting jurisdiction), which
    must lie in the user's jurisdiction (403), so every suggested force is one the user
    may see."""
    if not can_read_dispatch(user):
        raise PermissionDeniedError(_("Your role may not read the dispatch chain."))
    if user.jurisdiction is None and not user.is_superuser:
        raise PermissionDeniedError(_("Your account belongs to no jurisdiction."))
    incident = (
        Incident.objects.visible_to(user)
        .select_related("incident_type", "jurisdiction")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise NotFoundError(_("No such incident in your jurisdiction."))
    reinforcement = None
    if reinforcement_id is not None:
        reinforcement = (
            ReinforcementRequest.objects.visible_to(user)
            .select_related("upper_jurisdiction", "requesting_jurisdiction")
            .filter(pk=reinforcement_id)
            .first()
        )
        if reinforcement is None:
            raise NotFoundError(_("No such reinforcement request in your jurisdiction."))
        if reinforcement.incident_id != incident.pk:
            raise ValidationFailed(
                _("The reinforcement request is for another incident."),
                errors={"reinforcement": [_("Not a request for this incident.")]},
            )
        if level is not None and level.pk != reinforcement.upper_jurisdiction_id:
            raise ValidationFailed(
                _("A reinforcement is carried out by its upper level."),
                errors={"level": [_("Leave out or give the upper level of the request.")]},
            )
        level = reinforcement.upper_jurisdiction
    if level is None:
        level = user.jurisdiction
        if level is None:
            raise ValidationFailed(
                _("Give the level whose forces to suggest."),
                errors={"level": [_("This field is required.")]},
            )
    if not user.is_superuser and not level.path.startswith(user.jurisdiction.path):
        raise PermissionDeniedError(_("That level is outside your jurisdiction."))
    return SuggestionScope(incident=incident, level=level, reinforcement=reinforcement)
