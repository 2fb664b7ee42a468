"""The ``/api/v1/`` URL space: each app contributes its ``api/urls.py``."""

from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from core.api.views import ApiRootView

# The documentation pages under the site's Content-Security-Policy (settings): Swagger UI's
# initialisation script is a file of its own (the "split" view), and both pages use templates
# without inline script or style (templates/api_docs/). ReDoc builds its styles at run time: its
# page allows the <style> elements that carry the response's nonce (static/js/redoc-init.js hands
# it to ReDoc), the two that its bundle creates before it reads the nonce (by hash: an empty one
# and its base style sheet, for drf-spectacular-sidecar 2026.10.1 — a new version changes the
# second, and tests/browser/test_csp.py then fails with the new hash), and a blob: worker that
# builds its search index. Its "API docs by Redocly" logo on cdn.redoc.ly stays blocked: no page
# of the registry makes the visitor's browser call a third party (ReDoc hides the image).
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]
redoc_view = csp_update({"style-src": [NONCE, *REDOC_STYLE_HASHES], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="api_docs/redoc.html")
)


# What the API root (``/api/v1/``) lists: name → address relative to it ({…}: to replace).
# tests/api/test_contract.py checks that each one answers.
ENDPOINTS = {
    "relays": "relays/",
    "coverage": "coverage/",
    "unmet_searches": "unmet-searches/",
    "structures": "structures/",
    "structure": "structures/{id}/",
    "offers": "offers/",
    "offer": "offers/{id}/",
    "contacts": "contacts/",
    "contact": "contacts/{id}/",
    "services": "services/",
    "sectors": "sectors/",
    "countries": "countries/",
    "programmes": "programmes/",
    "programme": "programmes/{slug}/",
    "programme_entry_points": "programmes/{slug}/entry-points/",
    "territories": "territories/",
    "territory": "territories/{level}/{code}/",
    "territory_dimensions": "territories/{level}/{code}/dimensions/",
    "territorial_events": "territorial-events/",
    "territorial_priorities": "territorial-priorities/",
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
    path("", include("insights.api.urls")),
    path("", include("web.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api_docs/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("redoc/", redoc_view, name="api-redoc"),
]
