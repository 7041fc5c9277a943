"""The OpenAPI schema tells the truth about refusals (issue 11, "the contract").

Every operation of the API can be refused, and every refusal has one body,
``{"code", "detail"[, "errors"]}`` (core.api.exceptions). ``AutoSchema`` documents, for each
operation, the refusals it can answer, from what the operation is (a write, a detail
route, a paginated list, a throttled view), so an endpoint added later is documented the
same way without a line of its own:

- 400 ``invalid``: a write, or anything that reads query parameters;
- 401: no, an expired or a revoked credential (also the token view's missing second factor);
- 403: the role, jurisdiction or object forbids it (or a session write without CSRF);
- 404: the object of a detail route, a page past the end, an object a write refers to;
- 409: a write that conflicts with the object's state or with existing data;
- 415: a body in a media type the operation does not parse;
- 429: a throttled view (token requests, a locked-out login).

Dates and times in requests are declared with the window the platform accepts
(core.bounds) as a pattern, and refused the same way (core.api.fields, core.filters).
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from core.bounds import DATE_REGEX, DATETIME_REGEX
from core.phones import PERSONAL_PHONE_RE, PHONE_RE, validate_personal_phone, validate_phone

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Every refusal of the API. `code` is stable and machine-readable (`invalid`, "
        "`not_authenticated`, `permission_denied`, `not_found`, `conflict`, "
        "`invalid_transition`, `throttled` …); `detail` is for people; `errors` maps "
        "each invalid field (or `non_field_errors`) to its messages."
    ),
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "description": (
                "Field name → messages; a workbook import's refusal lists its bad rows."
            ),
            "anyOf": [
                {"type": "object", "additionalProperties": True},
                {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            ],
        },
    },
    "required": ["code", "detail"],
}

_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field.",
    "401": "Not authenticated, or the credential expired or was revoked.",
    "403": "The role, jurisdiction or object does not allow it.",
    "404": "No such object visible to the caller (or no such page).",
    "409": "The change conflicts with the object's state or existing data.",
    "415": "The body's media type is not accepted.",
    "429": "Too many requests: retry after the `Retry-After` seconds.",
}

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


_PATTERNS = [
    (validate_phone, PHONE_RE.pattern),
    (validate_personal_phone, PERSONAL_PHONE_RE.pattern),
]


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, with the refusals every operation can answer and the
    rules of the platform's own validators (phones, non-empty lists) as constraints."""

    def map_parsers(self):
        # The API's bodies are JSON; forms and multipart are declared only where a view
        # takes nothing else (uploads), since a form cannot carry null, nested objects or
        # lists of objects the JSON schema describes.
        parsers = super().map_parsers()
        return ["application/json"] if "application/json" in parsers else parsers

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "response":
            _answer_as_the_model_stores(field)
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        for validator in getattr(field, "validators", []) if direction == "request" else []:
            for rule, pattern in _PATTERNS:
                if validator is rule and result.get("type") == "string":
                    result["pattern"] = pattern
        if direction == "request" and isinstance(field, serializers.DecimalField):
            pattern = _symmetric_decimal_pattern(field)
            if pattern and result.get("type") == "string":
                result["pattern"] = pattern
        if isinstance(field, serializers.ListSerializer | serializers.ListField):
            if not field.allow_empty and result.get("type") == "array":
                result.setdefault("minItems", 1)
        return result

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for code in self._refusals(operation):
            operation["responses"][code] = {
                "content": {"application/json": {"schema": ERROR_REF}},
                "description": _DESCRIPTIONS[code],
            }
        operation["responses"] = dict(sorted(operation["responses"].items()))
        return operation

    def _refusals(self, operation: dict) -> list[str]:
        params = operation.get("parameters", [])
        in_query = any(p.get("in") == "query" for p in params)
        in_path = any(p.get("in") == "path" for p in params)
        write = self.method in _WRITES
        codes = ["401", "403"]
        if write or in_query:
            codes.append("400")
        if write or in_path or in_query:
            codes.append("404")
        if write:
            codes.append("409")
        if "requestBody" in operation or write:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes


