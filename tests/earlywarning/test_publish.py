"""Publishing a warning reaches every recipient of its area, and only them (issue 12:
"every grid person there gets an SMS in the simulator")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.exceptions import (
    ConflictError,
    InvalidTransition,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from earlywarning import services
from earlywarning.choices import MessageType, RecipientKind, WarningLevel, WarningStatus
from earlywarning.models import HazardWarning, WarningRecipient
from notify.choices import Purpose
from notify.models import Notification, SimulatedMessage
from tests import factories as f
from tests.earlywarning.helpers import deliver, flood_data, published_flood, sms_to

pytestmark = pytest.mark.django_db

COUNTY_A_GRIDS = ("grid_a1", "grid_a2", "grid_a3", "grid_a4", "grid_a5")


def test_a_draft_gets_a_stable_identifier_the_sender_and_the_common_jurisdiction(
    warning_world,
):
    w = warning_world
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w))
    assert draft.status == WarningStatus.DRAFT
    assert draft.identifier.startswith("371581-")
    assert len(draft.identifier.split("-")[1]) == 14
    assert draft.sender == settings.WARNING_CAP_SENDER
    assert draft.jurisdiction == w.county_a  # two townships of county A
    assert draft.issuer == w.water_a
    assert draft.area_description == "松林镇、先锋街道"
    assert draft.msg_type == MessageType.ALERT and draft.version == 1
    assert not SimulatedMessage.objects.exists()  # a draft tells nobody
    assert Event.objects.filter(type="warning.created", subject_id=str(draft.pk)).count() == 1
    one = services.create_draft(actor=w.editor_a, data=flood_data(w, areas=[w.village_a1]))
    assert one.jurisdiction == w.village_a1


def test_publishing_texts_every_grid_person_of_the_two_townships_and_nobody_in_county_b(
    warning_world,
):
    w = warning_world
    warning = published_flood(w)
    assert warning.status == WarningStatus.PUBLISHED
    assert warning.published_by == w.editor_a and warning.published_at is not None
    for name in COUNTY_A_GRIDS:
        grid = getattr(w, name)
        sent = list(sms_to(grid.person_phone))
        assert len(sent) == 1, name
        assert "临清市水利局发布橙色洪水预警：卫运河临清段水位超警戒。请回复签收。" in sent[0].body
        assert "回复" in sent[0].body and "签收" in sent[0].body
    assert not sms_to(w.grid_b1.person_phone).exists()
    assert not sms_to(w.grid_a1.supervisor_phone).exists()  # raised only at 15 minutes
    county_b = SimulatedMessage.objects.filter(jurisdiction__path__startswith=w.county_b.path)
    assert not county_b.exists()
    event = Event.objects.get(type="warning.published")
    assert event.payload["recipients"] == warning.recipients.count()
    assert event.payload["level"] == "orange" and event.payload["version"] == 1
    assert event.jurisdiction == w.county_a
    assert event.organisation == w.water_a


def test_targeting_reaches_grids_forces_departments_and_duty_officers_of_the_area(
    warning_world,
):
    w = warning_world
    w.fire_a.duty_phone = "05356660119"
    w.fire_a.save()
    warning = published_flood(w)
    recipients = WarningRecipient.objects.filter(warning=warning)
    by_kind = {kind: set() for kind in RecipientKind.values}
    for r in recipients:
        by_kind[r.kind].add(r.grid_id or r.force_id or r.organisation_id or r.user_id)
    assert by_kind[RecipientKind.GRID_PERSON] == {getattr(w, n).pk for n in COUNTY_A_GRIDS}
    # The county's water force (specialties flood, water), not the power company's or B's.
    assert by_kind[RecipientKind.FORCE] == {w.force_a.pk}
    # Departments concerned in county A: the bureau and the fire brigade; not the issuer
    # (water), not weather (not concerned), none of county B nor the city above.
    assert by_kind[RecipientKind.DEPARTMENT] == {w.bureau_a.pk, w.fire_a.pk}
    assert by_kind[RecipientKind.DUTY_OFFICER] == {w.duty_officer_a.pk}
    assert recipients.count() == 5 + 1 + 2 + 1
    # Every recipient has its WARNING notification, addressed by its kind's audiences.
    assert Notification.objects.filter(purpose=Purpose.WARNING).count() == recipients.count()
    fire = recipients.get(organisation=w.fire_a, kind=RecipientKind.DEPARTMENT)
    assert sms_to("05356660119").count() == 1
    assert fire.phone == "05356660119"
    # The county's duty officer is asked twice (for the bureau, and in person), not once
    # per grid: grids raise him only when they stay silent.
    from notify.models import Delivery

    assert Delivery.objects.filter(user=w.duty_officer_a, channel="in_app").count() == 2
    # A force's accounts are told in-app.
    force_row = recipients.get(kind=RecipientKind.FORCE)
    notification = Notification.objects.get(purpose=Purpose.WARNING, object_id=force_row.pk)
    assert notification.deliveries.filter(user=w.force_account_a, channel="in_app").exists()


def test_an_unavailable_force_and_an_inactive_grid_are_not_asked(warning_world):
    w = warning_world
    w.force_a.status = "unavailable"
    w.force_a.save()
    w.grid_a3.is_active = False
    w.grid_a3.save()
    warning = published_flood(w)
    assert not warning.recipients.filter(force=w.force_a).exists()
    assert not warning.recipients.filter(grid=w.grid_a3).exists()
    assert not sms_to(w.grid_a3.person_phone).exists()


def test_an_expired_draft_is_not_published(warning_world):
    w = warning_world
    now = timezone.now()
    draft = services.create_draft(
        actor=w.editor_a,
        data=flood_data(
            w, effective_at=now - timedelta(hours=3), expires_at=now - timedelta(hours=1)
        ),
    )
    with pytest.raises(ValidationFailed):
        services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == WarningStatus.DRAFT
    assert not SimulatedMessage.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"areas": []}, "areas"),
        ({"headline": " "}, "headline"),
        ({"level": "purple"}, "level"),
        ({"level": WarningLevel.YELLOW, "opens_key_period": True}, "opens_key_period"),
        ({"polygon": "36.8,115.7 36.9,115.8 36.8,115.7"}, "polygon"),
        ({"polygon": "36.8,115.7 36.9,115.8 36.9,115.6 36.7,115.7"}, "polygon"),
        ({"polygon": "96.8,115.7 36.9,115.8 36.9,115.6 96.8,115.7"}, "polygon"),
    ],
)
def test_an_inconsistent_draft_is_refused_naming_the_field(warning_world, change, field):
    w = warning_world
    data = flood_data(w)
    from dataclasses import replace

    with pytest.raises(ValidationFailed) as refused:
        services.create_draft(actor=w.editor_a, data=replace(data, **change))
    assert field in refused.value.errors
    assert not HazardWarning.objects.exists()


def test_a_closed_polygon_is_kept_and_expiry_must_follow_effect(warning_world):
    w = warning_world
    ring = "36.80,115.70 36.90,115.80 36.85,115.90  36.80,115.70"
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w, polygon=ring))
    assert draft.polygon == "36.80,115.70 36.90,115.80 36.85,115.90 36.80,115.70"
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        services.create_draft(
            actor=w.editor_a, data=flood_data(w, effective_at=now, expires_at=now)
        )
    assert "expires_at" in refused.value.errors


def test_editing_a_draft_records_what_changed_and_nothing_when_unchanged(warning_world):
    w = warning_world
    data = flood_data(w)
    draft = services.create_draft(actor=w.editor_a, data=data)
    services.update_draft(actor=w.editor_a, warning_id=draft.pk, data=data)
    assert not Event.objects.filter(type="warning.edited").exists()
    from dataclasses import replace

    services.update_draft(
        actor=w.editor_a,
        warning_id=draft.pk,
        data=replace(data, level=WarningLevel.RED, areas=[w.town_a]),
    )
    draft.refresh_from_db()
    assert draft.level == WarningLevel.RED
    assert list(draft.areas.all()) == [w.town_a]
    assert draft.jurisdiction == w.town_a
    edited = Event.objects.get(type="warning.edited")
    assert edited.payload["fields"] == ["area_description", "areas", "jurisdiction", "level"]
    services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    with pytest.raises(InvalidTransition):
        services.update_draft(actor=w.editor_a, warning_id=draft.pk, data=data)
    with pytest.raises(InvalidTransition):
        services.discard_draft(actor=w.editor_a, warning_id=draft.pk)


def test_discarding_a_draft_deletes_it(warning_world):
    w = warning_world
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w))
    with pytest.raises(PermissionDeniedError):
        services.discard_draft(actor=w.editor_b, warning_id=draft.pk)
    services.discard_draft(actor=w.editor_a, warning_id=draft.pk)
    assert not HazardWarning.objects.filter(pk=draft.pk).exists()


def test_an_update_re_asks_everyone_and_closes_the_previous_version(warning_world):
    w = warning_world
    first = published_flood(w)
    first_codes = {
        n.object_id: n.reply_code for n in Notification.objects.filter(purpose=Purpose.WARNING)
    }
    draft = services.revise_warning(actor=w.editor_a, warning_id=first.pk)
    assert draft.status == WarningStatus.DRAFT
    assert draft.previous == first and draft.version == 2
    assert draft.msg_type == MessageType.UPDATE
    assert draft.identifier != first.identifier
    assert set(draft.areas.all()) == {w.town_a, w.town_a2}
    with pytest.raises(ConflictError):
        services.revise_warning(actor=w.editor_a, warning_id=first.pk)
    from dataclasses import replace

    services.update_draft(
        actor=w.editor_a,
        warning_id=draft.pk,
        data=replace(flood_data(w), level=WarningLevel.RED, headline="卫运河临清段超保证水位"),
    )
    second = services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    deliver()
    first.refresh_from_db()
    assert first.status == WarningStatus.UPDATED and first.ended_at is not None
    assert second.status == WarningStatus.PUBLISHED
    # Every earlier notification is closed; everyone is asked again.
    old = Notification.objects.filter(purpose=Purpose.WARNING, object_id__in=first_codes)
    assert all(n.closed_at is not None for n in old)
    for name in COUNTY_A_GRIDS:
        sent = list(sms_to(getattr(w, name).person_phone).order_by("sent_at", "pk"))
        assert len(sent) == 2
        assert "红色洪水预警：卫运河临清段超保证水位" in sent[1].body
    assert second.recipients.count() == first.recipients.count()
    published = Event.objects.filter(type="warning.published").order_by("seq")
    assert published.last().payload["msg_type"] == "Update"
    assert published.last().payload["previous"] == first.pk


def test_cancelling_tells_everyone_once_and_stops_the_chase(warning_world):
    w = warning_world
    warning = published_flood(w)
    with pytest.raises(ValidationFailed):
        services.cancel_warning(actor=w.editor_a, warning_id=warning.pk, reason=" ")
    services.cancel_warning(actor=w.editor_a, warning_id=warning.pk, reason="水位回落")
    deliver()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CANCELLED
    assert warning.cancel_reason == "水位回落" and warning.ended_by == w.editor_a
    for name in COUNTY_A_GRIDS:
        sent = list(sms_to(getattr(w, name).person_phone).order_by("sent_at", "pk"))
        assert len(sent) == 2
        assert "临清市水利局解除洪水预警：卫运河临清段水位超警戒。" in sent[1].body
        assert "回复" not in sent[1].body.split("。", 1)[1]  # told, not asked
    assert not Notification.objects.filter(
        purpose=Purpose.WARNING, closed_at__isnull=True, acknowledged_at__isnull=True
    ).exists()
    with pytest.raises(InvalidTransition):
        services.cancel_warning(actor=w.editor_a, warning_id=warning.pk, reason="again")
    with pytest.raises(InvalidTransition):
        services.revise_warning(actor=w.editor_a, warning_id=warning.pk)


def test_a_revision_of_a_cancelled_warning_cannot_be_published(warning_world):
    w = warning_world
    warning = published_flood(w)
    draft = services.revise_warning(actor=w.editor_a, warning_id=warning.pk)
    services.cancel_warning(actor=w.editor_a, warning_id=warning.pk, reason="解除")
    with pytest.raises(InvalidTransition):
        services.publish_warning(actor=w.editor_a, warning_id=draft.pk)


def test_relaying_adds_forces_of_the_chosen_specialties_once(warning_world):
    w = warning_world
    warning = published_flood(w)
    rescue = f.specialty("rescue", "综合救援")
    extra = f.force(w.editor_power_a, w.power_a, name="临清供电应急队", category="enterprise")
    extra.specialties.set([rescue])
    w.force_power_a.specialties.set([rescue])
    added = services.relay_warning(
        actor=w.duty_officer_a, warning_id=warning.pk, specialties=[rescue]
    )
    assert added == 2
    assert set(warning.recipients.filter(kind="force").values_list("force_id", flat=True)) == {
        w.force_a.pk,
        extra.pk,
        w.force_power_a.pk,
    }
    assert services.relay_warning(actor=w.duty_officer_a, warning_id=warning.pk) == 0
    event = Event.objects.filter(type="warning.relayed").last()
    assert event.payload["added"] == 0
    assert Event.objects.filter(type="warning.relayed").first().payload["added"] == 2
    with pytest.raises(PermissionDeniedError):
        services.relay_warning(
            actor=w.duty_officer_a, warning_id=warning.pk, jurisdictions=[w.county_b]
        )


def test_an_update_asks_the_forces_a_relay_added_again(warning_world):
    """An update re-asks everyone (the issue): the forces the bureau relayed the warning to are not
    in the area's targeting, and the update asks them too."""
    w = warning_world
    warning = published_flood(w)
    rescue = f.specialty("rescue", "综合救援")
    w.force_power_a.specialties.set([rescue])
    assert (
        services.relay_warning(actor=w.duty_officer_a, warning_id=warning.pk, specialties=[rescue])
        == 1
    )
    asked_before = warning.recipients.count()

    draft = services.revise_warning(actor=w.editor_a, warning_id=warning.pk)
    update = services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    assert update.recipients.count() == asked_before
    assert update.recipients.filter(force=w.force_power_a).count() == 1
    # The same phone gets both versions: the update says it is one.
    deliver()
    latest = sms_to(w.grid_a1.person_phone).order_by("-sent_at", "-pk").first()
    assert "临清市水利局更新橙色洪水预警：" in latest.body

    services.cancel_warning(actor=w.editor_a, warning_id=update.pk, reason="水位回落")
    told = Notification.objects.filter(
        purpose=Purpose.WARNING_CANCELLED,
        object_id__in=update.recipients.filter(force=w.force_power_a).values("pk"),
    )
    assert told.count() == 1
