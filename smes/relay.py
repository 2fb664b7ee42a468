"""A SIRET as the starting point of a relay lookup, under one visibility rule.

The search page and the API both ask ``resolve_relay_query``; the engine never sees an SME,
a SIRET or a request. A SIRET names an establishment; what the lookup may use of it depends on
who holds it and on the caller (``smes.access.may_read_sme``):

- a registered firm, for a caller who may read the SME's registry record: its own point (when
  known) and its whole profile — size, age, NAF code, memberships, export stage;
- a registered firm, for anyone else: what SIRENE publishes for every establishment — its
  commune and its NAF code — and nothing else: distances from the commune's centre, no
  membership, no size;
- any other establishment: the same public answer, with the commune and NAF code read from
  SIRENE itself (``smes.sirene``, the API Recherche d'entreprises). A SIRET SIRENE does not know,
  a closed establishment or a service that does not answer is an error asking for the commune.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smes.access import may_read_sme
from smes.models import SME
from smes.sirene import SireneClient, SireneEstablishment, SireneUnavailable, sirene_client
from smes.validators import clean_naf, clean_siret
from structures.permissions import Caller
from structures.relay.location import check_single_location, locate, resolve_location
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
SIRENE_NOTE = gettext_lazy(
    "Établissement hors registre : recherche depuis sa commune et avec son code NAF "
    "%(naf)s, lus dans SIRENE (API Recherche d'entreprises)."
)
# A code that is no NAF rév. 2 code (an old NAF rév. 1 code, a newer nomenclature) would make
# the lookup fail on a sector the firm never typed: it is left out, and the note says so.
SIRENE_NO_NAF_NOTE = gettext_lazy(
    "Établissement hors registre : recherche depuis sa commune, lue dans SIRENE (API Recherche "
    "d'entreprises), pour tous les secteurs (pas de code NAF rév. 2 publié)."
)

# Error codes of a SIRET (field "siret"); docs/relay.md §1 says when each is raised.
INVALID_SIRET = "invalid_siret"
UNKNOWN_SME = "unknown_sme"  # not registered, and the SIRENE lookup is switched off
UNKNOWN_SIRET = "unknown_siret"  # neither registered nor known to SIRENE
CLOSED_ESTABLISHMENT = "closed_establishment"
SIRENE_NO_COMMUNE = "sirene_no_commune"
SIRENE_UNAVAILABLE = "sirene_unavailable"


def _checked(siret: str) -> str:
    # The checksum first: a mistyped SIRET never costs a query, nor a call to SIRENE.
    try:
        return clean_siret(siret)
    except ValidationError as error:
        raise RelayQueryError.of(INVALID_SIRET, error.messages[0], field="siret") from None


def _registered(siret: str) -> SME | None:
    sme = SME.objects.select_related("commune").filter(siret=siret).first()
    if sme is not None and sme.commune is None:
        raise RelayQueryError.of(
            "unknown_commune",
            _("La commune de l'entreprise %(name)s n'est pas renseignée.") % {"name": sme.name},
            field="siret",
        )
    return sme


def _registered_firm(*, caller: Caller, sme: SME) -> KnownFirm:
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


def _usable_naf(code: str) -> str | None:
    try:
        return clean_naf(code) if code else None
    except ValidationError:
        return None


def _closed_message(siret: str, establishment: SireneEstablishment) -> str:
    closed_on = parse_date(establishment.closed_on) if establishment.closed_on else None
    if closed_on is not None:
        return _(
            "L'établissement %(siret)s est fermé depuis le %(date)s selon SIRENE : indiquez le "
            "SIRET de l'établissement en activité, ou la commune de l'entreprise."
        ) % {"siret": siret, "date": date_format(closed_on, "j F Y")}
    return _(
        "L'établissement %(siret)s est fermé selon SIRENE : indiquez le SIRET de "
        "l'établissement en activité, ou la commune de l'entreprise."
    ) % {"siret": siret}


def _sirene_establishment(siret: str, client: SireneClient) -> SireneEstablishment:
    if not client.enabled:
        raise RelayQueryError.of(
            UNKNOWN_SME,
            _("Aucune entreprise du registre n'a le SIRET %(siret)s : indiquez sa commune.")
            % {"siret": siret},
            field="siret",
        )
    try:
        establishment = client.establishment(siret)
    except SireneUnavailable:
        raise RelayQueryError.of(
            SIRENE_UNAVAILABLE,
            _(
                "Le répertoire SIRENE ne répond pas pour le moment : impossible de situer "
                "l'établissement %(siret)s. Indiquez plutôt la commune de l'entreprise (ou son "
                "code postal)."
            )
            % {"siret": siret},
            field="siret",
        ) from None
    if establishment is None:
        raise RelayQueryError.of(
            UNKNOWN_SIRET,
            _(
                "Le SIRET %(siret)s n'est ni dans le registre ni dans SIRENE (qui ne diffuse pas "
                "certains établissements) : vérifiez-le, ou indiquez la commune de l'entreprise."
            )
            % {"siret": siret},
            field="siret",
        )
    if not establishment.is_open:
        raise RelayQueryError.of(
            CLOSED_ESTABLISHMENT, _closed_message(siret, establishment), field="siret"
        )
    if establishment.country:
        raise RelayQueryError.of(
            "outside_france",
            _(
                "L'établissement %(siret)s est situé à l'étranger (%(country)s) selon SIRENE : "
                "le registre cherche des relais pour une entreprise située en France."
            )
            % {"siret": siret, "country": establishment.country},
            field="siret",
        )
    if not establishment.commune:
        raise RelayQueryError.of(
            SIRENE_NO_COMMUNE,
            _(
                "SIRENE ne diffuse pas la commune de l'établissement %(siret)s : indiquez la "
                "commune de l'entreprise."
            )
            % {"siret": siret},
            field="siret",
        )
    return establishment


def _sirene_firm(siret: str, client: SireneClient) -> KnownFirm:
    """The public answer of a registered firm, built from SIRENE's record of ``siret``."""
    establishment = _sirene_establishment(siret, client)
    try:
        location = resolve_location(commune=establishment.commune)
    except RelayQueryError:
        raise RelayQueryError.of(
            "unknown_commune",
            _(
                "SIRENE situe l'établissement %(siret)s dans la commune %(code)s, que le "
                "référentiel des territoires ne connaît pas : indiquez la commune de l'entreprise."
            )
            % {"siret": siret, "code": establishment.commune},
            field="siret",
        ) from None
    naf_code = _usable_naf(establishment.naf_code)
    note = str(SIRENE_NOTE) % {"naf": naf_code} if naf_code else str(SIRENE_NO_NAF_NOTE)
    if location.note:  # an old commune code SIRENE still gave, resolved: both are said
        note = f"{note} {location.note}"
    return KnownFirm(
        location=dataclasses.replace(location, note=note),
        profile=EligibilityProfile(naf_code=naf_code),
        naf_code=naf_code,
    )


