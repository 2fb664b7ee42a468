"""A registered firm as the starting point of a relay lookup, under one visibility rule.

The search page and the API both ask ``resolve_relay_query``; the engine never sees an SME,
a SIRET or a request. A SIRET names a registered establishment; what the lookup may use of it
depends on the caller (``smes.access.may_read_sme``):

- a caller who may read the SME's registry record gets its own point (when known) and its
  whole profile: size, age, NAF code, memberships, export stage;
- anyone else gets what SIRENE publishes for every establishment — its commune and its NAF
  code — and nothing else: distances from the commune's centre, no membership, no size.

An unregistered SIRET is an error either way (the registry does not query SIRENE).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smes.access import may_read_sme
from smes.models import SME
from smes.validators import normalize_identifier
from structures.permissions import Caller
from structures.relay.location import locate
from structures.relay.query import RelayQuery, RelayRequest, resolve_query
from structures.relay.types import EligibilityProfile, KnownFirm, RelayQueryError

# Said with the results, so that nobody wonders why distances are approximate, or why the
# firm's memberships do (or do not) count.
PUBLIC_NOTE = gettext_lazy(
    "Établissement du registre : recherche depuis sa commune et avec son code NAF, ses seules "
    "données publiques (SIRENE)."
)
PROFILE_NOTE = gettext_lazy(
    "Établissement du registre : recherche depuis sa localisation, avec son profil (effectif, "
    "ancienneté, adhésions, expérience export)."
)


def _registered(siret: str) -> SME:
    digits = normalize_identifier(siret)
    sme = None
    if digits.isascii() and digits.isdigit():
        sme = SME.objects.select_related("commune").filter(siret=digits).first()
    if sme is None:
        raise RelayQueryError.of(
            "unknown_sme",
            _("Aucune entreprise du registre n'a le SIRET %(siret)s.") % {"siret": siret},
            field="siret",
        )
    if sme.commune is None:
        raise RelayQueryError.of(
            "unknown_commune",
            _("La commune de l'entreprise %(name)s n'est pas renseignée.") % {"name": sme.name},
            field="siret",
        )
    return sme


def known_firm(*, caller: Caller, siret: str) -> KnownFirm:
    """What the lookup may use of the registered firm ``siret``, for this caller."""
    sme = _registered(siret)
    naf_code = sme.naf_code or None
    if not may_read_sme(caller, sme):
        return KnownFirm(
            location=locate(sme.commune, note=str(PUBLIC_NOTE)),
            profile=EligibilityProfile(naf_code=naf_code),
            naf_code=naf_code,
        )
    return KnownFirm(
        location=locate(
            sme.commune, latitude=sme.latitude, longitude=sme.longitude, note=str(PROFILE_NOTE)
        ),
        profile=EligibilityProfile(
            employees=sme.employee_floor,
            created_on=sme.created_on,
            naf_code=naf_code,
            member_of=frozenset(sme.memberships.values_list("structure_id", flat=True)),
            export_stage=sme.export_stage or None,
        ),
        naf_code=naf_code,
    )


def resolve_relay_query(*, caller: Caller, request: RelayRequest, siret: str = "") -> RelayQuery:
    """The one resolver of the relay lookup's input, for pages and API alike.

    With ``siret`` the firm's location and profile (as this caller may see them) replace the
    request's location; otherwise the request is resolved as given. Raises ``RelayQueryError``.
    """
    firm = known_firm(caller=caller, siret=siret) if siret else None
    return resolve_query(request, firm=firm)
