"""Event types are declared once, per app, as a ``StrEnum`` in ``<app>/events.py`` (issue
9): a service passes a member to ``record_event``, never a string it spelt itself, no
two apps claim the same type, and the live feed's rule (core.visibility) knows every
declared type."""

from __future__ import annotations

import ast
from enum import Enum
from pathlib import Path

from django.conf import settings

from core import visibility
from core.audit import AUDIT_PREFIXES, type_label
from core.events import AccountEvent, SecurityEvent, declared_vocabularies
from forces.events import ForceEvent

ROOT = Path(settings.BASE_DIR)
RECORDERS = {"record_event", "record_events", "record_security_event"}
NOT_APP_CODE = {"tests", "bench", ".venv", "node_modules", "static", "templates", "locale"}


def _app_modules() -> list[Path]:
    paths = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_APP_CODE or "migrations" in parts:
            continue
        paths.append(path)
    return paths


def _spells_a_string(node: ast.expr) -> bool:
    """A string constant or f-string in the expression, outside any call: a call such as
    ``ForceEvent.item(kind, "added")`` goes through the enum, which refuses strangers."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call):
        return False
    if isinstance(node, ast.IfExp):  # the condition may compare strings; the result not
        return _spells_a_string(node.body) or _spells_a_string(node.orelse)
    return any(
        _spells_a_string(child)
        for child in ast.iter_child_nodes(node)
        if isinstance(child, ast.expr)
    )


def _recorder_name(call: ast.Call) -> str:
    func = call.func
    return getattr(func, "id", None) or getattr(func, "attr", "")


def _spelt_types(source: str, filename: str) -> list[tuple[str, int, str]]:
    found = []
    tree = ast.parse(source, filename=filename)
    assigned: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                assigned[target.id] = node.value
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _recorder_name(node) in RECORDERS):
            continue
        for keyword in node.keywords:
            if keyword.arg != "type":
                continue
            value = keyword.value
            # ``event_type = "a" if … else "b"`` then ``type=event_type``: still spelt here.
            if isinstance(value, ast.Name) and value.id in assigned:
                value = assigned[value.id]
            if _spells_a_string(value):
                found.append((filename, node.lineno, ast.unparse(keyword.value)))
    return found


def _members(vocabulary: type[Enum]) -> list[tuple[str, str]]:
    # __members__ includes aliases: two names with one value would hide a duplicate.
    return [(name, str(member.value)) for name, member in vocabulary.__members__.items()]


def test_no_service_spells_an_event_type_it_did_not_take_from_a_vocabulary():
    spelt = []
    for path in _app_modules():
        relative = str(path.relative_to(ROOT))
        spelt += _spelt_types(path.read_text(encoding="utf-8"), relative)
    assert spelt == [], "use a member of the app's events.py vocabulary: " + repr(spelt)


def test_the_check_catches_literals_f_strings_and_literals_kept_in_a_variable():
    source = """
record_event(type="force.created", jurisdiction=j, subject=s)
record_event(type=f"force.{kind}_added", jurisdiction=j, subject=s)
event_type = "incident.reassessed" if "level" in changed else "incident.updated"
record_event(type=event_type, jurisdiction=j, subject=s)
core.audit.record_security_event(type="security.login", request=r)
record_event(type=ForceEvent.CREATED, jurisdiction=j, subject=s)
record_event(type=ForceEvent.item(kind, "added"), jurisdiction=j, subject=s)
kept = IncidentEvent.REASSESSED if "level" in changed else IncidentEvent.UPDATED
record_event(type=kept, jurisdiction=j, subject=s)
record_security_event(type=SecurityEvent.LOGIN, request=r)
"""
    lines = [line for _, line, _ in _spelt_types(source, "example.py")]
    assert lines == [2, 3, 5, 6]


def test_every_app_that_records_events_declares_its_vocabulary():
    vocabularies = declared_vocabularies()
    recording = set()
    for path in _app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(
            isinstance(node, ast.Call) and _recorder_name(node) in RECORDERS
            for node in ast.walk(tree)
        ):
            recording.add(path.relative_to(ROOT).parts[0])
    assert recording >= {"core", "forces", "command", "duty", "drills"}
    assert recording - set(vocabularies) == set()
    assert AccountEvent in vocabularies["core"] and SecurityEvent in vocabularies["core"]


def test_event_types_are_unique_across_every_vocabulary():
    owners: dict[str, list[str]] = {}
    for label, vocabularies in declared_vocabularies().items():
        for vocabulary in vocabularies:
            for name, value in _members(vocabulary):
                owners.setdefault(value, []).append(f"{label}.{vocabulary.__name__}.{name}")
    assert len(owners) > 60
    assert {value: who for value, who in owners.items() if len(who) > 1} == {}


def test_every_declared_event_type_belongs_to_a_family_of_the_live_feed_rule():
    unknown = [
        str(member.value)
        for vocabularies in declared_vocabularies().values()
        for vocabulary in vocabularies
        for member in vocabulary
        if visibility.audience(str(member.value)) is None
    ]
    assert unknown == []
    assert visibility.audience("unknown.thing") is None


def test_a_vocabulary_member_is_stored_as_its_plain_string():
    assert ForceEvent.item("equipment", "removed") is ForceEvent.EQUIPMENT_REMOVED
    assert str(ForceEvent.STATUS_CHANGED) == "force.status_changed"


def test_every_audited_event_type_has_a_name_on_the_audit_page():
    audited = [
        str(member)
        for vocabulary in declared_vocabularies()["core"]
        for member in vocabulary
        if str(member).startswith(AUDIT_PREFIXES)
    ]
    assert len(audited) == 23  # security.callback_refused (notify gateway) is the 23rd
    assert [t for t in audited if type_label(t) == t] == []
