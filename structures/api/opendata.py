"""The open-data export of public structures (CSV and GeoJSON), with licence and attribution.

One flat row per published structure (demo listings excluded), built from ``values()`` in a
handful of queries whatever the size of the registry. The licence and the attribution travel in
the response: HTTP headers for both formats, a ``metadata`` member in GeoJSON, and the row's own
``source`` / ``licence`` columns.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections import defaultdict
from typing import NamedTuple

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin
from core.api.renderers import feature_collection
from structures.fields import STRUCTURE_OPEN_DATA
from structures.models import Offer, Structure, StructureCoverage

LICENCE = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ATTRIBUTION = (
    "Registre des structures de proximité à vocation internationale — contributeurs du "
    "registre et sources citées par fiche (colonne source)"
)


def _services(ids) -> dict[int, list[str]]:
    services: dict[int, list[str]] = defaultdict(list)
    for structure_id, code in (
        Offer.objects.active()
        .filter(structure__in=ids)
        .order_by("structure_id", "service__position", "service__code")
        .values_list("structure_id", "service__code")
    ):
        services[structure_id].append(code)
    return services


def _coverage(ids) -> dict[int, list[str]]:
    coverage: dict[int, list[str]] = defaultdict(list)
    for structure_id, level, code in (
        StructureCoverage.objects.filter(structure__in=ids)
        .order_by("structure_id", "territory__rank", "territory__code")
        .values_list("structure_id", "territory__level", "territory__code")
    ):
        coverage[structure_id].append(f"{level}:{code}")
    return coverage


# A relation shows as the columns of its codes: (column, lookup) pairs.
_RELATED = {
    "parent": (("parent_slug", "parent__slug"),),
    "commune": (("commune_code", "commune__code"), ("commune_name", "commune__name")),
    "country": (("country_code", "country__code"),),
}
# A many-valued relation is one column of codes joined with " | ", loaded apart.
_LISTED = {"offers": ("services", _services), "coverage": ("coverage", _coverage)}
# A structure without its own licence is published under the registry's.
_DEFAULTS = {"licence": LICENCE}


class _Column(NamedTuple):
    name: str
    field: str
    lookup: str | None  # in ``values()``; None for a listed relation
    empty: object  # written for a missing value


def _columns() -> list[_Column]:
    """The columns of ``STRUCTURE_OPEN_DATA``, in its order."""
    columns = []
    for name in STRUCTURE_OPEN_DATA:
        field = Structure._meta.get_field(name)
        if name in _LISTED:
            columns.append(_Column(_LISTED[name][0], name, None, ""))
        elif field.is_relation:
            columns += [_Column(column, name, lookup, "") for column, lookup in _RELATED[name]]
        else:
            # A missing text or date is blank; a missing number stays null (GeoJSON).
            blank = isinstance(field, models.CharField | models.TextField | models.DateField)
            columns.append(_Column(name, name, name, _DEFAULTS.get(name, "" if blank else None)))
    return columns


_COLUMNS = _columns()
COLUMNS = [column.name for column in _COLUMNS]


def _cell(column: _Column, value):
    if value is None or value == "":
        return column.empty
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def open_data_rows() -> list[dict]:
    """Published, non-demo structures as flat rows (codes joined with " | ")."""
    structures = Structure.objects.published().filter(is_demo=False)
    lookups = [column.lookup for column in _COLUMNS if column.lookup]
    rows = structures.order_by("pk").values("pk", *lookups)
    ids = structures.values("pk")
    listed = {c.field: _LISTED[c.field][1](ids) for c in _COLUMNS if c.lookup is None}
    return [
        {
            column.name: " | ".join(listed[column.field].get(row["pk"], []))
            if column.lookup is None
            else _cell(column, row[column.lookup])
            for column in _COLUMNS
        }
        for row in rows
    ]


def _with_licence(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    response["X-Licence"] = LICENCE
    # Header values must be latin-1: the attribution is sent percent-free but ASCII-folded.
    response["X-Attribution"] = "Registre des structures de proximite a vocation internationale"
    return response


_DESCRIPTION = _(
    "Toutes les structures publiées (hors fiches de démonstration), sous %(licence)s. "
    "Attribution : %(attribution)s. La licence est rappelée dans les en-têtes Link "
    "(rel=license) et X-Licence, et par ligne (colonnes source, licence)."
) % {"licence": LICENCE, "attribution": ATTRIBUTION}


@extend_schema(
    tags=["données ouvertes"],
    summary=_("Export CSV des structures publiques"),
    description=_DESCRIPTION,
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
)
class OpenDataCSVView(QueryContractMixin, APIView):
    def get(self, request):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(open_data_rows())
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        return _with_licence(response, "structures.csv")


@extend_schema(
    tags=["données ouvertes"],
    summary=_("Export GeoJSON des structures publiques"),
    description=_DESCRIPTION,
    responses={(200, "application/geo+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
)
class OpenDataGeoJSONView(QueryContractMixin, APIView):
    def get(self, request):
        collection = feature_collection(
            open_data_rows(),
            metadata={
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "attribution": ATTRIBUTION,
                "generated_at": timezone.now().isoformat(),
            },
        )
        response = HttpResponse(
            json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
        )
        return _with_licence(response, "structures.geojson")
