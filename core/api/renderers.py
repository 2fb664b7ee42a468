"""CSV and GeoJSON renderings of list payloads (``?format=csv`` / ``?format=geojson``).

Both accept what a list view returns: a page (``{"count", "next", "previous", "results"}``), a
plain list of objects, or a dict with ``results`` (and ``fallbacks``, for the relay lookup).
Errors are always JSON, whatever the format asked for: a program reading CSV gets a JSON body
with a clear message and a 4xx status instead of a broken table.

Lists of the registry's own rows (structures, SMEs) do not go through these renderers for CSV
and GeoJSON: ``core.api.streaming`` streams the whole filtered set with the same cell rules
(``csv_columns``, ``csv_cells``, ``feature_of``).

**CSV injection.** A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab or carriage return, which some of them skip first) as a formula: a structure named
``=HYPERLINK(...)`` would become a live link, or worse, in the file a reuser opens. Every text
cell that starts with one of them is written with a leading ``'`` (OWASP, "CSV Injection"),
except a cell that is a plain number literal (``-1.5``, ``+33467000000``): digits with a sign
and a decimal point cannot call a function or a reference, so escaping them would only corrupt
negative coordinates and international phone numbers for every program reading the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

LIST_SEPARATOR = " | "
# What spreadsheets read as the start of a formula (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A signed decimal (or scientific) number: inert in every spreadsheet.
_NUMBER_LITERAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_TRIGGERS) and not _NUMBER_LITERAL.fullmatch(text):
        return "'" + text
    return text


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
        return json.dumps(value, ensure_ascii=False, cls=JSONEncoder)
    return str(value)


def _cell(value) -> str:
    """One CSV cell: lists joined with " | ", objects by their code, formulas neutralised."""
    if isinstance(value, list | tuple):
        text = LIST_SEPARATOR.join(_scalar(v) for v in value)
    else:
        text = _scalar(value)
    return spreadsheet_safe(text)


def flatten(row: dict, prefix: str = "") -> dict[str, str]:
    """Nested objects become dotted columns; lists are joined with " | "."""
    flat: dict[str, str] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = _cell(value)
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


# --- Streamed lists: columns known before the first row -------------------------------------------

Column = tuple[str, tuple[str, ...]]  # (header, path of keys in the serialized row)


def csv_columns(serializer: serializers.Serializer, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The columns of ``serializer``'s rows, read from its fields (not from the data).

    A nested object becomes dotted columns (``commune.code``) even when it is null in the first
    rows, so that the header can be written before any row is read; a list is one column.
    """
    columns: list[Column] = []
    for name, field in serializer.fields.items():
        path = (*prefix, name)
        if isinstance(field, serializers.Serializer):
            columns += csv_columns(field, path)
        else:
            columns.append((".".join(path), path))
    return columns


def csv_cells(row: dict, columns: list[Column]) -> list[str]:
    """The cells of one serialized row, in the order of ``columns``."""
    cells = []
    for _header, path in columns:
        value = row
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        cells.append(_cell(value))
    return cells


def stream_csv(columns: list[Column], batches: Iterable[list[dict]]) -> Iterator[bytes]:
    """The header, then one UTF-8 chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for header, _path in columns])
    for batch in batches:
        writer.writerows(csv_cells(row, columns) for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # an empty set: the header alone
        yield buffer.getvalue().encode("utf-8")


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


def stream_feature_collection(batches: Iterable[list[dict]], **members) -> Iterator[bytes]:
    """``feature_collection`` written piece by piece: the members, then one chunk per batch."""
    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False, cls=JSONEncoder)
    yield (head[:-1] + ', "features": [').encode()
    separator = ""
    for batch in batches:
        features = ", ".join(
            json.dumps(feature_of(row), ensure_ascii=False, cls=JSONEncoder) for row in batch
        )
        if features:
            yield (separator + features).encode()
            separator = ", "
    yield b"]}"


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
