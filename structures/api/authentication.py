"""Token authentication for agencies (``Authorization: Token <key>`` or ``Bearer <key>``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from structures.models.access import ApiToken, hash_key

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by an ``ApiToken``; ``request.auth`` is the token.

    A missing header leaves the request anonymous (public data stays readable); a wrong,
    inactive or expired key is a 401, never a silent downgrade to anonymous.
    """

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("En-tête Authorization invalide : attendu « Token <clé> ».")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Clé d'API invalide.")) from None
        token = (
            ApiToken.objects.usable().select_related("user").filter(key_hash=hash_key(key)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Clé d'API inconnue, inactive ou expirée."))
        token.touch()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "structures.api.authentication.ApiTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _(
                    "Jeton d'agence, délivré par un administrateur du registre : "
                    "« Authorization: Token <clé> »."
                )
            ),
        }
