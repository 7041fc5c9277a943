"""CAP in: an upstream message becomes a draft for a person to publish, once per
(sender, identifier); a bad message is refused with the element named, and nothing is
saved."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from core.exceptions import PermissionDeniedError, ValidationFailed
from core.models import Event
from earlywarning import capimport, services
from earlywarning.cap import parse_cap, to_cap
from earlywarning.capimport import import_cap
from earlywarning.choices import WarningSource, WarningStatus
from earlywarning.events import WarningEvent
from earlywarning.models import HazardWarning
from tests.earlywarning.cap_samples import published, shandong_rainstorm

COUNTY_A_ONLY = {
    "<geocode><valueName>GB/T 2260</valueName><value>371521</value></geocode>": "",
    "<areaDesc>聊城市临清市、阳谷县</areaDesc>": "<areaDesc>聊城市临清市</areaDesc>",
}


def test_the_provincial_weather_services_warning_becomes_a_draft(warning_world):
    w = warning_world
    warning, created = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    assert created
    assert warning.status == WarningStatus.DRAFT
    assert warning.source == WarningSource.IMPORTED
    assert warning.source_sender == "sdqxt@sd.cma.gov.cn"
    assert warning.source_identifier == "37000041600000_20261204063000"
    assert warning.source_sent is not None
    assert warning.hazard_type == w.rainstorm_hazard  # "暴雨橙色预警" is the hazard 暴雨
    assert warning.level == "orange"  # from <severity>Severe
    assert set(warning.areas.all()) == {w.county_a, w.county_b}
    assert warning.jurisdiction == w.city
    # No weather bureau at the city: the importer's organisation issues it.
    assert warning.issuer == w.city_bureau
    assert warning.headline == "山东省气象台发布暴雨橙色预警"
    assert warning.instruction.startswith("1. 政府及相关部门")
    assert warning.identifier.startswith("371500-")
    assert warning.sender == "linkage@localhost"
    event = Event.objects.get(type=WarningEvent.IMPORTED)
    assert event.subject_id == str(warning.pk) and event.actor == w.approver_city
    assert event.jurisdiction == w.city
    assert event.payload["source_identifier"] == "37000041600000_20261204063000"


def test_the_department_of_the_hazards_sector_issues_the_draft_where_it_exists(warning_world):
    w = warning_world
    warning, _ = import_cap(actor=w.duty_officer_a, data=shandong_rainstorm(replace=COUNTY_A_ONLY))
    assert warning.jurisdiction == w.county_a
    assert warning.issuer == w.weather_a  # 临清市气象局, not the importing bureau


def test_importing_the_same_message_again_returns_the_draft_and_records_nothing(warning_world):
    w = warning_world
    first, created = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    events = Event.objects.count()
    again, created_again = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    assert created and not created_again
    assert again.pk == first.pk
    assert HazardWarning.objects.count() == 1
    assert Event.objects.count() == events


def test_another_identifier_from_the_same_sender_is_another_draft(warning_world):
    w = warning_world
    import_cap(actor=w.approver_city, data=shandong_rainstorm("A1"))
    _, created = import_cap(actor=w.approver_city, data=shandong_rainstorm("A2"))
    assert created and HazardWarning.objects.count() == 2


def test_an_import_that_loses_the_race_returns_the_winners_draft(warning_world, monkeypatch):
    """Both imports looked and found nothing; the unique constraint makes the second one
    fail, and it answers with the first one's draft."""
    w = warning_world
    winner, _ = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    real = capimport._existing
    calls = []

    def blind_first_look(parsed):
        calls.append(parsed.identifier)
        return None if len(calls) == 1 else real(parsed)

    monkeypatch.setattr(capimport, "_existing", blind_first_look)
    loser, created = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    assert not created and loser.pk == winner.pk
    assert HazardWarning.objects.count() == 1
    assert Event.objects.filter(type=WarningEvent.IMPORTED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_one_message_make_one_draft(warning_world):
    w = warning_world
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(import_cap(actor=w.approver_city, data=shandong_rainstorm()))
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert [created for _, created in results].count(True) == 1
    assert len({warning.pk for warning, _ in results}) == 1
    assert HazardWarning.objects.count() == 1
    assert Event.objects.filter(type=WarningEvent.IMPORTED).count() == 1


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE alert [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&d;</identifier></alert>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&secret;</identifier></alert>"""
DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://example.com/cap.dtd">
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>"""


def _broken(old: str, new: str) -> bytes:
    return shandong_rainstorm(replace={old: new})


def _without_info() -> bytes:
    text = shandong_rainstorm().decode()
    return (text[: text.index("<info>")] + text[text.index("</info>") + 7 :]).encode()


BAD_MESSAGES = {
    "malformed": (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>", "<alert>"),
    "empty": (b"", "<alert>"),
    "wrong namespace": (
        _broken("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1"),
        "not a CAP 1.2 <alert>",
    ),
    "missing info": (_without_info(), "<info>"),
    "bad date": (
        shandong_rainstorm(
            replace={
                "</effective>": "-->",
                "<effective>": "<effective>2026-13-45T25:00:00+08:00</effective><!--",
            }
        ),
        "<info>/<effective>",
    ),
    "date without offset": (
        shandong_rainstorm(
            replace={
                "</effective>": "-->",
                "<effective>": "<effective>2026-12-04T08:00:00</effective><!--",
            }
        ),
        "<info>/<effective>",
    ),
    "missing expires": (_broken("<expires>", "<!--").replace(b"</expires>", b"-->"), "<expires>"),
    "unknown geocode": (_broken("371521", "999999"), "<geocode> 999999: unknown division code"),
    "not a division code": (_broken("371521", "ABC"), "<geocode> ABC"),
    "unknown hazard": (_broken("<event>暴雨橙色预警</event>", "<event>沙尘暴</event>"), "<event>"),
    "unknown severity": (
        _broken("<severity>Severe</severity>", "<severity>Unknown</severity>"),
        "<severity>",
    ),
    "not a cap value": (_broken("<scope>Public</scope>", "<scope>Everyone</scope>"), "<scope>"),
    "not a cap element": (_broken("<scope>", "<colour>red</colour><scope>"), "<colour>"),
    "exercise": (_broken("<status>Actual</status>", "<status>Exercise</status>"), "<status>"),
    "entity bomb": (BOMB, "<alert>"),
    "external entity": (EXTERNAL, "<alert>"),
    "dtd": (DTD_ONLY, "<alert>"),
    "open polygon": (
        _broken("</areaDesc>", "</areaDesc><polygon>36.8,115.7 36.9,115.8 36.7,115.9</polygon>"),
        "<polygon>",
    ),
}


@pytest.mark.parametrize("case", BAD_MESSAGES, ids=list(BAD_MESSAGES))
def test_a_bad_message_is_refused_naming_the_element_and_saves_nothing(warning_world, case):
    data, named = BAD_MESSAGES[case]
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        import_cap(actor=warning_world.approver_city, data=data)
    assert named in refused.value.detail
    assert HazardWarning.objects.count() == 0
    assert Event.objects.count() == events


def test_the_schemas_complaint_names_the_element_path(warning_world):
    with pytest.raises(ValidationFailed) as refused:
        import_cap(
            actor=warning_world.approver_city,
            data=_broken("<urgency>Expected</urgency>", "<urgency>Soon</urgency>"),
        )
    assert refused.value.detail.startswith("<info>/<urgency>:")


def test_a_message_too_large_is_refused_before_it_is_parsed(warning_world):
    data = shandong_rainstorm(replace={"<description>": "<description>" + "雨" * 400_000})
    with pytest.raises(ValidationFailed) as refused:
        import_cap(actor=warning_world.approver_city, data=data)
    assert "larger than" in refused.value.detail


def test_an_expired_message_is_not_imported(warning_world):
    expired = published(warning_world)
    expired.effective_at = expired.effective_at.replace(year=2025)
    expired.expires_at = expired.expires_at.replace(year=2025)
    with pytest.raises(ValidationFailed, match="<info>/<expires>: the warning has already"):
        import_cap(actor=warning_world.editor_a, data=to_cap(expired))


ALLOWED = ["duty_officer_a", "approver_a", "editor_weather_a", "sync_client", "approver_city"]
REFUSED = ["dispatcher_a", "editor_a", "screen_a", "admin_a", "force_account_a", "editor_power_a"]


@pytest.mark.parametrize("persona", ALLOWED)
def test_who_may_import_a_county_warning(warning_world, persona):
    user = getattr(warning_world, persona)
    warning, created = import_cap(actor=user, data=shandong_rainstorm(replace=COUNTY_A_ONLY))
    assert created and warning.created_by == user


@pytest.mark.parametrize("persona", REFUSED)
def test_who_may_not_import_a_county_warning(warning_world, persona):
    with pytest.raises(PermissionDeniedError):
        import_cap(
            actor=getattr(warning_world, persona), data=shandong_rainstorm(replace=COUNTY_A_ONLY)
        )
    assert HazardWarning.objects.count() == 0


@pytest.mark.parametrize("persona", ["duty_officer_b", "approver_a", "editor_weather_a"])
def test_a_warning_outside_the_importers_jurisdiction_is_refused(warning_world, persona):
    with pytest.raises(PermissionDeniedError):
        import_cap(actor=getattr(warning_world, persona), data=shandong_rainstorm())
    assert HazardWarning.objects.count() == 0


def test_the_bureau_forwards_an_imported_warning_and_its_cap_is_an_actual_alert(warning_world):
    """转发上级预警: the city bureau publishes the weather service's draft; its CAP is the
    platform's own Alert, naming the platform as sender."""
    w = warning_world
    draft, _ = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    warning = services.publish_warning(actor=w.approver_city, warning_id=draft.pk)
    parsed = parse_cap(to_cap(warning))
    assert warning.status == WarningStatus.PUBLISHED
    assert (parsed.status, parsed.msg_type, parsed.sender) == ("Actual", "Alert", warning.sender)
    assert parsed.identifier == warning.identifier != warning.source_identifier
