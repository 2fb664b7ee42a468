"""The grid of the partner finder's market index (``smes.models.PartnerMarketEntry``).

Pure functions, shared by the index's maintenance, its migration and the finder: a point falls
in one cell of half a degree of latitude by half a degree of longitude (about 55 × 38 km in
mainland France), and a search box covers a handful of them.
"""

from __future__ import annotations

import math

CELL_DEGREES = 0.5
# Cells are numbered row * _ROW + column, both shifted to stay positive (latitude -90..90,
# longitude -180..180 fit in 361 rows and 721 columns).
_ROW = 1000
_LAT_SHIFT, _LON_SHIFT = 200, 400
# A box wider than this many cells (near the poles, or a huge radius) is read without cells.
MAX_CELLS = 400


def _index(value: float) -> int:
    return math.floor(value / CELL_DEGREES)


def cell_of(latitude: float, longitude: float) -> int:
    """The cell of a point."""
    return (_index(latitude) + _LAT_SHIFT) * _ROW + _index(longitude) + _LON_SHIFT


def cells_covering(
    min_lat: float, max_lat: float, lon_ranges: tuple[tuple[float, float], ...]
) -> list[int] | None:
    """Every cell that a point of the box may fall in; ``None`` when the box spans every
    longitude (``core.geo.BoundingBox`` with no ranges) or too many cells."""
    if not lon_ranges:
        return None
    rows = range(_index(min_lat), _index(max_lat) + 1)
    columns = sorted(
        {c for west, east in lon_ranges for c in range(_index(west), _index(east) + 1)}
    )
    if len(rows) * len(columns) > MAX_CELLS:
        return None
    return [(r + _LAT_SHIFT) * _ROW + c + _LON_SHIFT for r in rows for c in columns]
