from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from core.api.views import api_not_found
from core.views import healthz

# The admin is the registry's back office: its name, never "Administration de Django".
admin.site.site_header = _("Registre des relais export — espace de gestion")
admin.site.site_title = _("Registre des relais export")
admin.site.index_title = _("Gestion des fiches")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("registry.api_urls")),
    re_path(r"^api/", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]
