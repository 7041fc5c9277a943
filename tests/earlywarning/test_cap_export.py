"""CAP out: every message the platform writes validates against the official OASIS CAP
1.2 schema (checked here with xmlschema, independently of the module under test), and
an import → export round trip keeps every field the platform models."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from defusedxml.ElementTree import fromstring
from django.utils import timezone

from earlywarning import services
from earlywarning.cap import cancel_cap, parse_cap, to_cap
from earlywarning.capimport import import_cap
from earlywarning.choices import WarningStatus
from tests.earlywarning.cap_samples import published, shandong_rainstorm
from tests.earlywarning.helpers import flood_data

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
XSD = Path(__file__).resolve().parents[2] / "earlywarning" / "schema" / "CAP-v1.2.xsd"


@pytest.fixture(scope="module")
def official_schema():
    return xmlschema.XMLSchema(str(XSD))


def text(root, path):
    return root.findtext(path.replace("cap:", CAP))


def test_an_alert_validates_against_the_official_schema(warning_world, official_schema):
    warning = published(warning_world)
    xml = to_cap(warning)
    official_schema.validate(xml.decode())
    root = fromstring(xml)
    assert text(root, "cap:msgType") == "Alert"
    assert text(root, "cap:identifier") == warning.identifier
    assert text(root, "cap:sent").endswith("+08:00")
    assert root.find(f"{CAP}references") is None
    info = root.find(f"{CAP}info")
    assert text(info, "cap:language") == "zh-CN"
    assert text(info, "cap:severity") == "Severe"
    assert text(info, "cap:senderName") == "临清市水利局"
    codes = {(text(g, "cap:valueName"), text(g, "cap:value")) for g in info.iter(f"{CAP}geocode")}
    assert codes == {("GB/T 10114", "371581101"), ("GB/T 10114", "371581102")}


def test_an_update_references_the_version_it_replaces(warning_world, official_schema):
    first = published(warning_world, status=WarningStatus.UPDATED)
    second = published(warning_world, previous=first, level="red", headline="洪水红色预警")
    xml = to_cap(second)
    official_schema.validate(xml.decode())
    root = fromstring(xml)
    assert text(root, "cap:msgType") == "Update"
    sent = first.published_at.astimezone(timezone.get_current_timezone()).isoformat()
    assert text(root, "cap:references") == f"linkage@localhost,{first.identifier},{sent}"
    assert text(root, "cap:info/cap:severity") == "Extreme"


def test_a_cancelled_warning_is_a_cancel_message(warning_world, official_schema):
    ended = timezone.now().replace(microsecond=0)
    warning = published(
        warning_world, status=WarningStatus.CANCELLED, ended_at=ended, cancel_reason="水位回落"
    )
    xml = cancel_cap(warning)
    official_schema.validate(xml.decode())
    root = fromstring(xml)
    assert text(root, "cap:msgType") == "Cancel"
    assert text(root, "cap:identifier") == f"{warning.identifier}-C"
    assert text(root, "cap:note") == "水位回落"
    assert text(root, "cap:references").split(",")[1] == warning.identifier
    assert text(root, "cap:sent") == ended.astimezone(timezone.get_current_timezone()).isoformat()


def test_severity_follows_the_colour(warning_world):
    for level, severity in [
        ("red", "Extreme"),
        ("orange", "Severe"),
        ("yellow", "Moderate"),
        ("blue", "Minor"),
    ]:
        warning = published(warning_world, level=level, opens_key_period=False)
        assert text(fromstring(to_cap(warning)), "cap:info/cap:severity") == severity


def test_a_village_geocode_is_named_by_its_statistical_code_and_a_county_by_gbt_2260(
    warning_world, official_schema
):
    warning = published(warning_world, areas=[warning_world.village_a1, warning_world.county_b])
    root = fromstring(to_cap(warning))
    codes = {text(g, "cap:value"): text(g, "cap:valueName") for g in root.iter(f"{CAP}geocode")}
    assert codes == {"371581101001": "GB/T 10114", "371521": "GB/T 2260"}


def test_import_then_export_keeps_every_field_the_platform_models(warning_world, official_schema):
    w = warning_world
    original = published(
        w,
        areas=[w.town_a, w.village_a3],
        area_description="松林镇、先锋社区沿河地带",
        urgency="Immediate",
        certainty="Observed",
        level="red",
        opens_key_period=True,
    )
    exported = to_cap(original)
    draft, created = import_cap(actor=w.editor_a, data=exported)
    assert created and draft.status == WarningStatus.DRAFT
    again = to_cap(draft)
    official_schema.validate(again.decode())
    before, after = parse_cap(exported), parse_cap(again)
    for name in (
        "headline",
        "description",
        "instruction",
        "force_instruction",
        "level",
        "hazard_code",
        "event",
        "category",
        "urgency",
        "certainty",
        "effective_at",
        "expires_at",
        "geocodes",
        "area_description",
        "polygon",
        "opens_key_period",
        "sender_name",
    ):
        assert getattr(after, name) == getattr(before, name), name
    assert draft.hazard_type == original.hazard_type
    assert set(draft.areas.all()) == {w.town_a, w.village_a3}
    assert (draft.effective_at, draft.expires_at) == (original.effective_at, original.expires_at)
    assert draft.opens_key_period and draft.force_instruction == original.force_instruction


def test_the_weather_services_message_round_trips_through_a_draft(warning_world, official_schema):
    w = warning_world
    draft, _ = import_cap(actor=w.approver_city, data=shandong_rainstorm())
    parsed = parse_cap(to_cap(draft))
    upstream = parse_cap(shandong_rainstorm())
    assert parsed.headline == upstream.headline == "山东省气象台发布暴雨橙色预警"
    assert parsed.instruction == upstream.instruction
    assert parsed.level == "orange" and parsed.hazard_code == "rainstorm"
    assert parsed.geocodes == ["371521", "371581"]
    assert parsed.area_description == "聊城市临清市、阳谷县"
    assert parsed.expires_at == upstream.expires_at


def test_a_warnings_life_through_the_services_exports_alert_update_and_cancel(
    warning_world, official_schema
):
    """Published, revised and cancelled as the water bureau would: each version's CAP
    validates, the Update references the Alert, the Cancel the Update."""
    w = warning_world
    draft = services.create_draft(actor=w.editor_a, data=flood_data(w))
    alert = services.publish_warning(actor=w.editor_a, warning_id=draft.pk)
    revision = services.revise_warning(actor=w.editor_a, warning_id=alert.pk)
    update = services.publish_warning(actor=w.editor_a, warning_id=revision.pk)
    cancelled = services.cancel_warning(actor=w.editor_a, warning_id=update.pk, reason="水位回落")
    alert.refresh_from_db()

    alert_xml, update_xml, cancel_xml = to_cap(alert), to_cap(update), cancel_cap(cancelled)
    for xml in (alert_xml, update_xml, cancel_xml):
        official_schema.validate(xml.decode())
    first, second, third = (fromstring(x) for x in (alert_xml, update_xml, cancel_xml))
    assert [text(r, "cap:msgType") for r in (first, second, third)] == [
        "Alert",
        "Update",
        "Cancel",
    ]
    assert text(first, "cap:status") == text(second, "cap:status") == "Actual"
    assert text(second, "cap:references") == (
        f"{alert.sender},{alert.identifier},{text(first, 'cap:sent')}"
    )
    assert text(third, "cap:references") == (
        f"{update.sender},{update.identifier},{text(second, 'cap:sent')}"
    )
    assert text(third, "cap:identifier") == f"{update.identifier}-C"
    assert text(first, "cap:sender") == text(second, "cap:sender") == "linkage@localhost"
    parsed = parse_cap(update_xml)
    assert parsed.headline == "卫运河临清段水位超警戒"
    assert parsed.force_instruction == "抢险队伍前置备勤。"
    assert parsed.geocodes == ["371581101", "371581102"]
    assert parsed.sender_name == "临清市水利局"


def test_a_draft_exports_with_status_draft(warning_world, official_schema):
    draft = services.create_draft(actor=warning_world.editor_a, data=flood_data(warning_world))
    xml = to_cap(draft)
    official_schema.validate(xml.decode())
    assert text(fromstring(xml), "cap:status") == "Draft"
