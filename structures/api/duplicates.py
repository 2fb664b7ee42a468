"""Possible duplicates on the API's create path: a 409 with the candidates, unless confirmed.

A client creating a structure that may already be listed (``structures.duplicates``) gets
``409 Conflict`` with the candidates and why; it sends the same body again with
``"confirm_not_duplicate": true`` once it has checked that none is the same body.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status

from structures.api.inputs import StructureInputSerializer
from structures.duplicates import Candidate, Probe, duplicate_candidates


class StructureCreateInputSerializer(StructureInputSerializer):
    confirm_not_duplicate = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text=gettext_lazy(
            "Vrai pour créer la fiche malgré des doublons possibles (réponse 409) que vous avez "
            "vérifiés."
        ),
    )

    class Meta(StructureInputSerializer.Meta):
        fields = [*StructureInputSerializer.Meta.fields, "confirm_not_duplicate"]


class PossibleDuplicates(exceptions.APIException):
    """409 with its own body (``core.api.exceptions`` returns ``payload`` as is)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "possible_duplicates"

    def __init__(self, candidates: list[Candidate], request) -> None:
        message = _(
            "Des fiches existantes pourraient être la même structure : vérifiez-les, puis "
            "renvoyez la demande avec confirm_not_duplicate=true si aucune ne l'est."
        )
        super().__init__(message)
        self.payload = {
            "detail": message,
            "code": self.default_code,
            "candidates": [
                {
                    "id": c.structure.pk,
                    "slug": c.structure.slug,
                    "name": c.structure.name,
                    "url": request.build_absolute_uri(f"/api/v1/structures/{c.structure.pk}/"),
                    "reasons": list(c.reasons),
                }
                for c in candidates
            ],
        }


CONFLICT_RESPONSE = OpenApiResponse(
    description=gettext_lazy(
        "Doublons possibles (nom très proche à proximité, même téléphone ou courriel) : "
        "renvoyer avec confirm_not_duplicate=true après vérification."
    ),
    response=inline_serializer(
        "PossibleDuplicates",
        {
            "detail": serializers.CharField(),
            "code": serializers.CharField(),
            "candidates": serializers.ListField(
                child=inline_serializer(
                    "DuplicateCandidate",
                    {
                        "id": serializers.IntegerField(),
                        "slug": serializers.CharField(),
                        "name": serializers.CharField(),
                        "url": serializers.URLField(),
                        "reasons": serializers.ListField(child=serializers.CharField()),
                    },
                )
            ),
        },
    ),
)


def refuse_possible_duplicates(validated: dict, request) -> None:
    """Take ``confirm_not_duplicate`` out of ``validated``; raise the 409 when it is needed."""
    confirmed = validated.pop("confirm_not_duplicate", False)
    if confirmed:
        return
    candidates = duplicate_candidates(Probe.from_values(validated))
    if candidates:
        raise PossibleDuplicates(candidates, request)
