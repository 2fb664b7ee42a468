"""Map data of the pages (Leaflet markers); the list stays the answer, the map repeats it."""

from __future__ import annotations


def point_of(structure) -> tuple[float, float] | None:
    """The structure's own point, else its commune's centre, else none."""
    if structure.latitude is not None and structure.longitude is not None:
        return structure.latitude, structure.longitude
    commune = structure.commune
    if commune is not None and commune.latitude is not None:
        return commune.latitude, commune.longitude
    return None


def relay_marker(number: int, result, *, fallback: bool) -> dict | None:
    point = point_of(result.structure)
    if point is None:
        return None
    return {
        "n": number,
        "lat": point[0],
        "lon": point[1],
        "name": str(result.structure),
        "url": f"/structures/{result.structure.slug}/",
        "fallback": fallback,
    }
