"""The ordering oracle (issue 8, finding 3): a list that may be ordered or searched by a
masked field tells an outsider the hidden value. A department editor who owns people
with known ID numbers could sort them together with another organisation's people and
binary-search the masked digits in about 15 requests. Every list names the fields it
may be ordered, searched and filtered by; none is masked, and the attack finds nothing."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver
from rest_framework.generics import GenericAPIView

from config import api_urls
from core.masking import MASKED_FIELDS
from forces.models import Expert, Personnel

pytestmark = pytest.mark.django_db


def _list_views(patterns=api_urls.urlpatterns, prefix=""):
    """(route, view class) of every API route that answers a list."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _list_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            cls = getattr(callback, "cls", None)
            actions = getattr(callback, "actions", None) or {}
            if cls is not None and actions.get("get") == "list":
                yield prefix + str(entry.pattern), cls


def _names(fields) -> set[str]:
    """The model field each ordering/search/filter entry reaches (``a__b`` → ``b``)."""
    if isinstance(fields, dict):
        fields = list(fields)
    return {str(f).lstrip("^=@$-").split("__")[-1] for f in fields or ()}


LIST_VIEWS = sorted(set(_list_views()), key=lambda row: row[0])


def test_the_api_has_list_routes_to_check():
    routes = [route for route, _ in LIST_VIEWS]
    assert any("personnel" in r for r in routes) and any("experts" in r for r in routes)
    assert len(routes) >= 25


@pytest.mark.parametrize(("route", "view"), LIST_VIEWS, ids=[r for r, _ in LIST_VIEWS])
def test_every_list_names_its_ordering_search_and_filter_fields_and_none_is_masked(route, view):
    if not issubclass(view, GenericAPIView):
        return  # a plain ViewSet lists without DRF's filter backends
    ordering = getattr(view, "ordering_fields", None)
    assert ordering is not None and ordering != "__all__", f"{route}: ordering_fields not named"
    assert getattr(view, "search_fields", None) is not None, f"{route}: search_fields not named"
    assert not _names(ordering) & MASKED_FIELDS, route
    assert not _names(view.search_fields) & MASKED_FIELDS, route
    filterset_class = getattr(view, "filterset_class", None)
    filtered = _names(getattr(view, "filterset_fields", None))
    if filterset_class is not None:
        filtered |= {f.field_name for f in filterset_class.base_filters.values()}
        filtered |= set(filterset_class.base_filters)
        filtered = _names(filtered)
    assert not filtered & MASKED_FIELDS, route


# --- the oracle, played --------------------------------------------------------------------

# ID numbers interleaved across the two organisations, names in the opposite order: any
# ordering by ID number would show where the foreign numbers fall between the own ones.
OWN = [
    ("丁一", "370000199001010090"),
    ("丁二", "370000199001010050"),
    ("丁三", "370000199001010010"),
]
FOREIGN = [("甲一", "370000199001010070"), ("甲二", "370000199001010030")]
OWN_PHONES = ["13900000009", "13900000005", "13900000001"]
FOREIGN_PHONES = ["13900000007", "13900000003"]


@pytest.fixture
def oracle_world(world):
    """editor_a's own people (known numbers) beside the power company's people in the
    same county, whom editor_a reads with masked numbers."""
    for (name, id_number), phone in zip(OWN, OWN_PHONES, strict=True):
        Personnel.objects.create(force=world.force_a, name=name, id_number=id_number, phone=phone)
        Expert.objects.create(
            name=name,
            field="水利",
            phone=phone,
            id_number=id_number,
            organisation=world.water_a,
            jurisdiction=world.county_a,
        )
    for (name, id_number), phone in zip(FOREIGN, FOREIGN_PHONES, strict=True):
        Personnel.objects.create(
            force=world.force_power_a, name=name, id_number=id_number, phone=phone
        )
        Expert.objects.create(
            name=name,
            field="电力",
            phone=phone,
            id_number=id_number,
            organisation=world.power_a,
            jurisdiction=world.county_a,
        )
    return world


def _rows(client, url: str) -> list[dict]:
    response = client.get(url + ("&" if "?" in url else "?") + "page_size=500")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("endpoint", ["personnel", "experts"])
def test_ordering_by_masked_fields_orders_nothing(oracle_world, api, endpoint):
    client = api(oracle_world.editor_a)
    base = f"/api/v1/forces/{endpoint}/"
    rows = _rows(client, base)
    default = [row["id"] for row in rows]
    foreign = [row for row in rows if row["name"].startswith("甲")]
    assert len(foreign) == 2 and all("*" in row["id_number"] for row in foreign)
    # What lets this test fail: the real ID order is not the default order.
    model = Personnel if endpoint == "personnel" else Expert
    real = dict(model.objects.values_list("id", "id_number"))
    assert sorted(default, key=real.__getitem__) != default
    for ordering in ("id_number", "-id_number", "phone", "-phone", "leader_phone"):
        ordered = [row["id"] for row in _rows(client, f"{base}?ordering={ordering}")]
        assert ordered == default, ordering


@pytest.mark.parametrize("endpoint", ["personnel", "experts"])
def test_searching_for_the_digits_of_a_foreign_id_number_reveals_nothing(
    oracle_world, api, endpoint
):
    client = api(oracle_world.editor_a)
    base = f"/api/v1/forces/{endpoint}/"
    default = [row["id"] for row in _rows(client, base)]
    for digits in ("010070", "010030", "13900000007"):
        searched = [row["id"] for row in _rows(client, f"{base}?search={digits}")]
        assert searched == default, digits
        assert _rows(client, f"{base}?q={digits}") == [], digits
