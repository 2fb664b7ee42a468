"""OpenAPI post-processing: the error shape, documented once for every operation.

Every error of the API is ``{"detail", "code", "errors"?}`` (core.api.exceptions); this hook
adds the ``Erreur`` component and the error statuses an operation can answer, so that clients
(and the schema fuzz test) know them.
"""

from __future__ import annotations

ERROR_COMPONENT = {
    "type": "object",
    "description": "Toute erreur de l'API : un message en français, un code machine, le détail "
    "par champ pour les erreurs de validation.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Champ → messages (erreurs de validation).",
        },
        "candidates": {
            "type": "array",
            "items": {"type": "object"},
            "description": "Les choix possibles d'une valeur ambiguë : communes d'un code postal "
            "partagé, territoires d'un code partagé (region:76, departement:76).",
        },
        "accepted": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Paramètre inconnu : les paramètres que ce point d'entrée accepte.",
        },
    },
    "required": ["detail", "code"],
}

_DESCRIPTIONS = {
    "400": "Requête invalide (détail par champ).",
    "401": "Jeton invalide, inactif ou expiré ; ou authentification requise.",
    "403": "Accès refusé (droits, périmètre du jeton).",
    "404": "Ressource inconnue.",
    "405": "Méthode non permise.",
    "406": "Format de réponse non disponible.",
    "412": "ETag périmé.",
    "415": "Type de contenu non pris en charge.",
    "428": "En-tête If-Match manquant.",
    "429": "Trop de requêtes : réessayer plus tard.",
}
_READ = ("400", "401", "403", "404", "405", "406", "429")
_WRITE = ("400", "401", "403", "404", "405", "406", "412", "415", "428", "429")
_ERROR_REF = {"$ref": "#/components/schemas/Erreur"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Erreur"] = ERROR_COMPONENT
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = _READ if method in ("get", "head") else _WRITE
            for status in statuses:
                response = operation["responses"].setdefault(
                    status, {"description": _DESCRIPTIONS[status]}
                )
                response.setdefault("content", {"application/json": {"schema": _ERROR_REF}})
    return result
