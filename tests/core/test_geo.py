import math
import random

import pytest

from core.geo import EARTH_RADIUS_KM, BoundingBox, display_km, haversine_km


def test_known_distances():
    # Montpellier → Paris (Notre-Dame) is about 595 km as the crow flies.
    assert haversine_km(43.6109, 3.8764, 48.8534, 2.3488) == pytest.approx(595, abs=5)
    assert haversine_km(0, 0, 0, 1) == pytest.approx(math.pi * EARTH_RADIUS_KM / 180, rel=1e-9)
    assert haversine_km(10, 20, 10, 20) == 0


def test_antipodes_do_not_fail():
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(45, 10, -45, -170) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_box_contains_every_point_of_the_circle():
    rng = random.Random(7)
    for _ in range(3000):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        radius = rng.choice([1, 10, 50, 300, 1500])
        box = BoundingBox.around(lat, lon, radius)
        plat, plon = lat + rng.uniform(-15, 15), lon + rng.uniform(-30, 30)
        plon = (plon + 540) % 360 - 180
        plat = max(-90, min(90, plat))
        if haversine_km(lat, lon, plat, plon) <= radius:
            assert box.contains(plat, plon), (lat, lon, radius, plat, plon)


def test_box_splits_at_the_antimeridian():
    # Wallis-et-Futuna sits at about 178° W.
    box = BoundingBox.around(-13.3, -178.1, 300)
    assert len(box.lon_ranges) == 2
    assert box.contains(-13.3, 179.5)
    assert box.contains(-13.3, -177.0)
    assert not box.contains(-13.3, 170.0)


def test_box_near_the_pole_keeps_every_longitude():
    box = BoundingBox.around(89.5, 0, 200)
    assert box.lon_ranges == ()
    assert box.max_lat == 90.0


@pytest.mark.parametrize(
    ("km", "shown"),
    [
        (195.8, "196"),
        (195.5, "196"),
        (195.49, "195"),
        (9356.6, "9357"),
        (2.45, "2.5"),
        (2.449, "2.4"),
        (9.94, "9.9"),
        (9.96, "10"),
        (0.95, "1.0"),
    ],
)
def test_display_km_rounds_half_up_tenths_below_ten_whole_above(km, shown):
    assert str(display_km(km)) == shown
