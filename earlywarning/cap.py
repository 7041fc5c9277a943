"""OASIS CAP 1.2 in and out (DESIGN12 "CAP"; the mapping is in docs/cap.md).

``to_cap`` and ``cancel_cap`` write one ``<alert>`` with one ``<info>`` in zh-CN for a
warning version (Alert, Update with <references>, Cancel); ``parse_cap`` reads an upstream
message safely (defusedxml: no DTD, no entities, no external references; a size limit),
validates it against the OASIS schema shipped in earlywarning/schema/, and returns what
the platform models as a ``ParsedAlert``. Every problem is a ``ValidationFailed`` whose
message names the element ("<info>/<expires>: …"), so a person can correct the message.

GB/T 35965.1 (the national profile) is followed where its meaning is known: severity
from the colour level, zh-CN, geocodes with GB/T 2260 division codes. This module reads
no database: capimport maps the parsed message onto hazard types and jurisdictions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from core.exceptions import ValidationFailed
from earlywarning.choices import Certainty, MessageType, Urgency, WarningLevel

if TYPE_CHECKING:
    from earlywarning.models import HazardWarning

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_CONTENT_TYPE = "application/cap+xml"
SCHEMA_PATH = Path(__file__).with_name("schema") / "CAP-v1.2.xsd"
# An upstream warning is a few kilobytes; a megabyte is far beyond any real one.
MAX_CAP_BYTES = 1024 * 1024
# China Standard Time, the offset every exported time carries (the XSD's pattern wants
# an explicit offset: no "Z", no fractions of a second).
CST = timezone(timedelta(hours=8))
LANGUAGE = "zh-CN"
HAZARD_CODE_NAME = "CN-HAZARD"
GEOCODE_DIVISION = "GB/T 2260"  # 6-digit division codes (county and above)
GEOCODE_STATISTICAL = "GB/T 10114"  # 9- and 12-digit township and village codes
PARAM_LEVEL = "level"
PARAM_FORCE_INSTRUCTION = "force_instruction"
PARAM_KEY_PERIOD = "opens_key_period"

SEVERITY_BY_LEVEL = {
    WarningLevel.RED: "Extreme",
    WarningLevel.ORANGE: "Severe",
    WarningLevel.YELLOW: "Moderate",
    WarningLevel.BLUE: "Minor",
}
LEVEL_BY_SEVERITY = {severity: level for level, severity in SEVERITY_BY_LEVEL.items()}
# The level parameter as upstream platforms write it: the colour in English or Chinese.
LEVEL_NAMES = {
    **{level.value: level for level in WarningLevel},
    "红色": WarningLevel.RED,
    "红": WarningLevel.RED,
    "橙色": WarningLevel.ORANGE,
    "橙": WarningLevel.ORANGE,
    "黄色": WarningLevel.YELLOW,
    "黄": WarningLevel.YELLOW,
    "蓝色": WarningLevel.BLUE,
    "蓝": WarningLevel.BLUE,
}
DIVISION_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")
_TIME_ELEMENTS = ("<sent>", "<effective>", "<onset>", "<expires>")
_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否", ""}


@lru_cache(maxsize=1)
def cap_schema() -> xmlschema.XMLSchema:
    """The OASIS CAP 1.2 schema, loaded once per process (it imports nothing remote)."""
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


# ---------------------------------------------------------------------------- output


def cap_time(value: datetime) -> str:
    """``2026-07-14T08:00:00+08:00``: the XSD's pattern, in China Standard Time."""
    return value.astimezone(CST).replace(microsecond=0).isoformat()


def geocode_name(code: str) -> str:
    return GEOCODE_DIVISION if len(code) == 6 else GEOCODE_STATISTICAL


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _value_pair(parent: ET.Element, tag: str, name: str, value: str) -> None:
    pair = _sub(parent, tag)
    _sub(pair, "valueName", name)
    _sub(pair, "value", value)


def _reference(warning: HazardWarning) -> str:
    return f"{warning.sender},{warning.identifier},{cap_time(_sent(warning))}"


def _sent(warning: HazardWarning) -> datetime:
    return warning.published_at or warning.created_at


