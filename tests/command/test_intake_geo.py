"""Coordinates read on Chinese web maps are stored as WGS-84 (core.geo), checked against
the published reference pairs of the eviltransform (googollee/eviltransform, its Python
tests: Shanghai, Shenzhen, Beijing) and coordtransform (wandergis/coordtransform, its
test/app.js: 116.404, 39.915) libraries."""

from __future__ import annotations

import pytest

from core import geo

# (WGS-84 lat, lon) → (GCJ-02 lat, lon), eviltransform's TESTS.
EVILTRANSFORM = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize("wgs,gcj", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_the_published_pairs(wgs, gcj):
    assert geo.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize("wgs,gcj", EVILTRANSFORM)
def test_gcj02_back_to_wgs84_within_a_millimetre(wgs, gcj):
    assert geo.to_wgs84(*gcj, geo.GCJ02) == pytest.approx(wgs, abs=1e-8)


def test_coordtransform_pairs_for_bd09_and_gcj02():
    # coordtransform (lon, lat): bd09togcj02(116.404, 39.915) = [116.39762729119315,
    # 39.90865673957631]; wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164]
    assert geo.bd09_to_gcj02(39.915, 116.404) == pytest.approx(
        (39.90865673957631, 116.39762729119315), abs=1e-12
    )
    assert geo.wgs84_to_gcj02(39.915, 116.404) == pytest.approx(
        (39.91640428150164, 116.41024449916938), abs=1e-12
    )
    # BD-09 → WGS-84 is the two steps: the WGS-84 point whose GCJ-02 is the BD-09 one's.
    lat, lon = geo.to_wgs84(39.915, 116.404, geo.BD09)
    assert geo.wgs84_to_gcj02(lat, lon) == pytest.approx(
        (39.90865673957631, 116.39762729119315), abs=1e-8
    )


def test_wgs84_is_kept_and_outside_china_is_not_shifted():
    assert geo.to_wgs84(36.84, 115.71, geo.WGS84) == (36.84, 115.71)
    assert geo.to_wgs84(51.5, -0.12, geo.GCJ02) == (51.5, -0.12)
    with pytest.raises(ValueError):
        geo.to_wgs84(36.84, 115.71, "mars")


def test_a_liaocheng_point_moves_by_the_expected_few_hundred_metres():
    """In 临清 the GCJ-02 offset is some 500 m: a point read on Gaode, stored unconverted,
    would put the incident on the wrong street."""
    lat, lon = geo.to_wgs84(36.852410, 115.698730, geo.GCJ02)
    assert 0.0005 < abs(36.852410 - lat) + abs(115.698730 - lon) < 0.01
