"""Whole-set CSV and GeoJSON exports of a list endpoint, streamed.

``?format=csv`` and ``?format=geojson`` (or the matching ``Accept``) on a list view that uses
``StreamedExportMixin`` answer with every row of the filtered set, not one page: the queryset
the JSON list would page through (same visibility, same filters, same order) is read with
``iterator(chunk_size=…)``, serialized one chunk at a time and written to a
``StreamingHttpResponse``, so memory stays bounded by the chunk whatever the size of the set.
The row count is sent first, in ``X-Total-Count`` (and the GeoJSON ``count`` member), with a
``Content-Disposition`` file name. ``page`` and ``page_size`` do not apply to these formats;
JSON keeps its pagination. A bad filter is still a JSON 400: the queryset is filtered (and
counted) before the response starts.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

from core.api.renderers import csv_columns, stream_csv, stream_feature_collection

STREAMED_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "geojson": ("application/geo+json", "geojson"),
}


class StreamedExportMixin:
    """Streams the whole filtered list for the tabular formats (see the module docstring).

    ``export_filename`` is the file name without its extension.
    """

    export_filename = "export"
    export_chunk_size = 500

    def list(self, request, *args, **kwargs):
        export_format = getattr(getattr(request, "accepted_renderer", None), "format", None)
        if export_format not in STREAMED_FORMATS:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        count = queryset.count()
        batches = self._serialized_batches(queryset)
        if export_format == "csv":
            body = stream_csv(csv_columns(self.get_serializer()), batches)
        else:
            body = stream_feature_collection(batches, count=count)
        content_type, extension = STREAMED_FORMATS[export_format]
        response = StreamingHttpResponse(body, content_type=content_type)
        response["X-Total-Count"] = str(count)
        response["Content-Disposition"] = (
            f'attachment; filename="{self.export_filename}.{extension}"'
        )
        return response

    def _serialized_batches(self, queryset) -> Iterator[list[dict]]:
        # ``iterator`` runs the prefetches of each chunk (Django ≥ 4.1) and, on PostgreSQL,
        # reads through a server-side cursor: one chunk of model instances in memory at a time.
        size = self.export_chunk_size
        batch = []
        for obj in queryset.iterator(chunk_size=size):
            batch.append(obj)
            if len(batch) == size:
                yield self.get_serializer(batch, many=True).data
                batch = []
        if batch:
            yield self.get_serializer(batch, many=True).data


# The documentation of a streamed GeoJSON export: one collection, not a page (no docstring: it
# would become the component's description in the French API documentation).
@extend_schema_serializer(many=False)
class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    count = serializers.IntegerField(help_text=_("Nombre d'entités (comme X-Total-Count)."))
    features = serializers.ListField(
        child=serializers.DictField(),
        help_text=_("Une entité Point par ligne (géométrie null sans coordonnées)."),
    )


def streamed_list_schema(serializer_class) -> dict:
    """``extend_schema`` arguments of a list with ``StreamedExportMixin``: a page in JSON, the
    whole set in CSV and GeoJSON, and the ``X-Total-Count`` header."""
    return {
        "responses": {
            (200, "application/json"): serializer_class,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("Tout l'ensemble filtré, une ligne par objet.")
            ),
            (200, "application/geo+json"): OpenApiResponse(
                FeatureCollectionSerializer,
                description=_("Tout l'ensemble filtré, une entité par objet."),
            ),
        },
        "parameters": [
            OpenApiParameter(
                "X-Total-Count",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[200],
                description=_("Nombre de lignes de l'export (formats csv et geojson)."),
            )
        ],
    }
