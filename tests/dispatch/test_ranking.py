"""Force suggestions rank as a dispatcher expects (issue 13): formation fit, specialty,
linkage tier and an ETA from a stated model; an incident recorded by address only is
ranked without distance, and the page and the API say so."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from command.models import Incident
from core.choices import OrganisationKind as K
from dispatch.selectors import (
    estimated_arrival_minutes,
    eta_model_text,
    haversine_km,
    suggest_forces,
)
from forces.models import Formation, FormationRequirement
from tests import factories as f

pytestmark = pytest.mark.django_db

# The flood on the 卫运河 at 临清 (the incident of ``incident_world``).
INCIDENT = (36.838, 115.705)
# The fire brigade's water-rescue station, north-north-east of the scene: 7.8 km.
STATION = (36.903913, 115.735003)
# A township flood team, south-east of the scene: 10.2 km.
TOWNSHIP = (36.792093, 115.8042)


@pytest.fixture
def flood_with_people_trapped(incident_world):
    w = incident_world
    formation = Formation.objects.create(disaster_type="flood", name="洪涝灾害调度编成")
    FormationRequirement.objects.create(formation=formation, specialty=w.water, is_core=True)
    FormationRequirement.objects.create(formation=formation, specialty=w.flood, is_core=True)
    Incident.objects.filter(pk=w.incident_a.pk).update(
        latitude=Decimal(str(INCIDENT[0])),
        longitude=Decimal(str(INCIDENT[1])),
        missing=3,
        description="河水漫堤，村内多名群众被困",
    )
    w.incident_a.refresh_from_db()
    w.station = f.force(
        w.admin_a,
        w.fire_a,  # tier 1: 24-hour duty room
        name="临清市消防救援大队水域救援站",
        specialties=[w.water],
        latitude=Decimal(str(STATION[0])),
        longitude=Decimal(str(STATION[1])),
    )
    township = f.organisation("松林镇人民政府", K.GOVERNMENT_OFFICE, w.town_a, tier=3)
    w.township_team = f.force(
        w.admin_a,
        township,
        name="松林镇防汛抢险队",
        specialties=[w.flood, w.water],  # matches more of the formation on paper
        latitude=Decimal(str(TOWNSHIP[0])),
        longitude=Decimal(str(TOWNSHIP[1])),
    )
    return w


def ranked_names(w):
    return [s.force.name for s in suggest_forces(w.incident_a, w.county_a)]


def test_coordinates_lie_at_the_stated_distances():
    assert haversine_km(*STATION, *INCIDENT) == pytest.approx(7.8, abs=0.01)
    assert haversine_km(*TOWNSHIP, *INCIDENT) == pytest.approx(10.2, abs=0.01)


def test_tier1_water_rescue_station_at_7_8_km_ranks_above_township_team_at_10_2_km(
    flood_with_people_trapped,
):
    w = flood_with_people_trapped
    ranked = suggest_forces(w.incident_a, w.county_a)
    by_name = {s.force.name: s for s in ranked}
    station, township = by_name[w.station.name], by_name[w.township_team.name]
    names = [s.force.name for s in ranked]
    assert names.index(w.station.name) < names.index(w.township_team.name)
    assert station.distance_km == 7.8 and township.distance_km == 10.2
    # 1.3 × 7.8 km at 40 km/h ≈ 15.2 min + 5 min turn-out (tier 1).
    assert station.eta_minutes == 21 and station.tier == 1
    # 1.3 × 10.2 km at 40 km/h ≈ 19.9 min + 20 min turn-out (tier 3).
    assert township.eta_minutes == 40 and township.tier == 3
    assert station.score > township.score


def test_the_nearer_of_two_equal_forces_ranks_first(flood_with_people_trapped):
    w = flood_with_people_trapped
    near = f.force(
        w.admin_a,
        w.fire_a,
        name="临清市消防救援大队城区站",
        specialties=[w.water],
        latitude=Decimal("36.850"),
        longitude=Decimal("115.705"),
    )
    names = ranked_names(w)
    assert names.index(near.name) < names.index(w.station.name)


def test_eta_model_adds_road_factor_speed_and_turn_out():
    # Town: 10 km × 1.3 at 40 km/h = 19.5 min, + 10 min for tier 2.
    assert estimated_arrival_minutes(10, "urban", 2) == 30
    # Countryside: 10 km × 1.4 at 60 km/h = 14 min, + 20 min for tier 3.
    assert estimated_arrival_minutes(10, "rural", 3) == 34
    with translation.override("en"):
        text = eta_model_text()
    assert "×1.3 at 40 km/h" in text and "×1.4 at 60 km/h" in text
    assert "5 / 10 / 20 min" in text


def test_incident_without_coordinates_is_ranked_without_distance_and_says_so(
    flood_with_people_trapped,
):
    w = flood_with_people_trapped
    Incident.objects.filter(pk=w.incident_a.pk).update(
        latitude=None, longitude=None, address="临清市松林镇王庄村"
    )
    w.incident_a.refresh_from_db()
    with translation.override("en"):
        ranked = suggest_forces(w.incident_a, w.county_a)
    assert all(s.distance_km is None and s.eta_minutes is None for s in ranked)
    names = [s.force.name for s in ranked]
    assert names.index(w.station.name) < names.index(w.township_team.name)
    station = next(s for s in ranked if s.force.pk == w.station.pk)
    assert "The incident has no coordinates: ranked without distance" in station.reasons


def test_api_returns_the_model_the_scores_and_whether_distance_was_used(
    flood_with_people_trapped, api
):
    w = flood_with_people_trapped
    api = api(w.dispatcher_a)
    body = api.get("/api/v1/dispatch/suggestions/", {"incident": w.incident_a.pk}).json()
    # The model is stated with its figures (in the user's language).
    assert body["located"] is True
    assert all(figure in body["eta_model"] for figure in ("1.3", "1.4", "40", "60", "5 / 10 / 20"))
    names = [s["force_name"] for s in body["suggestions"]]
    assert names.index(w.station.name) < names.index(w.township_team.name)
    scores = [s["score"] for s in body["suggestions"]]
    assert scores[0] >= scores[-1]

    Incident.objects.filter(pk=w.incident_a.pk).update(
        latitude=None, longitude=None, address="临清市松林镇王庄村"
    )
    body = api.get("/api/v1/dispatch/suggestions/", {"incident": w.incident_a.pk}).json()
    assert body["located"] is False
    assert all(s["distance_km"] is None for s in body["suggestions"])


def test_plan_page_states_the_eta_model_and_a_missing_location(flood_with_people_trapped, client):
    w = flood_with_people_trapped
    client.force_login(w.dispatcher_a)
    url = reverse("dispatch:plan_create", args=[w.incident_a.pk])
    page = client.get(url).content.decode()
    assert 'id="eta-model"' in page and 'id="no-coordinates"' not in page
    Incident.objects.filter(pk=w.incident_a.pk).update(
        latitude=None, longitude=None, address="临清市松林镇王庄村"
    )
    page = client.get(url).content.decode()
    assert 'id="no-coordinates"' in page
