"""The open-data export of public structures (CSV and GeoJSON), with licence and attribution.

One flat row per published structure (demo listings excluded), built from ``values()`` in a
handful of queries whatever the size of the registry. The licence and the attribution travel in
the response: HTTP headers for both formats, a ``metadata`` member in GeoJSON, and the row's own
``source`` / ``licence`` columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.api.renderers import feature_collection
from structures.models import Offer, Structure, StructureCoverage

LICENCE = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ATTRIBUTION = (
    "Registre des structures de proximité à vocation internationale — contributeurs du "
    "registre et sources citées par fiche (colonne source)"
)
COLUMNS = [
    "id",
    "slug",
    "name",
    "acronym",
    "kind",
    "parent_slug",
    "address_line",
    "postal_code",
    "commune_code",
    "commune_name",
    "country_code",
    "latitude",
    "longitude",
    "coordinate_precision",
    "phone",
    "email",
    "website",
    "opening_hours",
    "services",
    "coverage",
    "verified_at",
    "updated_at",
    "source",
    "source_url",
    "licence",
]


def open_data_rows() -> list[dict]:
    """Published, non-demo structures as flat rows (codes joined with " | ")."""
    structures = Structure.objects.published().filter(is_demo=False)
    rows = list(
        structures.order_by("pk").values(
            "id",
            "slug",
            "name",
            "acronym",
            "kind",
            "parent__slug",
            "address_line",
            "postal_code",
            "commune__code",
            "commune__name",
            "country__code",
            "latitude",
            "longitude",
            "coordinate_precision",
            "phone",
            "email",
            "website",
            "opening_hours",
            "verified_at",
            "updated_at",
            "source",
            "source_url",
            "licence",
        )
    )
    ids = structures.values("pk")
    services: dict[int, list[str]] = defaultdict(list)
    for structure_id, code in (
        Offer.objects.active()
        .filter(structure__in=ids)
        .order_by("structure_id", "service__position", "service__code")
        .values_list("structure_id", "service__code")
    ):
        services[structure_id].append(code)
    coverage: dict[int, list[str]] = defaultdict(list)
    for structure_id, level, code in (
        StructureCoverage.objects.filter(structure__in=ids)
        .order_by("structure_id", "territory__rank", "territory__code")
        .values_list("structure_id", "territory__level", "territory__code")
    ):
        coverage[structure_id].append(f"{level}:{code}")
    result = []
    for row in rows:
        flat = {
            "id": row["id"],
            "slug": row["slug"],
            "name": row["name"],
            "acronym": row["acronym"],
            "kind": row["kind"],
            "parent_slug": row["parent__slug"] or "",
            "address_line": row["address_line"],
            "postal_code": row["postal_code"],
            "commune_code": row["commune__code"] or "",
            "commune_name": row["commune__name"] or "",
            "country_code": row["country__code"] or "",
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "coordinate_precision": row["coordinate_precision"],
            "phone": row["phone"],
            "email": row["email"],
            "website": row["website"],
            "opening_hours": row["opening_hours"],
            "services": " | ".join(services.get(row["id"], [])),
            "coverage": " | ".join(coverage.get(row["id"], [])),
            "verified_at": row["verified_at"].isoformat() if row["verified_at"] else "",
            "updated_at": row["updated_at"].isoformat() if row["updated_at"] else "",
            "source": row["source"],
            "source_url": row["source_url"],
            "licence": row["licence"] or LICENCE,
        }
        result.append(flat)
    return result


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
class OpenDataCSVView(APIView):
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
class OpenDataGeoJSONView(APIView):
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