def _digits_between(lo: str, hi: str) -> str:
    """A regex for the integers lo..hi written with the same number of digits."""
    if len(lo) == 1:
        return lo if lo == hi else f"[{lo}-{hi}]"
    if lo[0] == hi[0]:
        return lo[0] + _digits_between(lo[1:], hi[1:])
    rest = len(lo) - 1
    parts = [lo[0] + _digits_between(lo[1:], "9" * rest)]
    if int(hi[0]) - int(lo[0]) > 1:
        parts.append(f"[{int(lo[0]) + 1}-{int(hi[0]) - 1}][0-9]{{{rest}}}")
    parts.append(hi[0] + _digits_between("0" * rest, hi[1:]))
    return "(?:" + "|".join(parts) + ")"


def _below(limit: int) -> str:
    """A regex for the integers 0..limit-1 (no leading zeros)."""
    parts = []
    for length in range(1, len(str(limit - 1)) + 1):
        lo = 0 if length == 1 else 10 ** (length - 1)
        hi = min(limit - 1, 10**length - 1)
        parts.append(_digits_between(str(lo), str(hi)))
    return "|".join(parts)


def _symmetric_decimal_pattern(field) -> str | None:
    """-m..m with the field's decimal places (latitude ±90, longitude ±180), as a pattern:
    a decimal is sent as a string, which ``minimum``/``maximum`` cannot bound."""
    low, high, places = field.min_value, field.max_value, field.decimal_places
    if low == 0 and high is None and places is not None and field.max_digits:
        whole = field.max_digits - places
        fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places else ""
        return rf"^[0-9]{{1,{whole}}}{fraction}$"
    if low is None or high is None or places is None or low != -high or high != int(high):
        return None
    limit = int(high)
    if not 0 < limit < 10000:
        return None
    fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places else ""
    zeros = rf"(?:\.0{{1,{places}}})?" if places else ""
    return rf"^-?(?:(?:{_below(limit)}){fraction}|{limit}{zeros})$"


def _model_path(field) -> list | None:
    """The model fields a serializer field's ``source`` walks through, or None."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return None
    path = []
    for attr in source.split("."):
        try:
            model_field = model._meta.get_field(attr)
        except Exception:
            return None
        path.append(model_field)
        model = getattr(model_field, "related_model", None)
        if model is None:
            break
    return path if len(path) == len(source.split(".")) else None


def _answer_as_the_model_stores(field) -> None:
    """A read field is null when its column, or any relation its source walks, is null;
    blank when its column may be blank (a choice left empty is "", not one of the enum)."""
    path = _model_path(field)
    if not path:
        return
    if any(getattr(f, "null", False) for f in path):
        field.allow_null = True
    last = path[-1]
    if isinstance(field, serializers.ChoiceField) and getattr(last, "blank", False):
        field.allow_blank = True


def add_error_component(result, generator, request, public):
    """Postprocessing hook: the one refusal body every 4xx refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _bound_request_dates(result)
    return result


def _bound(schema: Any) -> None:
    if isinstance(schema, dict):
        if schema.get("format") == "decimal" and isinstance(schema.get("pattern"), str):
            # drf-spectacular's ``\\d{0,n}`` also takes "", "-", "." and other scripts' digits.
            schema["pattern"] = re.sub(r"\\d\{0,(\d+)\}", r"[0-9]{1,\1}", schema["pattern"])
        if schema.get("type") == "string" and schema.get("format") in ("date", "date-time"):
            if "pattern" not in schema:
                schema["pattern"] = DATE_REGEX if schema["format"] == "date" else DATETIME_REGEX
        for value in schema.values():
            _bound(value)
    elif isinstance(schema, list):
        for value in schema:
            _bound(value)


def _bound_request_dates(result: dict) -> None:
    """Declare the accepted window on every date the client sends: request bodies (the
    ``…Request`` components, COMPONENT_SPLIT_REQUEST) and parameters."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _bound(schema)
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []):
                _bound(param.get("schema"))
            _bound(operation.get("requestBody"))
