#!/usr/bin/env python
"""A warning to 20,000 grid persons (issue 12): publish an orange flood warning over a
whole county, hand every message to the gateway backend (the embedded simulator), and
read the 叫应 board over those 20,000 recipients.

Works in a throwaway database (``<name>_bench`` on the PostgreSQL server of
DATABASE_URL, dropped afterwards; a temporary SQLite file when DATABASE_URL is unset).
Tasks run in-process (no broker); the hand-over after commit is held back so that each
step is timed on its own.

Prints, for G grids (default 20,000) in T townships of V villages each:
  recipients  targeting.recipients_for: who the warning reaches (unsaved rows)
  publish     publish_warning: the recipients, one notification each with its first
              deliveries, the event, COMMIT
  hand over   notify.send_pending until nothing is due: every message handed to the
              gateway backend (rendered, keyed, accepted, stored)
  board       warning_board (totals and one row per township) as the county's duty
              officer, with 30 % answered and 2 % failed for good; median of 5 runs and
              its number of SQL queries; the same for one page of recipients with their
              state and for the counter 预警未叫应 N; beside them one plain
              SELECT COUNT(*) over the recipients (the floor of any board that reads them)

    .venv/bin/python bench/warning.py                        # SQLite
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage \\
        .venv/bin/python bench/warning.py                    # PostgreSQL (preferred)
    .venv/bin/python bench/warning.py --grids 20000 --townships 20 --villages 25
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import in_throwaway_django  # noqa: E402

PYTHON = sys.executable
FORCES = 200


def seed(grids: int, townships: int, villages: int):
    """A county with ``townships`` × ``villages`` villages holding ``grids`` grids, its
    water bureau (the issuer) with an editor, its emergency bureau with a duty officer,
    its fire brigade, FORCES flood forces and the flood hazard type. Bulk inserts: this
    is setup, not measured."""
    from django.contrib.auth.models import Group

    from core.models import Jurisdiction, Organisation, User
    from earlywarning.models import Grid, HazardType
    from forces.models import Force, Specialty

    def place(code, name, level, parent=None):
        return Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )[0]

    province = place("370000", "山东省", "province")
    city = place("371500", "聊城市", "city", province)
    county = place("371581", "临清市", "county", city)
    places, towns = [], []
    for t in range(townships):
        town = place(f"371581{101 + t:03d}", f"第{t + 1}镇", "township", county)
        towns.append(town)
        for v in range(villages):
            places.append(
                place(f"{town.code}{v + 1:03d}", f"第{t + 1}镇{v + 1}村", "village", town)
            )
    water = Organisation.objects.create(
        name="临清市水利局", kind="industry_department", sector="水利", jurisdiction=county
    )
    bureau = Organisation.objects.create(
        name="临清市应急管理局",
        kind="emergency_bureau",
        jurisdiction=county,
        duty_phone="0635-2345678",
    )
    Organisation.objects.create(
        name="临清市消防救援大队",
        kind="fire_rescue",
        jurisdiction=county,
        duty_phone="0635-2345119",
    )
    flood = Specialty.objects.get_or_create(code="flood", defaults={"name": "防汛抢险"})[0]
    hazard = HazardType.objects.get_or_create(
        code="flood", defaults={"name": "洪水", "sector": "水利", "cap_category": "Met"}
    )[0]
    hazard.specialties.set([flood])
    Force.objects.bulk_create(
        [
            Force(
                name=f"防汛抢险队{n:04d}",
                category="government",
                organisation=water,
                jurisdiction=places[n % len(places)],
                duty_phone=f"1390000{n:04d}",
                headcount=20,
            )
            for n in range(FORCES)
        ],
        batch_size=1000,
    )
    Force.specialties.through.objects.bulk_create(
        [
            Force.specialties.through(force_id=pk, specialty_id=flood.pk)
            for pk in Force.objects.values_list("pk", flat=True)
        ],
        batch_size=1000,
    )
    Grid.objects.bulk_create(
        [
            Grid(
                jurisdiction=places[n % len(places)],
                code=f"G{n:06d}",
                name=f"网格{n:06d}",
                person_name=f"网格员{n}",
                person_phone=f"13{5 + n % 5}{n:08d}",
                supervisor_name="镇值班领导",
                supervisor_phone=f"1590000{n % len(places):04d}",
            )
            for n in range(grids)
        ],
        batch_size=2000,
    )

    def user(name, org, role):
        u = User.objects.create_user(
            username=name, password=secrets.token_urlsafe(), organisation=org
        )
        u.groups.add(Group.objects.get(name=role))
        return u

    editor = user("bench_editor", water, "department_editor")
    duty = user("bench_duty", bureau, "duty_officer")
    return towns, hazard, editor, duty


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def counted(fn) -> tuple[object, int]:
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = fn()
    return result, len(executed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grids", type=int, default=20_000)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--villages", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (1 <= args.grids <= 200_000 and 1 <= args.townships <= 99 and 1 <= args.villages):
        parser.error("1..200000 grids, 1..99 townships, at least one village each")

    return in_throwaway_django(lambda: measure(args))


def measure(args) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from earlywarning import services, targeting
    from earlywarning.models import WarningRecipient
    from earlywarning.selectors import board_recipients, unanswered_count, warning_board
    from notify import services as notify_services
    from notify.choices import DeliveryStatus, Purpose
    from notify.models import Delivery, Notification, SimulatedMessage
    from notify.services import outbox

    townships, hazard, editor, duty = seed(args.grids, args.townships, args.villages)
    print(
        f"Linkage warnings — {args.grids} grids in {args.townships} townships × "
        f"{args.villages} villages, {FORCES} forces\n"
        f"{connection.vendor}, tasks in-process; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    now = timezone.now()
    draft = services.create_draft(
        actor=editor,
        data=services.WarningData(
            hazard_type=hazard,
            level="orange",
            areas=townships,
            headline="卫运河全线水位超警戒",
            description="受上游来水影响，卫运河临清段水位将超过警戒水位。",
            effective_at=now,
            expires_at=now + timedelta(hours=24),
        ),
    )

    # recipients: who it reaches, computed as publishing computes it (rows unsaved)
    def compute():
        with transaction.atomic():
            return targeting.recipients_for(draft)

    recipients_time, found = median_time(compute, 1)
    _found, recipient_queries = counted(compute)

    # publish: up to COMMIT, the hand-over to the gateway held back to time it alone
    held = outbox.send_after_commit
    outbox.send_after_commit = lambda ids: None
    try:
        t0 = time.perf_counter()
        warning, publish_queries = counted(
            lambda: services.publish_warning(actor=editor, warning_id=draft.pk)
        )
        publish = time.perf_counter() - t0
    finally:
        outbox.send_after_commit = held
    recipients = WarningRecipient.objects.filter(warning=warning).count()
    queued = Delivery.objects.filter(status=DeliveryStatus.QUEUED).count()

    # hand over: every due delivery to its backend (SMS to the simulator, in-app inbox)
    t0 = time.perf_counter()
    handed = 0
    while True:
        sent = notify_services.send_pending(limit=100_000)
        handed += sent
        if not sent:
            break
    hand_over = time.perf_counter() - t0
    sms = SimulatedMessage.objects.filter(channel="sms").count()
    left = Delivery.objects.filter(status=DeliveryStatus.QUEUED).count()

    # the board: 30 % answered, 2 % failed for good (written in bulk, not measured)
    ids = list(WarningRecipient.objects.filter(warning=warning).values_list("pk", flat=True))
    WarningRecipient.objects.filter(pk__in=ids[::10] + ids[1::10] + ids[2::10]).update(
        acknowledged_at=timezone.now(), acknowledged_channel="sms"
    )
    failed_ids = ids[5::50]
    notifications = Notification.objects.filter(
        purpose=Purpose.WARNING, object_id__in=failed_ids
    ).values("pk")
    Delivery.objects.filter(notification__in=notifications).update(status=DeliveryStatus.FAILED)
    if connection.vendor == "postgresql":
        # What autovacuum does on a live server after a publish of this size: the
        # planner's statistics of the new rows (setup, not measured).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    duty.role_names  # noqa: B018 — read once per request
    rows = []
    for label, fn in [
        ("board (by township)", lambda: warning_board(duty, warning)),
        ("recipients, one page of 100", lambda: list(board_recipients(duty, warning)[:100])),
        (
            "unreached, one page of 100",
            lambda: list(board_recipients(duty, warning, state="unreached")[:100]),
        ),
        ("counter 预警未叫应", lambda: unanswered_count(duty)),
    ]:
        fn()  # warm-up
        result, queries = counted(fn)
        seconds, _ = median_time(fn, args.runs)
        rows.append((label, seconds, queries, result))
    floor, _ = median_time(lambda: WarningRecipient.objects.filter(warning=warning).count(), 5)
    board = rows[0][3]

    print(f"{'step':<32}{'time':>12}{'per recipient':>16}{'queries':>10}")
    print("-" * 70)
    print(
        f"{'recipients (' + str(len(found)) + ')':<32}{recipients_time * 1000:>9.0f} ms"
        f"{recipients_time / max(len(found), 1) * 1e6:>13.1f} µs{recipient_queries:>10}"
    )
    print(
        f"{'publish (' + str(recipients) + ' recipients)':<32}{publish * 1000:>9.0f} ms"
        f"{publish / max(recipients, 1) * 1e6:>13.1f} µs{publish_queries:>10}"
    )
    print(
        f"{'hand over (' + str(handed) + ' messages)':<32}{hand_over * 1000:>9.0f} ms"
        f"{hand_over / max(handed, 1) * 1e6:>13.1f} µs"
    )
    print(f"{'publish + hand over':<32}{(publish + hand_over) * 1000:>9.0f} ms")
    for label, seconds, queries, _result in rows:
        print(
            f"{label:<32}{seconds * 1000:>9.1f} ms"
            f"{seconds / max(recipients, 1) * 1e6:>13.2f} µs{queries:>10}"
        )
    print(
        f"\n{queued} deliveries queued by publish, {handed} handed over ({sms} SMS in the "
        f"simulator), {left} left queued"
    )
    print(
        f"board: {board.total} recipients, {board.answered} answered, {board.chasing} "
        f"chasing, {board.unreached} unreached, {len(board.rows)} rows; one SELECT COUNT(*) "
        f"over them: {floor * 1000:.1f} ms; board / count = {rows[0][1] / floor:.1f}×"
    )
    return 1 if left or sms < args.grids else 0


if __name__ == "__main__":
    sys.exit(main())
