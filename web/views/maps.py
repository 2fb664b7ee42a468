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


def grouped(markers: list[dict | None]) -> list[dict]:
    """Markers at one spot (structures sharing a building, or their commune's centre) become one
    marker listing them all, so that none hides another; the rest stay as they are."""
    groups: dict[tuple[float, float], list[dict]] = {}
    for marker in markers:
        if marker is not None:
            groups.setdefault((round(marker["lat"], 5), round(marker["lon"], 5)), []).append(marker)
    return [
        {
            "lat": same[0]["lat"],
            "lon": same[0]["lon"],
            # The pin shows the first number, "+" when others share it (its popup lists them).
            "label": f"{same[0]['n']}+" if len(same) > 1 else str(same[0]["n"]),
            "fallback": all(m["fallback"] for m in same),
            "items": [{"n": m["n"], "name": m["name"], "url": m["url"]} for m in same],
        }
        for same in groups.values()
    ]
