"""The open-data export of public structures (CSV and GeoJSON), with licence and attribution.

One flat row per published structure, built from ``values()`` in a handful of queries whatever
the size of the registry. The licence and the attribution travel in the response: HTTP headers
for both formats, a ``metadata`` member in GeoJSON, and the row's own ``source`` / ``licence``
columns.

Demo listings: ``structures.selectors.open_data_scope`` decides (by default, published only on a
demo install: not in production and no real published structure). Every row says what it is in
its ``is_demo`` column; when demo rows are in the file, the ``X-Demo-Data`` header and the
GeoJSON ``metadata`` (``demo``, ``notice``) say so, and when the demo rows of a demo install are
left out, the notice says why the file is empty. CSV cells are neutralised against formula
injection (``core.api.renderers.spreadsheet_safe``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import unicodedata
from collections import defaultdict
from typing import NamedTuple

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin
from core.api.renderers import feature_collection, spreadsheet_safe
from structures.fields import STRUCTURE_OPEN_DATA
from structures.models import Offer, Structure, StructureCoverage
from structures.selectors import OpenDataScope, open_data_scope, open_data_structures

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


def open_data_rows(scope: OpenDataScope | None = None) -> list[dict]:
    """The published structures of ``scope`` (by default the current rule) as flat rows."""
    structures = open_data_structures(scope or open_data_scope())
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


def open_data_notice(scope: OpenDataScope) -> str:
    """What a reader of the files must know about demo listings ("" when nothing)."""
    if scope.has_demo_rows and not scope.real_rows:
        return gettext(
            "Installation de démonstration : toutes les lignes sont des données fictives de "
            "démonstration (is_demo = true), pas des informations réelles sur ces structures."
        )
    if scope.has_demo_rows:
        return gettext(
            "Le fichier contient des fiches fictives de démonstration, signalées par "
            "is_demo = true ; les autres lignes sont des données réelles."
        )
    if scope.demo_rows and not scope.real_rows:
        return gettext(
            "Aucune structure réelle n'est publiée : les fiches de démonstration de cette "
            "installation sont exclues des données ouvertes (réglage OPEN_DATA_INCLUDE_DEMO)."
        )
    return ""


def _ascii(text: str) -> str:
    # HTTP header values must be latin-1: accents are folded, the full text is in the body.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _with_licence(
    response: HttpResponse, filename: str, scope: OpenDataScope, count: int
) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    response["X-Licence"] = LICENCE
    # Header values must be latin-1: the attribution is sent percent-free but ASCII-folded.
    response["X-Attribution"] = "Registre des structures de proximite a vocation internationale"
    response["X-Total-Count"] = str(count)
    response["X-Demo-Data"] = "true" if scope.has_demo_rows else "false"
    if notice := open_data_notice(scope):
        response["X-Data-Notice"] = _ascii(notice)
    return response


_DESCRIPTION = _(
    "Toutes les structures publiées, sous %(licence)s. Attribution : %(attribution)s. La "
    "licence est rappelée dans les en-têtes Link (rel=license) et X-Licence, et par ligne "
    "(colonnes source, licence). Fiches de démonstration : publiées seulement sur une "
    "installation de démonstration (hors production et sans aucune structure réelle publiée), "
    "ou selon le réglage OPEN_DATA_INCLUDE_DEMO ; chaque ligne le dit (colonne ou propriété "
    "is_demo), l'en-tête X-Demo-Data vaut true quand le fichier en contient, et l'avis "
    "(X-Data-Notice, metadata.notice en GeoJSON) dit que ces lignes sont fictives — ou "
    "pourquoi le fichier est vide. Nombre de lignes : en-tête X-Total-Count. En CSV, une "
    "cellule de texte commençant par =, +, - ou @ est précédée d'une apostrophe "
    "(protection contre l'injection de formules)."
) % {"licence": LICENCE, "attribution": ATTRIBUTION}


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(str(value))


@extend_schema(
    tags=["données ouvertes"],
    summary=_("Export CSV des structures publiques"),
    description=_DESCRIPTION,
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
)
class OpenDataCSVView(QueryContractMixin, APIView):
    def get(self, request):
        scope = open_data_scope()
        rows = open_data_rows(scope)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([_csv_value(row[name]) for name in COLUMNS] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        return _with_licence(response, "structures.csv", scope, len(rows))


@extend_schema(
    tags=["données ouvertes"],
    summary=_("Export GeoJSON des structures publiques"),
    description=_DESCRIPTION,
    responses={(200, "application/geo+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
)
class OpenDataGeoJSONView(QueryContractMixin, APIView):
    def get(self, request):
        scope = open_data_scope()
        rows = open_data_rows(scope)
        collection = feature_collection(
            rows,
            metadata={
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "attribution": ATTRIBUTION,
                "generated_at": timezone.now().isoformat(),
                "count": len(rows),
                "demo": scope.has_demo_rows,
                "notice": open_data_notice(scope),
            },
        )
        response = HttpResponse(
            json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
        )
        return _with_licence(response, "structures.geojson", scope, len(rows))
