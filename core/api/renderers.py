"""CSV and GeoJSON renderings of list payloads (``?format=csv`` / ``?format=geojson``).

Both accept what a list view returns: a page (``{"count", "next", "previous", "results"}``), a
plain list of objects, or a dict with ``results`` (and ``fallbacks``, for the relay lookup).
Errors are always JSON, whatever the format asked for: a program reading CSV gets a JSON body
with a clear message and a 4xx status instead of a broken table.
"""

from __future__ import annotations

import csv
import io
import json

from rest_framework.renderers import BaseRenderer, JSONRenderer

LIST_SEPARATOR = " | "


def _is_error(renderer_context) -> bool:
    response = (renderer_context or {}).get("response")
    return response is not None and response.status_code >= 400


def _render_error_as_json(data, renderer_context) -> bytes:
    response = renderer_context["response"]
    response["Content-Type"] = "application/json"
    return JSONRenderer().render(data, "application/json", renderer_context)


def rows_of(data) -> list[dict]:
    if data is None:
        return []
    if isinstance(data, dict):
        if "features" in data:
            return list(data["features"])
        rows = list(data.get("results") or [])
        return rows + list(data.get("fallbacks") or [])
    return list(data)


def _scalar(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        for key in ("code", "slug", "name"):
            if key in value:
                return str(value[key])
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flatten(row: dict, prefix: str = "") -> dict[str, str]:
    """Nested objects become dotted columns; lists are joined with " | "."""
    flat: dict[str, str] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat[name] = LIST_SEPARATOR.join(_scalar(v) for v in value)
        else:
            flat[name] = _scalar(value)
    return flat


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if _is_error(renderer_context):
            return _render_error_as_json(data, renderer_context)
        rows = [flatten(r) for r in rows_of(data)]
        columns: dict[str, None] = {}
        for row in rows:
            columns.update(dict.fromkeys(row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().encode(self.charset)


def _point_of(row: dict) -> tuple[float, float] | None:
    for holder in (row, row.get("structure") if isinstance(row.get("structure"), dict) else None):
        if holder and holder.get("latitude") is not None and holder.get("longitude") is not None:
            return float(holder["longitude"]), float(holder["latitude"])
    return None


def feature_of(row: dict) -> dict:
    point = _point_of(row)
    return {
        "type": "Feature",
        "id": row.get("id"),
        "geometry": {"type": "Point", "coordinates": list(point)} if point else None,
        "properties": row,
    }


def feature_collection(rows, **members) -> dict:
    """A GeoJSON FeatureCollection; ``members`` are foreign members (count, licence...)."""
    return {"type": "FeatureCollection", **members, "features": [feature_of(r) for r in rows]}


class GeoJSONRenderer(BaseRenderer):
    """Points from the stored coordinates (WGS 84, [longitude, latitude]); none → null."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if _is_error(renderer_context):
            return _render_error_as_json(data, renderer_context)
        members = {}
        if isinstance(data, dict):
            if data.get("type") == "FeatureCollection":
                return json.dumps(data, ensure_ascii=False).encode()
            members = {
                k: v for k, v in data.items() if k not in ("results", "fallbacks", "features")
            }
        return json.dumps(feature_collection(rows_of(data), **members), ensure_ascii=False).encode()