def known_firm(*, caller: Caller, siret: str, sirene: SireneClient | None = None) -> KnownFirm:
    """What the lookup may use of the establishment ``siret``, for this caller.

    A registered firm answers from the registry under the visibility rule, without calling
    SIRENE; any other SIRET is read from SIRENE (``sirene``, by default the client configured by
    settings) and gives its public answer. Raises ``RelayQueryError``.
    """
    digits = _checked(siret)
    sme = _registered(digits)
    if sme is not None:
        return _registered_firm(caller=caller, sme=sme)
    return _sirene_firm(digits, sirene if sirene is not None else sirene_client())


def resolve_relay_query(
    *,
    caller: Caller,
    request: RelayRequest,
    siret: str = "",
    sirene: SireneClient | None = None,
) -> RelayQuery:
    """The one resolver of the relay lookup's input, for pages and API alike.

    With ``siret`` the firm's location and profile (as this caller may see them) are used (a
    request that also gives a commune, postal code or point is refused: they may disagree);
    otherwise the request is resolved as given. Raises ``RelayQueryError``.
    """
    if siret:
        check_single_location(
            siret=siret,
            commune=request.commune,
            postal_code=request.postal_code,
            latitude=request.latitude,
            longitude=request.longitude,
        )
    firm = known_firm(caller=caller, siret=siret, sirene=sirene) if siret else None
    return resolve_query(request, firm=firm)
