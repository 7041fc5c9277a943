"""Who may draft, publish, revise, cancel, relay and acknowledge a warning, for every role
and both counties, at the service level (DESIGN12 "Who may do what"). The pages and the
API call the same services; their own tests check the HTTP side."""

from __future__ import annotations

import pytest

from core.exceptions import PermissionDeniedError
from core.models import Event
from earlywarning import services
from earlywarning.choices import RecipientKind, WarningSource, WarningStatus
from earlywarning.models import HazardWarning, WarningRecipient
from earlywarning.permissions import can_read_warnings
from earlywarning.selectors import visible_warnings
from tests.earlywarning.helpers import flood_data, published_flood

pytestmark = pytest.mark.django_db

PERSONAS = [
    "duty_officer_a",
    "approver_a",
    "dispatcher_a",
    "editor_a",
    "editor_weather_a",
    "editor_power_a",
    "force_account_a",
    "screen_a",
    "admin_a",
    "admin_city",
    "approver_city",
    "dispatcher_city",
    "sync_client",
    "duty_officer_b",
    "approver_b",
    "dispatcher_b",
    "editor_b",
    "force_account_b",
]

# Only the issuing department (the water bureau of county A) issues a county-A flood
# warning; administrators are not the issuing department.
ISSUERS = {"editor_a"}
# The provincial sync client writes drafts (by external id), it never publishes.
DRAFTERS = ISSUERS | {"sync_client"}
# An imported (upstream) warning is forwarded by the bureau whose jurisdiction holds it.
FORWARDERS = ISSUERS | {"duty_officer_a", "approver_a", "approver_city"}
# The bureau and the fire brigade whose jurisdiction meets the area relay it.
RELAYERS = {"duty_officer_a", "approver_a", "dispatcher_a", "approver_city", "dispatcher_city"}
# Who reads county A's warnings.
READERS = {
    "duty_officer_a",
    "approver_a",
    "dispatcher_a",
    "editor_a",
    "editor_weather_a",
    "editor_power_a",
    "screen_a",
    "admin_a",
    "admin_city",
    "approver_city",
    "dispatcher_city",
    "sync_client",
}


def refused(call) -> bool:
    try:
        call()
    except PermissionDeniedError:
        return True
    return False


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_issuing_department_drafts_publishes_revises_and_cancels(warning_world, persona):
    w = warning_world
    user = getattr(w, persona)
    allowed = persona in ISSUERS
    assert refused(lambda: services.create_draft(actor=user, data=flood_data(w))) is (
        persona not in DRAFTERS
    )
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w))
    assert refused(lambda: services.publish_warning(actor=user, warning_id=draft.pk)) is (
        not allowed
    )
    if not allowed:
        assert HazardWarning.objects.get(pk=draft.pk).status == WarningStatus.DRAFT
        services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    assert refused(lambda: services.revise_warning(actor=user, warning_id=draft.pk)) is (
        not allowed
    )
    assert refused(
        lambda: services.cancel_warning(actor=user, warning_id=draft.pk, reason="解除")
    ) is (not allowed)
    if not allowed:
        assert HazardWarning.objects.get(pk=draft.pk).status == WarningStatus.PUBLISHED
        assert not Event.objects.filter(type="warning.cancelled").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_imported_warning_is_forwarded_by_the_bureau_holding_its_area(warning_world, persona):
    w = warning_world
    user = getattr(w, persona)
    draft = services.create_draft(
        actor=w.duty_officer_a,
        data=flood_data(w),
        issuer=w.water_a,
        source=WarningSource.IMPORTED,
        source_sender="sd-emergency@shandong.gov.cn",
        source_identifier="370000-20260701-0001",
    )
    assert refused(lambda: services.publish_warning(actor=user, warning_id=draft.pk)) is (
        persona not in FORWARDERS
    )


def test_the_bureau_may_not_draft_a_local_warning_nor_publish_one(warning_world):
    w = warning_world
    with pytest.raises(PermissionDeniedError):
        services.create_draft(actor=w.duty_officer_a, data=flood_data(w))
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w))
    with pytest.raises(PermissionDeniedError):
        services.publish_warning(actor=w.approver_a, warning_id=draft.pk)


