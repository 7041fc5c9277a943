"""The current representation of an event's subject, for the change feed (SPEC §8, §11).

Each app registers, from its own ``AppConfig.ready()``, the API serializer and the
scoped queryset of every model it records events on::

    subjects.register("command.incident", serializer=IncidentSerializer,
                      queryset=subjects.from_viewset(IncidentViewSet))

``represent`` then renders the subjects of a page of events the way the API shows them
to the viewer (the same scoping, the same masking), with one query per kind and the
queryset's own prefetches, so a page costs the same whatever its size. A subject the
viewer's queryset no longer holds — deleted, handed to another jurisdiction, withdrawn —
is ``None``: the feed sends a tombstone for it.

A *kind* is the model name of ``Event.subject_type`` (``command.incident`` →
``incident``): the ``subject.kind`` of the feed and its ``?kind=`` filter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

__all__ = [
    "Representation",
    "declare",
    "feed_kinds",
    "from_viewset",
    "kind_of",
    "register",
    "registered",
    "represent",
]


@dataclass(frozen=True)
class Representation:
    serializer: type  # a rest_framework Serializer class
    # What the API lets a user read; None when the user's role may not read this kind
    # through the API at all (the feed then sends data null, not a tombstone).
    queryset: Callable[[Any], QuerySet | None]
    # Extra serializer context for a page of objects (bulk counts the API's list view
    # computes once per page), or None.
    context: Callable[[Any, list[Any]], dict[str, Any]] | None = None


_REGISTRY: dict[str, Representation] = {}
# Subjects events are recorded on that have no API representation (accounts, roll-call
# intensifications): in the feed with ``data: null``, and a ``?kind=`` of their own.
_UNREPRESENTED: set[str] = set()


def register(
    model_label: str,
    *,
    serializer: type,
    queryset: Callable[[Any], QuerySet | None],
    context: Callable[[Any, list[Any]], dict[str, Any]] | None = None,
) -> None:
    """Declare how subjects of ``model_label`` (``app_label.model_name``) are shown:
    ``serializer`` (the API's detail serializer) over ``queryset(user)`` (what the API
    lets that user read, with its select/prefetch); ``context(user, objects)`` adds what
    the API's list view puts in the serializer context for a page (bulk counts)."""
    label = model_label.lower()
    apps.get_model(label)  # fail at start-up on a typo
    _REGISTRY[label] = Representation(serializer=serializer, queryset=queryset, context=context)


def declare(model_label: str) -> None:
    """Declare a subject that events are recorded on but that the API does not show:
    the feed sends its changes with ``data: null``."""
    label = model_label.lower()
    apps.get_model(label)
    _UNREPRESENTED.add(label)


def registered() -> dict[str, Representation]:
    return dict(_REGISTRY)


def subject_types() -> frozenset[str]:
    """Every declared subject type, with or without a representation."""
    return frozenset(_REGISTRY) | frozenset(_UNREPRESENTED)


def feed_kinds() -> list[str]:
    """The kinds the feed's ``?kind=`` filter accepts, sorted."""
    return sorted({kind_of(label) for label in subject_types()})


def kind_of(subject_type: str) -> str:
    """``command.incident`` → ``incident``."""
    return subject_type.rsplit(".", 1)[-1]


def subject_types_of(kinds: Iterable[str]) -> list[str]:
    """The ``app_label.model_name`` of every installed model of these kinds."""
    wanted = set(kinds)
    return sorted(
        model._meta.label_lower for model in apps.get_models() if model._meta.model_name in wanted
    )


def from_viewset(viewset_class: type) -> Callable[[Any], QuerySet | None]:
    """The queryset a viewset's ``get_queryset`` gives a user on its detail route; None
    when the viewset's permissions refuse the user a read."""

    def queryset(user: Any) -> QuerySet | None:
        view = viewset_class()
        view.request = _request_for(user)
        view.action = "retrieve"
        view.args, view.kwargs, view.format_kwarg = (), {}, None
        if not all(
            permission.has_permission(view.request, view) for permission in view.get_permissions()
        ):
            return None
        return view.get_queryset()

    return queryset


def _request_for(user: Any) -> SimpleNamespace:
    return SimpleNamespace(user=user, query_params={}, GET={}, method="GET", data={})


def represent(user: Any, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict | None]:
    """The current representation of each registered (subject_type, subject_id) for
    ``user``; ``None`` when the user's queryset no longer holds it. References of
    unregistered subject types, and of kinds the user's role may not read through the
    API at all, are left out (no representation for this user, not a tombstone)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for subject_type, subject_id in refs:
        if subject_type in _REGISTRY:
            by_type[subject_type].add(str(subject_id))
    request = _request_for(user)
    found: dict[tuple[str, str], dict | None] = {}
    for subject_type, ids in sorted(by_type.items()):
        entry = _REGISTRY[subject_type]
        readable = entry.queryset(user)
        if readable is None:
            continue
        valid = _valid_pks(apps.get_model(subject_type), ids)
        objects = list(readable.filter(pk__in=valid)) if valid else []
        context: dict[str, Any] = {"request": request}
        if entry.context is not None and objects:
            context.update(entry.context(user, objects))
        # One serializer for the page: its fields are built once, not once per object.
        data = entry.serializer(objects, many=True, context=context).data if objects else []
        rendered = {str(obj.pk): item for obj, item in zip(objects, data, strict=True)}
        for subject_id in ids:
            found[(subject_type, subject_id)] = rendered.get(subject_id)
    return found


def _valid_pks(model: Any, ids: set[str]) -> list[Any]:
    field = model._meta.pk
    valid = []
    for value in ids:
        try:
            valid.append(field.to_python(value))
        except ValidationError:  # not an id of this model: a tombstone
            continue
    return valid
