"""Every write of roll calls (值班值守调度, SPEC §5); who may do what is in
``duty.rollcalls.permissions``. Pages, API, admin and the beat tick call these functions;
each one, in one transaction, locks its rows, authorises, checks the state, writes,
records the event, and leaves side effects to ``on_commit``.

Seed sections: Liaocheng §三.二.2 (the fire brigade checks every force's duty through the
platform once a month, more often at key dates and sensitive periods); Zhoushan §三.2
(linkage units keep a 24-hour duty and answer at once).

Outcome of a target, fixed when it is answered or when the roll call closes:
  on time   answered_at <= deadline (started_at + window), the edge itself on time;
  late      deadline < answered_at <= closes_at (deadline + late minutes);
  no answer nothing by closes_at; answers after it are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import InvalidTransition, NotFoundError, PermissionDeniedError
from core.models import Jurisdiction, Organisation, User
from core.permissions import in_jurisdiction
from duty.events import RollCallEvent
from duty.models import (
    FREQUENCY_RANK,
    RollCall,
    RollCallFrequency,
    RollCallIntensification,
    RollCallOutcome,
    RollCallSchedule,
    RollCallStatus,
    RollCallTarget,
)
from duty.rollcalls import notifications
from duty.rollcalls.permissions import can_answer, can_manage_schedules, can_start
from duty.rollcalls.selectors import warning_key_period_reason
from earlywarning.selectors import key_period_warnings
from forces.models import Force
from notify.types import Responder


class RollCallClosed(InvalidTransition):
    code = "roll_call_closed"


class AlreadyAnswered(InvalidTransition):
    code = "already_answered"


class NoTargets(InvalidTransition):
    code = "no_targets"


# --- targets ----------------------------------------------------------------------------


def target_forces(
    jurisdiction: Jurisdiction, *, category: str = "", department: Organisation | None = None
) -> QuerySet[Force]:
    """Every active force in the jurisdiction and below; optionally one category, and
    optionally one department's forces (owned by it or under its industry authority)."""
    forces = Force.objects.filter(is_active=True, jurisdiction__path__startswith=jurisdiction.path)
    if category:
        forces = forces.filter(category=category)
    if department is not None:
        forces = forces.filter(Q(organisation=department) | Q(industry_authority=department))
    return forces


def _create(
    *,
    jurisdiction: Jurisdiction,
    category: str,
    department: Organisation | None,
    window_minutes: int,
    late_minutes: int,
    now: datetime,
    actor: User | None,
    schedule: RollCallSchedule | None = None,
    period_key: str = "",
    note: str = "",
) -> RollCall:
    deadline = now + timedelta(minutes=window_minutes)
    roll_call = RollCall(
        jurisdiction=jurisdiction,
        category=category,
        department=department,
        window_minutes=window_minutes,
        late_minutes=late_minutes,
        schedule=schedule,
        period_key=period_key,
        started_by=actor,
        started_at=now,
        deadline=deadline,
        closes_at=deadline + timedelta(minutes=late_minutes),
        note=note,
    )
    roll_call.full_clean(exclude=["schedule", "department", "started_by"])
    if actor is not None:
        roll_call._history_user = actor
    roll_call.save()
    rows = list(
        target_forces(jurisdiction, category=category, department=department).values_list(
            "pk",
            "category",
            "organisation_id",
            "industry_authority_id",
            "duty_phone",
            "leader_name",
            "leader_phone",
        )
    )
    targets = [
        RollCallTarget(
            roll_call=roll_call,
            force_id=pk,
            category=force_category,
            department_id=authority_id or organisation_id,
        )
        for pk, force_category, organisation_id, authority_id, *_contacts in rows
    ]
    if not targets:
        raise NoTargets(_("No active force matches this roll call."))
    RollCallTarget.objects.bulk_create(targets, batch_size=1000)
    if roll_call.closes_at > timezone.now():
        # Every force, by SMS as well as in-app, written with the targets. A roll call
        # that closed before it was written (a backfilled one) reaches nobody.
        contacts = {
            row[0]: notifications.ForceContact(
                organisation_id=row[2], duty_phone=row[4], leader_name=row[5], leader_phone=row[6]
            )
            for row in rows
        }
        notifications.notify_targets(roll_call, targets, contacts)
    record_event(
        type=RollCallEvent.STARTED,
        jurisdiction=jurisdiction,
        subject=roll_call,
        payload={
            "roll_call": roll_call.pk,
            "targets": len(targets),
            "deadline": roll_call.deadline.isoformat(),
            "scheduled": schedule is not None,
        },
        actor=actor,
    )
    transaction.on_commit(lambda: _deliver_after_commit(roll_call.pk), robust=True)
    return roll_call


