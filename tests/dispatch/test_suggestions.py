"""Force suggestions for a call-out plan (SPEC §4.1): by the incident type's dispatch
formation (Rongcheng §四.二.4), specialty, status, distance/ETA and tier deadline
(Zhoushan §三.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from dispatch import selectors
from dispatch.selectors import estimated_arrival_minutes, haversine_km, suggest_forces
from forces import services as force_services
from forces.choices import ForceStatus
from forces.models import Formation, FormationRequirement
from tests import factories as f

pytestmark = pytest.mark.django_db

# The flood incident of ``incident_world`` lies at 36.838 N, 115.705 E.
INCIDENT_LAT, INCIDENT_LON = 36.838, 115.705


@pytest.fixture
def flood_formation(incident_world):
    w = incident_world
    w.medical = f.specialty("medical", "医疗救护")
    w.general = f.specialty("general", "综合")
    formation = Formation.objects.create(disaster_type="flood", name="洪涝灾害调度编成")
    FormationRequirement.objects.create(formation=formation, specialty=w.flood, is_core=True)
    FormationRequirement.objects.create(formation=formation, specialty=w.water, is_core=True)
    FormationRequirement.objects.create(formation=formation, specialty=w.medical, is_core=False)
    return formation


def place(force, lat, lon):
    force.latitude, force.longitude = Decimal(str(lat)), Decimal(str(lon))
    force.save(update_fields=["latitude", "longitude"])
    return force


def set_status(w, force, status):
    force_services.set_force_status(force=force, status=status, actor=w.admin_a, reason="test")


def test_haversine_and_arrival_estimate_are_sane():
    # One degree of latitude is about 111.2 km anywhere.
    assert haversine_km(36.0, 115.0, 37.0, 115.0) == pytest.approx(111.2, abs=0.2)
    assert haversine_km(36.8, 115.7, 36.8, 115.7) == 0
    # 20 km × road factor 1.3 in town at 40 km/h is 39 min, plus 5 min for a tier 1
    # unit to turn out.
    assert estimated_arrival_minutes(20, "urban", 1) == 44
    # The same in the countryside (× 1.4 at 60 km/h), tier 3: 28 + 20.
    assert estimated_arrival_minutes(20, "rural", 3) == 48


def test_flood_force_of_the_formation_ranks_first(incident_world, flood_formation):
    """A 防汛抢险 standby force of the flood formation comes before a nearer general one."""
    w = incident_world
    place(w.force_a, INCIDENT_LAT, INCIDENT_LON + 0.1)  # ≈ 8.9 km east
    near_general = place(
        f.force(w.editor_power_a, w.power_a, name="临清综合应急队", specialties=[w.general]),
        INCIDENT_LAT,
        INCIDENT_LON + 0.01,
    )
    medic = place(
        f.force(w.editor_power_a, w.power_a, name="临清医疗队", specialties=[w.medical]),
        INCIDENT_LAT,
        INCIDENT_LON + 0.02,
    )
    ranked = suggest_forces(w.incident_a, w.county_a)
    names = [s.force.name for s in ranked]
    assert names[0] == w.force_a.name
    assert names.index(medic.name) < names.index(near_general.name)
    first = ranked[0]
    assert first.formation_match == "core" and first.overlap == 2
    assert set(first.matched_specialties) == {"水域", "防汛抢险"}
    assert first.distance_km == pytest.approx(8.9, abs=0.1)
    # Tier 2 (the water bureau's tier): 1.3 × 8.9 km at 40 km/h ≈ 17.4 min + 10 min.
    assert first.tier == 2 and first.eta_minutes == 28
    assert first.deadline_minutes == 60 and first.meets_deadline is True
    assert ranked[names.index(medic.name)].formation_match == "support"
    assert ranked[names.index(near_general.name)].formation_match is None


def test_reasons_explain_the_rank(incident_world, flood_formation):
    w = incident_world
    place(w.force_a, INCIDENT_LAT, INCIDENT_LON + 0.1)
    with translation.override("en"):
        [first, *_] = suggest_forces(w.incident_a, w.county_a)
    assert first.reasons[0].startswith("Formation requirement: ")
    assert first.reasons[0].endswith("(core)") and "防汛抢险" in first.reasons[0]
    assert "8.9 km away, about 28 min to arrive" in first.reasons
    assert "Tier 2 linkage unit, on scene within 60 min" in first.reasons


def test_force_without_a_base_has_no_eta_and_ranks_after_placed_ones(
    incident_world, flood_formation
):
    w = incident_world
    place(w.force_a, INCIDENT_LAT, INCIDENT_LON + 0.3)
    unplaced = f.force(
        w.editor_a, w.water_a, name="临清无坐标抢险队", specialties=[w.flood, w.water]
    )
    ranked = suggest_forces(w.incident_a, w.county_a)
    names = [s.force.name for s in ranked]
    assert names.index(w.force_a.name) < names.index(unplaced.name)
    missing = ranked[names.index(unplaced.name)]
    assert missing.distance_km is None and missing.eta_minutes is None
    assert missing.meets_deadline is None
    with translation.override("en"):
        again = suggest_forces(w.incident_a, w.county_a)
    reasons = next(s.reasons for s in again if s.force.pk == unplaced.pk)
    assert "No base location recorded; arrival time unknown" in reasons


def test_force_that_would_arrive_late_ranks_after_one_in_time(incident_world, flood_formation):
    """Zhoushan §三.2: tier 1 on scene within 30 min in town."""
    w = incident_world
    far = place(
        f.force(w.editor_a, w.water_a, name="远端抢险队", specialties=[w.flood, w.water]),
        INCIDENT_LAT + 0.5,  # ≈ 55 km: far beyond the tier 2 deadline of 60 min
        INCIDENT_LON,
    )
    place(w.force_a, INCIDENT_LAT + 0.05, INCIDENT_LON)
    ranked = suggest_forces(w.incident_a, w.county_a)
    late = next(s for s in ranked if s.force.pk == far.pk)
    assert late.meets_deadline is False and late.eta_minutes > 60
    assert [s.force.pk for s in ranked].index(w.force_a.pk) < [s.force.pk for s in ranked].index(
        far.pk
    )


def test_deployed_unavailable_and_inactive_forces_are_skipped(incident_world, flood_formation):
    w = incident_world
    deployed = f.force(w.editor_a, w.water_a, name="出动中抢险队", specialties=[w.flood])
    unavailable = f.force(w.editor_a, w.water_a, name="不可用抢险队", specialties=[w.flood])
    inactive = f.force(w.editor_a, w.water_a, name="停用抢险队", specialties=[w.flood])
    set_status(w, deployed, ForceStatus.DEPLOYED)
    set_status(w, unavailable, ForceStatus.UNAVAILABLE)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    found = {s.force.pk for s in suggest_forces(w.incident_a, w.county_a)}
    assert w.force_a.pk in found
    assert not found & {deployed.pk, unavailable.pk, inactive.pk}
    # Forces of another county are not at county A's brigade's disposal.
    assert w.force_b.pk not in found


def test_reinforcement_excludes_the_requesting_county(incident_world, flood_formation):
    """Liaocheng §三.一.2: reinforcement comes from outside the requesting jurisdiction."""
    w = incident_world
    found = {
        s.force.pk for s in suggest_forces(w.incident_a, w.city, exclude_jurisdiction=w.county_a)
    }
    assert w.force_b.pk in found
    assert w.force_a.pk not in found and w.force_power_a.pk not in found


def test_limit_and_incident_type_without_formation(incident_world):
    w = incident_world
    for n in range(5):
        f.force(w.editor_a, w.water_a, name=f"抢险{n}队")
    assert len(suggest_forces(w.incident_a, w.county_a, limit=3)) == 3
    drought = f.incident_type("11B01", "干旱", "natural", "")
    incident = f.incident(w.duty_officer_a, incident_type=drought, jurisdiction=w.county_a)
    ranked = suggest_forces(incident, w.county_a)
    assert ranked and all(s.formation_match is None for s in ranked)


def test_suggestions_need_few_queries(
    incident_world, flood_formation, django_assert_max_num_queries
):
    w = incident_world
    for n in range(6):
        f.force(w.editor_a, w.water_a, name=f"抢险{n}队", specialties=[w.flood])
    with django_assert_max_num_queries(8):
        assert len(selectors.suggest_forces(w.incident_a, w.county_a)) >= 6
