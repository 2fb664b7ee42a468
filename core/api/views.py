from django.http import JsonResponse
from django.utils.translation import gettext as _


def api_not_found(request, exception=None):
    """JSON 404 for unknown API paths (Django's default would be an HTML page)."""
    return JsonResponse(
        {
            "detail": _("Adresse inconnue dans l'API : %(path)s") % {"path": request.path},
            "code": "not_found",
        },
        status=404,
    )