def _deliver_after_commit(roll_call_id: int) -> None:
    from duty.tasks import deliver_roll_call

    deliver_roll_call.delay(roll_call_id)


@transaction.atomic
def start_roll_call(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    category: str = "",
    department: Organisation | None = None,
    window_minutes: int = 10,
    late_minutes: int = 50,
    note: str = "",
    now: datetime | None = None,
) -> RollCall:
    """A dispatcher starts a roll call by hand, at any time (Liaocheng §三.二.2)."""
    if not can_start(actor, jurisdiction):
        raise PermissionDeniedError(_("You may not start roll calls for this jurisdiction."))
    if department is not None and not department.jurisdiction.path.startswith(jurisdiction.path):
        raise PermissionDeniedError(_("That department is outside the roll call's jurisdiction."))
    return _create(
        jurisdiction=jurisdiction,
        category=category,
        department=department,
        window_minutes=window_minutes,
        late_minutes=late_minutes,
        now=now or timezone.now(),
        actor=actor,
        note=note,
    )


@transaction.atomic
def deliver_roll_call(*, roll_call_id: int, now: datetime | None = None) -> int:
    """Notify every target's force (the outbox: targets not yet notified). Idempotent;
    returns how many targets were notified now."""
    roll_call = RollCall.objects.select_for_update().filter(pk=roll_call_id).first()
    if roll_call is None:
        return 0
    now = now or timezone.now()
    waiting = roll_call.targets.filter(notified_at__isnull=True)
    by_organisation = dict(
        waiting.values_list("force__organisation").annotate(n=Count("pk")).order_by()
    )
    notified = waiting.update(notified_at=now)
    if roll_call.delivered_at is None:
        roll_call.delivered_at = now
        roll_call.save(update_fields=["delivered_at"])
    if notified:
        record_event(
            type=RollCallEvent.DELIVERED,
            jurisdiction=roll_call.jurisdiction,
            subject=roll_call,
            payload={"roll_call": roll_call.pk, "notified": notified},
        )
    for organisation in Organisation.objects.filter(pk__in=by_organisation).select_related(
        "jurisdiction"
    ):
        # In the organisation's own jurisdiction, so that its force account reads it even
        # when the roll call was started above (a city's roll call of a county's forces).
        record_event(
            type=RollCallEvent.CALLED,
            jurisdiction=organisation.jurisdiction,
            subject=roll_call,
            payload={"roll_call": roll_call.pk, "targets": by_organisation[organisation.pk]},
            organisation=organisation,
        )
    return notified


