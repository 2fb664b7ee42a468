from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.contract import QueryContractMixin


# No CSRF check: whatever the method, an unknown API address is a JSON 404, not an HTML 403.
@csrf_exempt
def api_not_found(request, exception=None):
    """JSON 404 for unknown API paths (Django's default would be an HTML page)."""
    return JsonResponse(
        {
            "detail": _("Adresse inconnue dans l'API : %(path)s") % {"path": request.path},
            "code": "not_found",
        },
        status=404,
    )


class ApiRootSerializer(serializers.Serializer):
    version = serializers.CharField()
    endpoints = serializers.DictField(
        child=serializers.CharField(),
        help_text=gettext_lazy("Nom → adresse absolue ; {code}, {id}… sont à remplacer."),
    )
    documentation = serializers.DictField(child=serializers.CharField())


class ApiRootView(QueryContractMixin, APIView):
    """The entry point: every endpoint and the documentation, as absolute URLs.

    ``endpoints`` maps a name to an address relative to the root (``"structures/{id}/"``:
    placeholders in braces, kept as such); ``documentation`` maps a name to a URL name. Given
    by the URL configuration, which alone knows the apps.
    """

    endpoints: dict[str, str] = {}
    documentation: tuple[tuple[str, str], ...] = ()
    version = ""

    @extend_schema(
        tags=["api"],
        summary=gettext_lazy("Racine de l'API : points d'entrée et documentation"),
        responses=ApiRootSerializer,
    )
    def get(self, request):
        # Concatenated, not passed to build_absolute_uri(), which would escape the braces.
        root = request.build_absolute_uri(request.path)
        return Response(
            {
                "version": self.version,
                "endpoints": {name: root + relative for name, relative in self.endpoints.items()},
                "documentation": {
                    name: request.build_absolute_uri(reverse(url_name))
                    for name, url_name in self.documentation
                },
            }
        )