def _info(alert: ET.Element, warning: HazardWarning) -> None:
    hazard = warning.hazard_type
    info = _sub(alert, "info")
    _sub(info, "language", LANGUAGE)
    _sub(info, "category", hazard.cap_category)
    _sub(info, "event", hazard.name)
    _sub(info, "urgency", warning.urgency)
    _sub(info, "severity", SEVERITY_BY_LEVEL[WarningLevel(warning.level)])
    _sub(info, "certainty", warning.certainty)
    _value_pair(info, "eventCode", HAZARD_CODE_NAME, hazard.code)
    _sub(info, "effective", cap_time(warning.effective_at))
    _sub(info, "expires", cap_time(warning.expires_at))
    _sub(info, "senderName", warning.issuer.name)
    _sub(info, "headline", warning.headline)
    _sub(info, "description", warning.description)
    if warning.instruction:
        _sub(info, "instruction", warning.instruction)
    _value_pair(info, "parameter", PARAM_LEVEL, warning.level)
    if warning.force_instruction:
        _value_pair(info, "parameter", PARAM_FORCE_INSTRUCTION, warning.force_instruction)
    _value_pair(
        info, "parameter", PARAM_KEY_PERIOD, "true" if warning.opens_key_period else "false"
    )
    areas = sorted(warning.areas.all(), key=lambda a: a.code)
    area = _sub(info, "area")
    _sub(area, "areaDesc", warning.area_description or "、".join(a.name for a in areas))
    if warning.polygon:
        _sub(area, "polygon", warning.polygon)
    for jurisdiction in areas:
        _value_pair(area, "geocode", geocode_name(jurisdiction.code), jurisdiction.code)


def _alert(
    *, identifier: str, sender: str, sent: datetime, status: str, msg_type: str
) -> ET.Element:
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", identifier)
    _sub(alert, "sender", sender)
    _sub(alert, "sent", cap_time(sent))
    _sub(alert, "status", status)
    _sub(alert, "msgType", msg_type)
    _sub(alert, "scope", "Public")
    return alert


def _serialise(alert: ET.Element) -> bytes:
    ET.register_namespace("", CAP_NS)
    tree = ET.ElementTree(alert)
    ET.indent(tree)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def to_cap(warning: HazardWarning) -> bytes:
    """The version as a CAP <alert>: Alert for version 1, Update referencing the version
    it replaces for later ones. A draft is exported with status Draft."""
    from earlywarning.choices import WarningStatus

    alert = _alert(
        identifier=warning.identifier,
        sender=warning.sender,
        sent=_sent(warning),
        status="Draft" if warning.status == WarningStatus.DRAFT else "Actual",
        msg_type=MessageType.UPDATE if warning.previous_id else MessageType.ALERT,
    )
    if warning.previous_id:
        _sub(alert, "references", _reference(warning.previous))
    _info(alert, warning)
    return _serialise(alert)


def cancel_cap(warning: HazardWarning) -> bytes:
    """The Cancel message of a cancelled version: its own identifier (``…-C``), sent when
    it was cancelled, referencing the version it cancels; the reason as <note>."""
    alert = _alert(
        identifier=f"{warning.identifier}-C",
        sender=warning.sender,
        sent=warning.ended_at or warning.updated_at,
        status="Actual",
        msg_type=MessageType.CANCEL,
    )
    if warning.cancel_reason:
        _sub(alert, "note", warning.cancel_reason)
    _sub(alert, "references", _reference(warning))
    _info(alert, warning)
    return _serialise(alert)


# ----------------------------------------------------------------------------- input


