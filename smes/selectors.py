"""Reads on SMEs. SME data is private: every read starts from ``smes.access.visible_smes``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from smes.access import visible_smes
from smes.models import SME
from smes.validators import normalize_identifier
from structures.permissions import Caller
from territories.enums import TerritoryLevel
from territories.models import Territory


def smes_visible_to(*, caller: Caller) -> QuerySet:
    """The SMEs ``caller`` may read, with what their representation shows."""
    return (
        visible_smes(caller)
        .select_related("commune", "sector")
        .prefetch_related("target_markets", "needs")
    )


def sme_counts_by_commune(*, territory: Territory, include_demo: bool) -> dict[int, int]:
    """Registered SMEs per commune (or municipal arrondissement) of ``territory``, by territory
    id — a count, no record: the figure the territorial reports show beside inhabitants.
    Demo SMEs count only when ``include_demo`` (a demo install, see
    ``structures.selectors.open_data_scope``)."""
    if territory.level == TerritoryLevel.COUNTRY and territory.code == "FR":
        # Every commune is French: no join through the closure for a million SMEs.
        smes = SME.objects.filter(commune__isnull=False)
    else:
        smes = SME.objects.in_territory(territory)
    if not include_demo:
        smes = smes.real()
    return dict(
        smes.order_by()
        .values("commune_id")
        # COUNT(*): the commune index alone answers it (an index-only scan on PostgreSQL).
        .annotate(count=Count("*"))
        .values_list("commune_id", "count")
    )


# --- Partner finder ---------------------------------------------------------------------------

ANIMATION_SERVICE = "shared-export-staff"


def export_group_animators(*, user) -> QuerySet:
    """The structures ``user`` may edit that animate export groups: those with an export group
    among their children, or an offer of shared export staff (``ANIMATION_SERVICE``) — the ones
    whose staff may look for partners and create a group (``smes.services.export_groups``)."""
    from structures.enums import StructureKind
    from structures.models import Structure

    return (
        Structure.objects.editable_by(user)
        .filter(
            Q(children__kind=StructureKind.EXPORT_GROUP)
            | Q(offers__service__code=ANIMATION_SERVICE)
        )
        .distinct()
        .order_by("name", "pk")
    )


def partner_profile_for(
    *,
    caller: Caller,
    siret: str = "",
    commune_code: str = "",
    naf_code: str = "",
    employee_range: str = "",
    market_codes: Sequence[str] = (),
    export_stage: str = "",
):
    """The ``smes.partners.PartnerProfile`` a search starts from: the registered SME of
    ``siret`` (among those ``caller`` may read), or an unsaved firm described by the other
    arguments. ``ValidationError`` by field, in French, for anything missing, unknown or
    contradictory."""
    from smes.partners import PartnerProfile
    from smes.validators import normalize_naf, validate_naf

    codes = sorted({code.strip().upper() for code in market_codes if code.strip()})
    described = bool(commune_code or naf_code or employee_range or codes or export_stage)
    siret = normalize_identifier(siret)
    if siret and described:
        raise ValidationError(
            {"siret": _("Donnez soit un SIRET, soit le profil de l'entreprise, pas les deux.")}
        )
    if siret:
        sme = (
            smes_visible_to(caller=caller).filter(siret=siret).first()
            if siret.isascii() and siret.isdigit()
            else None
        )
        if sme is None:
            raise ValidationError({"siret": _("Aucune PME visible n'a ce SIRET.")})
        return PartnerProfile.from_sme(sme)
    errors: dict[str, Any] = {}
    if not described:
        raise ValidationError(
            _("Donnez le SIRET d'une PME du registre, ou le profil d'une entreprise.")
        )
    required = {
        "commune": commune_code,
        "naf_code": naf_code,
        "employee_range": employee_range,
        "export_stage": export_stage,
    }
    for name, value in required.items():
        if not value:
            errors[name] = _("Ce champ est obligatoire pour un profil.")
    commune = None
    if commune_code:
        commune = Territory.objects.filter(
            level__in=[TerritoryLevel.COMMUNE, TerritoryLevel.ARRONDISSEMENT], code=commune_code
        ).first()
        if commune is None:
            errors["commune"] = _("Commune inconnue : « %(code)s » (code INSEE attendu).") % {
                "code": commune_code
            }
    naf = normalize_naf(naf_code)
    if naf:
        try:
            validate_naf(naf)
        except ValidationError as exc:
            errors["naf_code"] = exc.messages
    markets = list(Territory.objects.filter(level=TerritoryLevel.COUNTRY, code__in=codes))
    unknown = sorted(set(codes) - {m.code for m in markets})
    if unknown:
        errors["markets"] = _("Pays inconnus (ISO 3166 alpha-2) : %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    if errors:
        raise ValidationError(errors)
    return PartnerProfile.unsaved(
        commune=commune,
        naf_code=naf,
        employee_range=employee_range,
        target_markets=markets,
        export_stage=export_stage,
    )