def undelivered_roll_call_ids(limit: int = 100) -> list[int]:
    return list(
        RollCall.objects.filter(status=RollCallStatus.RUNNING, delivered_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def answer_roll_call(
    *,
    actor: User | None,
    target_id: int,
    people_on_duty: int | None = None,
    equipment_ready: bool | None = None,
    remark: str = "",
    now: datetime | None = None,
    responder: Responder | None = None,
) -> RollCallTarget:
    """The force answers through its own account: on time up to and including the
    deadline, late until the roll call closes, refused after (Liaocheng §三.二.2).

    Without an actor, ``responder`` is the force answering through a channel (an SMS
    reply from its duty phone, a one-time link, a voice key), verified by notify; the
    answer counts exactly like one on the page."""
    target = (
        RollCallTarget.objects.select_for_update(of=("self",))
        .select_related("roll_call__jurisdiction", "force__organisation")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFoundError(_("No such roll call."))
    if actor is None:
        if responder is None:
            raise PermissionDeniedError(_("Only the force itself can answer its roll call."))
    elif not can_answer(actor, target.force):
        if not in_jurisdiction(actor, target.roll_call.jurisdiction):
            raise NotFoundError(_("No such roll call."))
        raise PermissionDeniedError(_("Only the force's own account can answer its roll call."))
    responder = responder or Responder(channel="web", label=str(actor)[:100])
    roll_call = target.roll_call
    now = now or timezone.now()
    if target.outcome in (RollCallOutcome.ON_TIME, RollCallOutcome.LATE):
        raise AlreadyAnswered(_("This roll call has already been answered."))
    if roll_call.status != RollCallStatus.RUNNING or now > roll_call.closes_at:
        raise RollCallClosed(_("This roll call is closed; the answer was not recorded."))
    target.outcome = RollCallOutcome.ON_TIME if now <= roll_call.deadline else RollCallOutcome.LATE
    target.answered_at = now
    target.answered_by = actor
    target.answer_seconds = max(0, int((now - roll_call.started_at).total_seconds()))
    target.people_on_duty = people_on_duty
    target.equipment_ready = equipment_ready
    target.remark = remark[:200]
    target.answered_via = responder.channel
    target.answered_label = responder.label[:100]
    target.save(
        update_fields=[
            "outcome",
            "answered_at",
            "answered_by",
            "answered_via",
            "answered_label",
            "answer_seconds",
            "people_on_duty",
            "equipment_ready",
            "remark",
        ]
    )
    record_event(
        type=RollCallEvent.ANSWERED,
        jurisdiction=roll_call.jurisdiction,
        subject=roll_call,
        payload={
            "roll_call": roll_call.pk,
            "force": target.force_id,
            "force_name": target.force.name,
            "outcome": target.outcome,
            "via": target.answered_via,
            "via_label": target.answered_label,
        },
        actor=actor,
        organisation=target.force.organisation,
    )
    notifications.target_answered(target, responder)
    return target


def _close(roll_call: RollCall, *, now: datetime, actor: User | None) -> RollCall:
    if now < roll_call.closes_at:
        # Closed by hand: nobody is chased for a roll call that no longer takes answers.
        # At closes_at the notifications expire by themselves (notify's tick).
        notifications.targets_closed(
            list(roll_call.targets.filter(outcome=RollCallOutcome.WAITING).only("pk"))
        )
    missed = roll_call.targets.filter(outcome=RollCallOutcome.WAITING).update(
        outcome=RollCallOutcome.NO_ANSWER
    )
    roll_call.status = RollCallStatus.CLOSED
    roll_call.closed_at = now
    if actor is not None:
        roll_call._history_user = actor
    roll_call.save(update_fields=["status", "closed_at"])
    record_event(
        type=RollCallEvent.CLOSED,
        jurisdiction=roll_call.jurisdiction,
        subject=roll_call,
        payload={"roll_call": roll_call.pk, "no_answer": missed},
        actor=actor,
    )
    return roll_call


@transaction.atomic
def close_roll_call(*, actor: User, roll_call_id: int, now: datetime | None = None) -> RollCall:
    """Close by hand before ``closes_at``: whoever has not answered has no answer."""
    roll_call = RollCall.objects.select_for_update().filter(pk=roll_call_id).first()
    if roll_call is None or not in_jurisdiction(actor, roll_call.jurisdiction):
        raise NotFoundError(_("No such roll call."))
    if not can_start(actor, roll_call.jurisdiction):
        raise PermissionDeniedError(_("You may not close roll calls for this jurisdiction."))
    if roll_call.status != RollCallStatus.RUNNING:
        raise RollCallClosed(_("This roll call is already closed."))
    return _close(roll_call, now=now or timezone.now(), actor=actor)


def close_expired(*, now: datetime | None = None) -> list[int]:
    """Close every running roll call past ``closes_at`` (the beat tick). Rows a request
    holds are skipped and looked at on the next tick."""
    now = now or timezone.now()
    closed = []
    due = RollCall.objects.filter(status=RollCallStatus.RUNNING, closes_at__lt=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            roll_call = (
                RollCall.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=RollCallStatus.RUNNING)
                .first()
            )
            if roll_call is not None:
                _close(roll_call, now=now, actor=None)
                closed.append(pk)
    return closed


# --- schedules --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    frequency: str
    key: str
    due: datetime  # aware, when the roll call of this period should start
    first_day: date
    last_day: date


def effective_frequency(schedule: RollCallSchedule, day: date) -> tuple[str, list[str]]:
    """The schedule's frequency on ``day``, raised by any intensification of its
    jurisdiction or an ancestor covering that day (Liaocheng §三.二.2). Returns the
    frequency and the reasons that raised it."""
    codes = schedule.jurisdiction.ancestors_and_self()
    frequency = schedule.frequency
    reasons = []
    for item in RollCallIntensification.objects.filter(
        jurisdiction__code__in=codes, starts_on__lte=day, ends_on__gte=day
    ).order_by("starts_on", "pk"):
        if FREQUENCY_RANK[item.frequency] > FREQUENCY_RANK[frequency]:
            frequency = item.frequency
        if FREQUENCY_RANK[item.frequency] > FREQUENCY_RANK[schedule.frequency]:
            reasons.append(item.reason)
    # An orange or red warning that opens a key period makes the schedules of its area,
    # below it and above it (up to the warning's jurisdiction) run daily while in force.
    daily = RollCallFrequency.DAILY
    for warning in key_period_warnings(schedule.jurisdiction, day):
        if FREQUENCY_RANK[daily] > FREQUENCY_RANK[frequency]:
            frequency = daily
        if FREQUENCY_RANK[daily] > FREQUENCY_RANK[schedule.frequency]:
            reasons.append(warning_key_period_reason(warning))
    return frequency, reasons


def period_of(schedule: RollCallSchedule, frequency: str, day: date) -> Period:
    """The period of ``frequency`` containing the local ``day`` and its due time."""
    tz = timezone.get_current_timezone()
    at = schedule.time_of_day
    if isinstance(at, str):
        at = time.fromisoformat(at)
    if frequency == RollCallFrequency.DAILY:
        first = last = day
        due_day = day
        key = f"D{day.isoformat()}"
    elif frequency == RollCallFrequency.WEEKLY:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        due_day = first + timedelta(days=schedule.weekday)
        year, week, _weekday = day.isocalendar()
        key = f"W{year}-{week:02d}"
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        due_day = first.replace(day=schedule.day_of_month)
        key = f"M{first:%Y-%m}"
    due = datetime.combine(due_day, at).replace(tzinfo=tz)
    return Period(frequency=frequency, key=key, due=due, first_day=first, last_day=last)


def due_period(schedule: RollCallSchedule, now: datetime) -> Period | None:
    """The period whose roll call should start now, or None. A monthly period that
    already had a roll call of this schedule (say, daily ones during a holiday) is
    done: intensification adds roll calls, it never makes the monthly one repeat."""
    today = timezone.localtime(now).date()
    frequency, _reasons = effective_frequency(schedule, today)
    period = period_of(schedule, frequency, today)
    if now < period.due:
        return None
    started = RollCall.objects.filter(schedule=schedule)
    if started.filter(period_key=period.key).exists():
        return None
    if frequency == RollCallFrequency.MONTHLY:
        tz = timezone.get_current_timezone()
        month_start = datetime.combine(period.first_day, time.min).replace(tzinfo=tz)
        month_end = datetime.combine(period.last_day + timedelta(days=1), time.min).replace(
            tzinfo=tz
        )
        if started.filter(started_at__gte=month_start, started_at__lt=month_end).exists():
            return None
    return period


def start_due_roll_calls(*, now: datetime | None = None) -> list[RollCall]:
    """The beat tick: start exactly the roll calls due now, each once per period. The
    schedule row is locked and the (schedule, period) pair is unique, so two ticks at
    once, or a tick run twice, start nothing twice."""
    now = now or timezone.now()
    started = []
    for pk in RollCallSchedule.objects.filter(is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            schedule = (
                RollCallSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("jurisdiction", "department")
                .filter(pk=pk, is_active=True)
                .first()
            )
            if schedule is None:
                continue
            period = due_period(schedule, now)
            if period is None:
                continue
            try:
                with transaction.atomic():
                    started.append(
                        _create(
                            jurisdiction=schedule.jurisdiction,
                            category=schedule.category,
                            department=schedule.department,
                            window_minutes=schedule.window_minutes,
                            late_minutes=schedule.late_minutes,
                            now=now,
                            actor=None,
                            schedule=schedule,
                            period_key=period.key,
                            note=schedule.name,
                        )
                    )
            except IntegrityError:  # another tick got there first
                continue
            except NoTargets:  # nothing to call in this scope; try again next tick
                continue
    return started


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """Everything periodic about roll calls, in one beat task."""
    now = now or timezone.now()
    started = start_due_roll_calls(now=now)
    closed = close_expired(now=now)
    redelivered = sum(deliver_roll_call(roll_call_id=pk) for pk in undelivered_roll_call_ids())
    return {"started": len(started), "closed": len(closed), "redelivered": redelivered}


# --- schedules and intensifications, written by people ---------------------------------


@transaction.atomic
def save_schedule(*, actor: User, schedule: RollCallSchedule, reason: str = "") -> RollCallSchedule:
    """Create or change a schedule (values already on the unsaved instance)."""
    if schedule.pk:
        stored = RollCallSchedule.objects.select_for_update().filter(pk=schedule.pk).first()
        if stored is None or not in_jurisdiction(actor, stored.jurisdiction):
            raise NotFoundError(_("No such roll-call schedule in your jurisdiction."))
        if not can_manage_schedules(actor, stored.jurisdiction):
            raise PermissionDeniedError(_("You may not manage roll-call schedules here."))
    if not can_manage_schedules(actor, schedule.jurisdiction):
        raise PermissionDeniedError(_("You may not manage roll-call schedules here."))
    if not schedule.pk:
        schedule.created_by = actor
    schedule.full_clean()
    schedule._history_user = actor
    schedule._change_reason = reason
    schedule.save()
    record_event(
        type=RollCallEvent.SCHEDULE_SAVED,
        jurisdiction=schedule.jurisdiction,
        subject=schedule,
        payload={"schedule": schedule.pk, "frequency": schedule.frequency},
        actor=actor,
    )
    return schedule


@transaction.atomic
def save_intensification(*, actor: User, item: RollCallIntensification) -> RollCallIntensification:
    if not can_manage_schedules(actor, item.jurisdiction):
        raise PermissionDeniedError(_("You may not manage roll-call schedules here."))
    item.full_clean()
    item._history_user = actor
    item.save()
    record_event(
        type=RollCallEvent.INTENSIFIED,
        jurisdiction=item.jurisdiction,
        subject=item,
        payload={
            "frequency": item.frequency,
            "starts_on": item.starts_on.isoformat(),
            "ends_on": item.ends_on.isoformat(),
        },
        actor=actor,
    )
    return item