@dataclass(frozen=True)
class ParsedAlert:
    """What the platform models of one CAP message (its first zh <info>)."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: list[str]
    event: str
    hazard_code: str  # eventCode CN-HAZARD, "" when absent
    category: str
    level: str  # WarningLevel value
    urgency: str
    certainty: str
    effective_at: datetime
    expires_at: datetime
    sender_name: str
    headline: str
    description: str
    instruction: str
    force_instruction: str
    opens_key_period: bool
    area_description: str
    polygon: str
    geocodes: list[str] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _schema_path(path: str | None) -> str:
    """``/cap:alert/cap:info[1]/cap:expires`` → ``<info>/<expires>``."""
    if not path:
        return "<alert>"
    path = re.sub(r"\{[^}]*\}", "", path)
    steps = [re.sub(r"\[\d+\]$", "", s).split(":")[-1] for s in path.split("/") if s]
    steps = [s for s in steps if s and s != "alert"] or ["alert"]
    return "/".join(f"<{s}>" for s in steps)


def _load(data: bytes) -> ET.Element:
    if not data or not data.strip():
        raise ValidationFailed("<alert>: the message is empty.")
    if len(data) > MAX_CAP_BYTES:
        raise ValidationFailed(
            f"<alert>: the message is larger than {MAX_CAP_BYTES // 1024} KiB.", code="too_large"
        )
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ValidationFailed(
            f"<alert>: DTDs and entity declarations are not accepted ({type(exc).__name__})."
        ) from exc
    except ET.ParseError as exc:
        raise ValidationFailed(f"<alert>: not well-formed XML ({exc}).") from exc
    except ValueError as exc:  # e.g. a text encoding Python does not know
        raise ValidationFailed(f"<alert>: unreadable XML ({exc}).") from exc


def _validate(root: ET.Element) -> None:
    if root.tag != f"{{{CAP_NS}}}alert":
        namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else "none"
        raise ValidationFailed(
            f"<{_local(root.tag)}>: not a CAP 1.2 <alert> (namespace {namespace}; "
            f"expected {CAP_NS})."
        )
    for error in cap_schema().iter_errors(root):
        element = _schema_path(getattr(error, "path", None))
        reason = getattr(error, "reason", None) or str(error).splitlines()[0]
        reason = re.sub(r"'?\{[^}]*\}(\w+)'?", r"<\1>", reason)
        reason = re.sub(r"'cap:(\w+)'", r"<\1>", reason)
        if element.endswith(_TIME_ELEMENTS):
            reason = (
                f"not a date and time like 2026-07-14T08:00:00+08:00 (with its UTC offset, "
                f"no fractions of a second): {reason}"
            )
        raise ValidationFailed(f"{element}: {reason}")


def _text(element: ET.Element | None, tag: str) -> str:
    if element is None:
        return ""
    child = element.find(f"{{{CAP_NS}}}{tag}")
    return (child.text or "").strip() if child is not None else ""


def _pairs(element: ET.Element, tag: str) -> list[tuple[str, str]]:
    return [
        (_text(pair, "valueName"), _text(pair, "value"))
        for pair in element.findall(f"{{{CAP_NS}}}{tag}")
    ]


def _time(element: ET.Element | None, tag: str, where: str) -> datetime | None:
    raw = _text(element, tag)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(f"{where}<{tag}>: {raw!r} is not a date and time.") from exc
    if value.tzinfo is None:
        raise ValidationFailed(f"{where}<{tag}>: {raw!r} carries no UTC offset.")
    return value


def _pick_info(alert: ET.Element) -> ET.Element:
    infos = alert.findall(f"{{{CAP_NS}}}info")
    if not infos:
        raise ValidationFailed("<info>: the alert has no <info> block; nothing to import.")
    for info in infos:
        if _text(info, "language").lower().startswith("zh"):
            return info
    return infos[0]


def _level(info: ET.Element) -> str:
    for name, value in _pairs(info, "parameter"):
        if name.lower() == PARAM_LEVEL:
            level = LEVEL_NAMES.get(value.strip().lower()) or LEVEL_NAMES.get(value.strip())
            if level is None:
                raise ValidationFailed(
                    f"<info>/<parameter> level: {value!r} is not a level "
                    "(red, orange, yellow, blue or 红色, 橙色, 黄色, 蓝色)."
                )
            return level.value
    severity = _text(info, "severity")
    if severity not in LEVEL_BY_SEVERITY:
        raise ValidationFailed(
            f"<info>/<severity>: {severity!r} has no colour level; give a "
            "<parameter> level or a severity of Extreme, Severe, Moderate or Minor."
        )
    return LEVEL_BY_SEVERITY[severity].value


def _flag(value: str, where: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationFailed(f"{where}: {value!r} is neither true nor false.")


def _areas(info: ET.Element) -> tuple[str, str, list[str]]:
    areas = info.findall(f"{{{CAP_NS}}}area")
    if not areas:
        raise ValidationFailed("<info>/<area>: the warning names no area.")
    descriptions: list[str] = []
    polygons: list[str] = []
    geocodes: list[str] = []
    for area in areas:
        descriptions.append(_text(area, "areaDesc"))
        polygons += [(p.text or "").strip() for p in area.findall(f"{{{CAP_NS}}}polygon") if p.text]
        for _name, value in _pairs(area, "geocode"):
            if not DIVISION_CODE_RE.match(value):
                raise ValidationFailed(
                    f"<area>/<geocode> {value}: not a GB/T 2260 division code "
                    "(6 digits; township and village codes 9 or 12)."
                )
            if value not in geocodes:
                geocodes.append(value)
    if not geocodes:
        raise ValidationFailed(
            "<area>/<geocode>: no GB/T 2260 division code; the platform warns "
            "jurisdictions, so every area needs one."
        )
    polygon = polygons[0] if polygons else ""
    if polygon:
        _check_polygon(polygon)
    return "、".join(d for d in descriptions if d), polygon, geocodes


def _check_polygon(polygon: str) -> None:
    """A closed ring of at least four WGS-84 "lat,lon" pairs (CAP 1.2 §3.2.4)."""
    where = "<area>/<polygon>"
    pairs = polygon.split()
    points = []
    for pair in pairs:
        try:
            lat, lon = (float(v) for v in pair.split(","))
        except ValueError as exc:
            raise ValidationFailed(f'{where}: {pair!r} is not a "lat,lon" pair.') from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationFailed(f"{where}: {pair!r} is outside WGS-84 coordinates.")
        points.append((lat, lon))
    if len(points) < 4 or points[0] != points[-1]:
        raise ValidationFailed(
            f"{where}: a polygon is a closed ring of at least four points "
            "(the first repeated last)."
        )


def _bounded(value: str, where: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationFailed(f"{where}: longer than {limit} characters.")
    return value


def parse_cap(data: bytes) -> ParsedAlert:
    """Read, validate and map one CAP 1.2 message; ``ValidationFailed`` names the element."""
    root = _load(data)
    _validate(root)
    info = _pick_info(root)
    sent = _time(root, "sent", "")
    if sent is None:  # the schema requires it; kept for type checkers
        raise ValidationFailed("<sent>: missing.")
    effective = _time(info, "effective", "<info>/") or _time(info, "onset", "<info>/") or sent
    expires = _time(info, "expires", "<info>/")
    if expires is None:
        raise ValidationFailed(
            "<info>/<expires>: missing; a warning must say when it stops being in force."
        )
    if expires <= effective:
        raise ValidationFailed("<info>/<expires>: not after <effective>.")
    hazard_code = next(
        (v for n, v in _pairs(info, "eventCode") if n.upper() == HAZARD_CODE_NAME), ""
    )
    parameters = {n: v for n, v in _pairs(info, "parameter")}
    urgency = _text(info, "urgency")
    certainty = _text(info, "certainty")
    # CAP 1.0's "Very likely" is gone from 1.2 (the schema refuses it); Unknown maps as is.
    if urgency not in Urgency.values:
        raise ValidationFailed(f"<info>/<urgency>: {urgency!r} is not a CAP urgency.")
    if certainty not in Certainty.values:
        raise ValidationFailed(f"<info>/<certainty>: {certainty!r} is not a CAP certainty.")
    event = _text(info, "event")
    headline = _text(info, "headline") or event
    description = _text(info, "description") or headline
    area_description, polygon, geocodes = _areas(info)
    return ParsedAlert(
        identifier=_bounded(_text(root, "identifier"), "<identifier>", 100),
        sender=_bounded(_text(root, "sender"), "<sender>", 100),
        sent=sent,
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        references=_text(root, "references").split(),
        event=event,
        hazard_code=hazard_code,
        category=_text(info, "category"),
        level=_level(info),
        urgency=urgency,
        certainty=certainty,
        effective_at=effective,
        expires_at=expires,
        sender_name=_text(info, "senderName"),
        headline=_bounded(headline, "<info>/<headline>", 160),
        description=description,
        instruction=_text(info, "instruction"),
        force_instruction=parameters.get(PARAM_FORCE_INSTRUCTION, "").strip(),
        opens_key_period=_flag(
            parameters.get(PARAM_KEY_PERIOD, ""), "<info>/<parameter> opens_key_period"
        ),
        area_description=_bounded(area_description, "<area>/<areaDesc>", 300),
        polygon=polygon,
        geocodes=geocodes,
    )
