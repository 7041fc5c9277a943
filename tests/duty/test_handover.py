"""Duty log and shift hand-over (交接班): open items travel with the duty."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.exceptions import (
    ConflictError,
    InvalidTransition,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from duty.models import DutyLogEntry, HandOver
from duty.rosters import services
from tests.duty import test_roster_fixtures as fx
from tests.duty.test_roster_fixtures import add_shift, at

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world
two_shifts = fx.two_shifts


def _entry(w, content, *, is_open, shift=None, actor=None):
    return services.record_log_entry(
        actor=actor or w.duty_officer_a,
        shift_id=(shift or w.shift1).pk,
        data={"content": content, "category": "call_received", "is_open": is_open},
    )


def _hand_over(w, **extra):
    return services.hand_over(
        actor=extra.pop("actor", w.duty_officer_a),
        from_shift_id=extra.pop("from_shift_id", w.shift1.pk),
        to_shift_id=extra.pop("to_shift_id", w.shift2.pk),
        from_officer_id=extra.pop("from_officer_id", w.out_officer.pk),
        to_officer_id=extra.pop("to_officer_id", w.in_officer.pk),
        notes=extra.pop("notes", "卫运河水位持续上涨，继续关注"),
    )


def test_hand_over_carries_every_open_item_to_the_incoming_shift(two_shifts):
    """Tieling §三.(二).1 (应急值守制度, 规范运行管理): at hand-over the open items move
    to the incoming shift and stay open; closed and plain entries stay behind."""
    w = two_shifts
    open1 = _entry(w, "群众报警：松林镇积水", is_open=True)
    open2 = _entry(w, "市局指令：统计转移人数", is_open=True, actor=w.dispatcher_a)
    plain = _entry(w, "例行巡查无异常", is_open=False)
    done = _entry(w, "已办结", is_open=True)
    services.close_log_entry(actor=w.duty_officer_a, entry_id=done.pk, note="已回复")

    record = _hand_over(w)

    assert set(record.carried_entries.all()) == {open1, open2}
    on_new = DutyLogEntry.objects.filter(shift=w.shift2)
    assert set(on_new) == {open1, open2}
    assert all(e.is_open and e.recorded_on_id == w.shift1.pk for e in on_new)
    assert set(DutyLogEntry.objects.filter(shift=w.shift1)) == {plain, done}
    assert open1.history.latest().history_user == w.duty_officer_a
    assert open1.history.latest().history_change_reason == "carried over at hand-over"
    event = Event.objects.get(type="duty.handover")
    assert sorted(event.payload["carried"]) == sorted([open1.pk, open2.pk])


def test_carried_items_move_on_at_the_next_hand_over(two_shifts):
    """Tieling §三.(二).1: an item stays open until someone closes it, shift after shift."""
    w = two_shifts
    item = _entry(w, "危化品车辆侧翻后续处置", is_open=True)
    _hand_over(w)
    nxt = w.day + timedelta(days=1)
    shift3 = add_shift(w.duty_officer_a, w.joint, at(nxt, 8), at(nxt, 20))
    services.hand_over(
        actor=w.dispatcher_a,
        from_shift_id=w.shift2.pk,
        to_shift_id=shift3.pk,
        from_officer_id=w.in_officer.pk,
        to_officer_id=shift3.officers.get().pk,
    )
    item.refresh_from_db()
    assert item.shift_id == shift3.pk and item.is_open


def test_closing_an_item_records_who_and_when(two_shifts):
    """Tieling §三.(二).1: closing an open item is recorded; it cannot be closed twice."""
    w = two_shifts
    item = _entry(w, "待回复：水利局核实堤防", is_open=True)
    _hand_over(w)
    closed = services.close_log_entry(actor=w.dispatcher_a, entry_id=item.pk, note="已核实")
    assert closed.closed_by == w.dispatcher_a and closed.closed_at is not None
    assert not closed.is_open and closed.closing_note == "已核实"
    assert closed.history.latest().history_user == w.dispatcher_a
    with pytest.raises(InvalidTransition) as exc:
        services.close_log_entry(actor=w.dispatcher_a, entry_id=item.pk)
    assert exc.value.code == "already_closed"
    plain = _entry(w, "一般记录", is_open=False)
    with pytest.raises(InvalidTransition) as exc:
        services.close_log_entry(actor=w.dispatcher_a, entry_id=plain.pk)
    assert exc.value.code == "not_an_open_item"


def test_a_shift_is_handed_over_once(two_shifts):
    """Tieling §三.(二).1: one hand-over per outgoing shift."""
    w = two_shifts
    _hand_over(w)
    with pytest.raises(ConflictError) as exc:
        _hand_over(w)
    assert exc.value.code == "already_handed_over"
    assert HandOver.objects.count() == 1


def test_hand_over_checks_shifts_and_officers(two_shifts):
    """Tieling §三.(二).1: the outgoing officer of this shift hands to an officer of a
    later shift on the same roster."""
    w = two_shifts
    other = add_shift(w.editor_a, w.force_roster, at(w.day, 20), at(w.day, 23))
    with pytest.raises(ValidationFailed):
        _hand_over(w, to_shift_id=other.pk)
    with pytest.raises(ValidationFailed):
        _hand_over(
            w,
            from_shift_id=w.shift2.pk,
            to_shift_id=w.shift1.pk,
            from_officer_id=w.in_officer.pk,
            to_officer_id=w.out_officer.pk,
        )
    with pytest.raises(ValidationFailed) as exc:
        _hand_over(w, from_officer_id=w.in_officer.pk)
    assert "from_officer" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        _hand_over(w, to_officer_id=w.out_officer.pk)
    assert "to_officer" in exc.value.errors
    assert not HandOver.objects.exists()


def test_only_roster_editors_write_the_log_or_hand_over(two_shifts):
    """Tieling §三.(二).1: the duty log belongs to the officers on duty."""
    w = two_shifts
    with pytest.raises(PermissionDeniedError):
        _entry(w, "越权记录", is_open=False, actor=w.editor_a)
    with pytest.raises(PermissionDeniedError):
        _hand_over(w, actor=w.approver_a)


def test_officer_removed_after_hand_over_is_refused(two_shifts):
    """Hand-over history points at its officers: they cannot be removed afterwards."""
    w = two_shifts
    _hand_over(w)
    with pytest.raises(ConflictError) as exc:
        services.update_shift(actor=w.duty_officer_a, shift_id=w.shift1.pk, data={}, officers=[])
    assert exc.value.code == "officer_in_hand_over"
    assert w.shift1.officers.count() == 2
