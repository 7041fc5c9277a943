"""Vehicle passes (应急救援车辆免费通行, Liaocheng §四.2): issued by the bureau or the fire
brigade of the jurisdiction for a plate (incl. 8-character new-energy plates), a force, a
route and a validity of at most SUPPORT_PASS_MAX_DAYS; revoked with a reason; the QR
token (support.passage.signing) verifies a genuine pass and refuses a forged, tampered,
expired or revoked one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing as django_signing
from django.test import override_settings
from django.utils import timezone

from core.exceptions import InvalidTransition, PermissionDeniedError, ValidationFailed
from core.models import Event
from support.passage import services, signing
from support.passage.signing import Verdict
from tests.support import passage_fixtures
from tests.support.passage_fixtures import make_pass, pass_data

pytestmark = pytest.mark.django_db
passage_world = passage_fixtures.passage_world


def test_a_pass_is_numbered_and_recorded_with_its_force_organisation(passage_world):
    w = passage_world
    issued = make_pass(w, plate="鲁P·12345")
    assert issued.number == f"TX371581-{issued.pk:06d}"
    assert issued.plate == "鲁P12345"
    assert issued.jurisdiction == w.county_a and issued.incident == w.incident_a
    event = Event.objects.get(type="passage.pass_issued")
    assert event.organisation_id == w.water_a.pk
    assert event.payload["plate"] == "鲁P12345"


@pytest.mark.parametrize(
    "plate",
    ["鲁P12345", "鲁PD12345", "鲁PFA1234", "鲁P12345D", "京A1234警", "鲁P1234应急", "鲁p d12345"],
)
def test_chinese_plates_including_new_energy_ones_are_accepted(passage_world, plate):
    assert make_pass(passage_world, plate=plate).plate == plate.upper().replace(" ", "")


@pytest.mark.parametrize(
    "plate", ["", "P12345", "鲁P1234", "鲁P123456789", "AB12345", "鲁PI2345", "鲁P12O45"]
)
def test_what_is_not_a_chinese_plate_is_refused(passage_world, plate):
    with pytest.raises(ValidationFailed) as refused:
        make_pass(passage_world, plate=plate)
    assert "plate" in refused.value.errors


def test_validity_is_positive_in_the_future_and_at_most_the_setting(passage_world):
    w = passage_world
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        make_pass(w, valid_from=now, valid_until=now - timedelta(hours=1))
    assert "valid_until" in refused.value.errors
    with pytest.raises(ValidationFailed):
        make_pass(w, valid_from=now - timedelta(days=3), valid_until=now - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        make_pass(w, valid_from=now, valid_until=now + timedelta(days=7, minutes=1))
    assert make_pass(w, valid_from=now, valid_until=now + timedelta(days=7))
    with override_settings(SUPPORT_PASS_MAX_DAYS=2), pytest.raises(ValidationFailed):
        make_pass(w, valid_from=now, valid_until=now + timedelta(days=3))


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("duty_officer_a", "ok"),
        ("approver_a", "ok"),
        ("dispatcher_a", "ok"),
        ("admin_a", "ok"),
        ("approver_city", "ok"),
        ("dispatcher_city", "ok"),
        ("editor_a", PermissionDeniedError),
        ("force_account_a", PermissionDeniedError),
        ("screen_a", PermissionDeniedError),
        ("police_editor_a", PermissionDeniedError),
        ("duty_officer_b", ValidationFailed),  # the incident is not theirs to name
        ("dispatcher_b", ValidationFailed),
    ],
)
def test_who_may_issue_a_pass(passage_world, persona, outcome):
    w = passage_world
    actor = getattr(w, persona)
    if outcome == "ok":
        assert make_pass(w, actor=actor).pk
    else:
        with pytest.raises(outcome):
            make_pass(w, actor=actor)
        assert not Event.objects.filter(type="passage.pass_issued").exists()


def test_county_b_may_not_issue_a_pass_of_county_a_without_an_incident(passage_world):
    w = passage_world
    with pytest.raises(PermissionDeniedError):
        services.issue_pass(
            actor=w.duty_officer_b, data=pass_data(w, incident=None, jurisdiction=w.county_a.pk)
        )
    issued = services.issue_pass(actor=w.duty_officer_b, data=pass_data(w, incident=None))
    assert issued.jurisdiction == w.county_b and issued.incident is None


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("duty_officer_a", True),
        ("dispatcher_a", True),
        ("approver_city", True),
        ("duty_officer_b", False),
        ("editor_a", False),
        ("police_editor_a", False),
    ],
)
def test_who_may_revoke_a_pass(passage_world, persona, allowed):
    w = passage_world
    issued = make_pass(w)
    actor = getattr(w, persona)
    if allowed:
        services.revoke_pass(actor=actor, pass_id=issued.pk, reason="车辆改派")
        issued.refresh_from_db()
        assert issued.revoked_at is not None and issued.revoked_by == actor
    else:
        with pytest.raises(PermissionDeniedError):
            services.revoke_pass(actor=actor, pass_id=issued.pk, reason="车辆改派")


def test_a_revocation_needs_a_reason_and_happens_once(passage_world):
    w = passage_world
    issued = make_pass(w)
    with pytest.raises(ValidationFailed):
        services.revoke_pass(actor=w.duty_officer_a, pass_id=issued.pk, reason=" ")
    services.revoke_pass(actor=w.duty_officer_a, pass_id=issued.pk, reason="车辆改派")
    with pytest.raises(InvalidTransition):
        services.revoke_pass(actor=w.duty_officer_a, pass_id=issued.pk, reason="again")
    assert Event.objects.filter(type="passage.pass_revoked").count() == 1


# --- the signed token ----------------------------------------------------------------------


def test_a_genuine_pass_verifies_as_valid(passage_world):
    issued = make_pass(passage_world)
    result = signing.verify(signing.pass_token(issued))
    assert result.verdict == Verdict.VALID and result.vehicle_pass == issued


def test_a_genuine_signature_does_not_extend_an_expired_pass(passage_world):
    issued = make_pass(passage_world)
    token = signing.pass_token(issued)
    with time_machine.travel(issued.valid_until + timedelta(seconds=1), tick=False):
        assert signing.verify(token).verdict == Verdict.EXPIRED
    with time_machine.travel(issued.valid_until - timedelta(seconds=1), tick=False):
        assert signing.verify(token).verdict == Verdict.VALID


def test_a_pass_not_yet_begun_says_so(passage_world):
    w = passage_world
    now = timezone.now()
    issued = make_pass(w, valid_from=now + timedelta(hours=2), valid_until=now + timedelta(days=1))
    assert signing.verify(signing.pass_token(issued)).verdict == Verdict.NOT_YET_VALID


def test_a_revoked_pass_is_refused(passage_world):
    w = passage_world
    issued = make_pass(w)
    token = signing.pass_token(issued)
    services.revoke_pass(actor=w.duty_officer_a, pass_id=issued.pk, reason="车辆改派")
    assert signing.verify(token).verdict == Verdict.REVOKED


def test_a_forged_token_is_invalid(passage_world):
    issued = make_pass(passage_world)
    claims = {
        "i": issued.pk,
        "n": issued.number,
        "p": issued.plate,
        "u": "2099-01-01T00:00:00+00:00",
    }
    forged_key = django_signing.dumps(claims, key="not-our-secret", salt=signing.SALT)
    wrong_salt = django_signing.dumps(claims, salt="another.salt")
    for token in (forged_key, wrong_salt, "garbage", ""):
        assert signing.verify(token).verdict == Verdict.INVALID


def test_a_tampered_token_is_invalid(passage_world):
    issued = make_pass(passage_world)
    token = signing.pass_token(issued)
    payload, _, signature = token.rpartition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert signing.verify(f"{payload}:{flipped}").verdict == Verdict.INVALID
    assert signing.verify(token[1:]).verdict == Verdict.INVALID


def test_a_signed_token_for_another_plate_or_end_does_not_verify(passage_world):
    """Signed with our key but not matching the pass (say a pass edited in the admin):
    the plate or validity a checkpoint would read is not the pass's."""
    issued = make_pass(passage_world)
    claims = {
        "i": issued.pk,
        "n": issued.number,
        "p": "鲁P99999",
        "u": issued.valid_until.isoformat(),
    }
    token = django_signing.dumps(claims, salt=signing.SALT, compress=True)
    assert signing.verify(token).verdict == Verdict.INVALID
