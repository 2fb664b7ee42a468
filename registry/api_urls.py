"""The ``/api/v1/`` URL space: each app contributes its ``api/urls.py``."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.api.views import ApiRootView

# What the API root (``/api/v1/``) lists: name → address relative to it ({…}: to replace).
# tests/api/test_contract.py checks that each one answers.
ENDPOINTS = {
    "relays": "relays/",
    "structures": "structures/",
    "structure": "structures/{id}/",
    "offers": "offers/",
    "offer": "offers/{id}/",
    "contacts": "contacts/",
    "contact": "contacts/{id}/",
    "services": "services/",
    "sectors": "sectors/",
    "countries": "countries/",
    "territories": "territories/",
    "territory": "territories/{level}/{code}/",
    "commune": "communes/{code}/",
    "postal_code": "postal-codes/{code}/",
    "smes": "smes/",
    "sme": "smes/{siret}/",
    "opendata_csv": "opendata/structures.csv",
    "opendata_geojson": "opendata/structures.geojson",
}
DOCUMENTATION = (("swagger", "api-docs"), ("redoc", "api-redoc"), ("schema", "api-schema"))

urlpatterns = [
    path(
        "",
        ApiRootView.as_view(
            endpoints=ENDPOINTS,
            documentation=DOCUMENTATION,
            version=settings.SPECTACULAR_SETTINGS["VERSION"],
        ),
        name="api-root",
    ),
    path("", include("territories.api.urls")),
    path("", include("structures.api.urls")),
    path("", include("smes.api.urls")),
    path("", include("web.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
