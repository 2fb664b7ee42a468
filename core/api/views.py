from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


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
