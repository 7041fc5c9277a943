"""Shelters as a layer of the hall screen's map: the screen of county A shows county A's
shelters in service with coordinates, by name and capacity, and not county B's."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.support.shelters_fixtures import shelter_world

__all__ = ["shelter_world"]


def test_hall_screen_data_carries_the_shelter_layer_of_the_jurisdiction(shelter_world):
    w = shelter_world
    client = Client()
    client.force_login(w.screen_a)
    data = client.get(reverse("hall:screen_data")).json()
    shelters = {s["name"]: s for s in data["shelters"]}
    assert set(shelters) == {"运河公园", "松林镇文化广场"}
    assert shelters["运河公园"]["capacity"] == 300000
    assert shelters["运河公园"]["lat"] == 36.838


def test_hall_screen_has_the_shelter_toggle(shelter_world):
    client = Client()
    client.force_login(shelter_world.screen_city)
    html = client.get(reverse("hall:screen")).content.decode()
    assert 'id="toggle-shelters"' in html
