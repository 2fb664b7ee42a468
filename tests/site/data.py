"""A small published registry around Montpellier, on the real test territories.

The builder is shared with the browser tests (``tests/browser``)."""

from __future__ import annotations

from dataclasses import dataclass

from structures.models import Structure
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    service,
    territory,
)


@dataclass
class Registry:
    cci: Structure
    club: Structure
    nimes: Structure
    hidden: Structure
    head: Structure


def build_registry() -> Registry:
    """CCI Hérault (covers the Hérault), an exporters' club (Occitanie, members only), a CCI
    in Nîmes covering only the Gard (an out-of-area fallback for Montpellier), and an
    unvalidated structure that the public never sees."""
    herault = territory("departement", "34")
    occitanie = territory("region", "76")
    gard = territory("departement", "30")
    nimes_commune = territory("commune", "30189")
    maroc = territory("country", "MA")
    head = StructureFactory(
        name="CCI Occitanie", kind="cci_regional", acronym="", coverage=[occitanie]
    )
    cci = StructureFactory(
        name="CCI Hérault — service international",
        acronym="CCI 34",
        parent=head,
        coverage=[herault],
        phone="+33499000001",
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off",
        source="Annuaire des CCI",
        licence="Licence Ouverte 2.0",
    )
    desk = ContactFactory(structure=cci, name="Pôle international", phone="+33467000000")
    ContactFactory(structure=cci, name="Dossier interne", private=True)
    OfferFactory(
        structure=cci,
        service=service("trade-fairs"),
        contact=desk,
        markets={maroc: "active"},
    )
    OfferFactory(structure=cci, service=service("information-orientation"), contact=desk)
    club = StructureFactory(
        name="Club des exportateurs de l'Hérault", club=True, coverage=[occitanie]
    )
    OfferFactory(structure=club, service=service("trade-fairs"), members_only=True)
    nimes = StructureFactory(
        name="CCI du Gard", commune=nimes_commune, postal_code="30000", coverage=[gard]
    )
    OfferFactory(structure=nimes, service=service("trade-fairs"))
    hidden = StructureFactory(name="Structure non validée", unvalidated=True, coverage=[herault])
    OfferFactory(structure=hidden, service=service("trade-fairs"))
    return Registry(cci=cci, club=club, nimes=nimes, hidden=hidden, head=head)
