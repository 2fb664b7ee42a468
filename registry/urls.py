from django.contrib import admin
from django.urls import include, path, re_path

from core.api.views import api_not_found
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("registry.api_urls")),
    re_path(r"^api/", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]
