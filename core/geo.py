"""Distances and bounding boxes: the single definition of "km" in the project.

Every displayed or compared distance comes from ``haversine_km`` (mean Earth radius
6371.0088 km), computed in Python so that SQLite and PostgreSQL give the same numbers; the
database only narrows candidates with plain indexed latitude/longitude ranges.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    return distances_from(lat1, lon1)(lat2, lon2)


def distances_from(lat1: float, lon1: float) -> Callable[[float, float], float]:
    """``haversine_km`` from a fixed point, as a function of the other point: the origin's terms
    are computed once (the relay measures up to hundreds of offers from one place per lookup)."""
    term_to = haversine_terms_from(lat1, lon1)
    return lambda lat2, lon2: km_of_term(term_to(lat2, lon2))


def haversine_terms_from(lat1: float, lon1: float) -> Callable[[float, float], float]:
    """The haversine term (``sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)``) from a fixed point: the
    distance grows with it (``km_of_term``), so points can be ordered by it and only those a
    caller reads measured in km."""
    phi1 = math.radians(lat1)
    cos_phi1 = math.cos(phi1)
    radians, sin, cos = math.radians, math.sin, math.cos

    def term(lat2: float, lon2: float) -> float:
        phi2 = radians(lat2)
        return (
            sin((phi2 - phi1) / 2) ** 2 + cos_phi1 * cos(phi2) * sin(radians(lon2 - lon1) / 2) ** 2
        )

    return term


def km_of_term(term: float) -> float:
    """The distance in km of a haversine term (``haversine_terms_from``): never decreasing."""
    # Rounding can push the term a hair above 1 for antipodal points: asin would fail.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, term))))


def display_km(km: float) -> Decimal:
    """A distance as people read it: tenths of a km below 10 km, whole km above, rounded half
    up (195.8 → 196, 2.45 → 2.5) — the one rounding of every sentence, card and list."""
    if km < 10:
        shown = Decimal(repr(km)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if shown < 10:
            return shown
    return Decimal(repr(km)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude box containing every point within ``radius_km`` of a centre.

    ``lon_ranges`` holds one range, or two when the box crosses the ±180° meridian (Wallis and
    Futuna, New Caledonia); it is empty when every longitude qualifies (near a pole, or a radius
    so large that the box would wrap).
    """

    min_lat: float
    max_lat: float
    lon_ranges: tuple[tuple[float, float], ...]

    @classmethod
    def around(cls, lat: float, lon: float, radius_km: float) -> BoundingBox:
        dlat = radius_km / KM_PER_DEGREE_LAT
        min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
        widest = max(abs(min_lat), abs(max_lat))
        if widest >= 89.999:
            return cls(min_lat, max_lat, ())
        # At the box's highest |latitude| a degree of longitude is shortest: use it so that the
        # box contains the whole circle.
        dlon = radius_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(widest)))
        if dlon >= 180.0:
            return cls(min_lat, max_lat, ())
        west, east = lon - dlon, lon + dlon
        if west < -180.0:
            return cls(min_lat, max_lat, ((west + 360.0, 180.0), (-180.0, east)))
        if east > 180.0:
            return cls(min_lat, max_lat, ((west, 180.0), (-180.0, east - 360.0)))
        return cls(min_lat, max_lat, ((west, east),))

    def contains(self, lat: float, lon: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        return not self.lon_ranges or any(lo <= lon <= hi for lo, hi in self.lon_ranges)

    def q(self, lat_field: str = "latitude", lon_field: str = "longitude"):
        """The box as a Django ``Q`` on two float fields (plain ranges: index-friendly)."""
        from django.db.models import Q

        condition = Q(**{f"{lat_field}__gte": self.min_lat, f"{lat_field}__lte": self.max_lat})
        if self.lon_ranges:
            lon_q = Q()
            for lo, hi in self.lon_ranges:
                lon_q |= Q(**{f"{lon_field}__gte": lo, f"{lon_field}__lte": hi})
            condition &= lon_q
        return condition
