"""The API's JSON parser: a body the rest of the stack cannot handle is a 400 here, at the
door, instead of a 500 wherever it first hurts (the renderer echoing a value back, the
database driver, Python's recursion limit)."""

from __future__ import annotations

import codecs
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.parsers import get_encoding
from rest_framework.utils import json

# No request body of this API nests deeper than a handful of levels.
MAX_JSON_DEPTH = 64


def check_text(value: str) -> None:
    """Refuse text UTF-8 cannot encode: a lone surrogate (``"\\ud800"``) is valid JSON but
    no response, log line or database column can carry it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(
            _("The request contains text that is not valid Unicode."), "invalid"
        ) from exc


def check_document(data: Any) -> None:
    """Walk the parsed document without recursion, bounding its depth and its text."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            check_text(node)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ParseError(_("The request body is nested too deeply."))
        if isinstance(node, dict):
            for key, value in node.items():
                check_text(key)
                stack.append((value, depth + 1))
        else:
            stack.extend((value, depth + 1) for value in node)


class JSONParser(DRFJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=parse_constant)
        except RecursionError as exc:
            raise ParseError(_("The request body is nested too deeply.")) from exc
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %s") % exc) from exc
        check_document(data)
        return data