def test_an_editor_issues_only_for_its_own_sector_and_jurisdiction(warning_world):
    w = warning_world
    from dataclasses import replace

    # The weather bureau issues rainstorm warnings, not floods.
    rain = replace(flood_data(w), hazard_type=w.rainstorm_hazard)
    assert services.create_draft(actor=w.editor_weather_a, data=rain).issuer == w.weather_a
    with pytest.raises(PermissionDeniedError):
        services.create_draft(actor=w.editor_a, data=rain)
    # County B's water bureau may not issue for county A, nor for the city.
    with pytest.raises(PermissionDeniedError):
        services.create_draft(actor=w.editor_b, data=flood_data(w))
    with pytest.raises(PermissionDeniedError):
        services.create_draft(actor=w.editor_a, data=flood_data(w, areas=[w.city]))
    with pytest.raises(PermissionDeniedError):
        services.create_draft(actor=w.editor_a, data=flood_data(w, areas=[w.town_a, w.town_b]))
    assert services.create_draft(actor=w.editor_b, data=flood_data(w, areas=[w.town_b]))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_bureau_and_the_fire_brigade_of_the_area_relay(warning_world, persona):
    w = warning_world
    user = getattr(w, persona)
    warning = published_flood(w)
    assert refused(lambda: services.relay_warning(actor=user, warning_id=warning.pk)) is (
        persona not in RELAYERS
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_acknowledges_for_which_recipient(warning_world, persona):
    w = warning_world
    user = getattr(w, persona)
    warning = published_flood(w)
    rows = WarningRecipient.objects.filter(warning=warning)
    grid = rows.get(grid=w.grid_a1)
    force = rows.get(force=w.force_a)
    bureau = rows.get(kind=RecipientKind.DEPARTMENT, organisation=w.bureau_a)
    officer = rows.get(kind=RecipientKind.DUTY_OFFICER, user=w.duty_officer_a)
    expected = {
        # A grid person answers by phone; a duty officer of its county records it.
        grid.pk: {"duty_officer_a"},
        # The force's own accounts (its organisation: the water bureau), or the county's
        # duty officer.
        force.pk: {"force_account_a", "editor_a", "duty_officer_a"},
        # The bureau's own people (not its screen), or its duty officer.
        bureau.pk: {"duty_officer_a", "approver_a", "admin_a"},
        officer.pk: {"duty_officer_a"},
    }
    for recipient_id, who in expected.items():
        done = not refused(
            lambda rid=recipient_id: services.acknowledge_recipient(actor=user, recipient_id=rid)
        )
        assert done is (persona in who), (persona, recipient_id)
        if done:
            assert WarningRecipient.objects.get(pk=recipient_id).acknowledged_at is not None


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_county_a_warnings(warning_world, persona):
    w = warning_world
    user = getattr(w, persona)
    warning = published_flood(w)
    services.create_draft(actor=w.editor_a, data=flood_data(w, headline="草稿"))
    seen = set(visible_warnings(user).values_list("headline", flat=True))
    if persona in READERS:
        assert warning.headline in seen
    elif persona == "force_account_a":
        # A force account sees the warnings its forces were asked to answer.
        assert seen == {warning.headline}
        assert not can_read_warnings(user)
    else:
        assert seen == set()
    # Drafts: their department (and the administrators and sync client of the area).
    assert ("草稿" in seen) is (persona in {"editor_a", "admin_a", "admin_city", "sync_client"})


def test_a_county_sees_the_citys_warning_that_covers_it(warning_world):
    w = warning_world
    from core.choices import OrganisationKind as K
    from core.roles import Role
    from tests import factories as f

    city_water = f.organisation("聊城市水利局", K.INDUSTRY_DEPARTMENT, w.city, sector="水利")
    city_editor = f.user("editor_city_water", city_water, Role.DEPARTMENT_EDITOR)
    draft = services.create_draft(actor=city_editor, data=flood_data(w, areas=[w.city]))
    services.publish_warning(actor=city_editor, warning_id=draft.pk)
    assert draft.jurisdiction == w.city
    for persona in ("duty_officer_a", "duty_officer_b", "dispatcher_b", "editor_a"):
        assert draft.pk in set(
            visible_warnings(getattr(w, persona)).values_list("pk", flat=True)
        ), persona
    # It reaches every grid of the city, both counties.
    grids = WarningRecipient.objects.filter(warning=draft, kind=RecipientKind.GRID_PERSON)
    assert grids.count() == 6
