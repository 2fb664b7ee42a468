"""The relay lookup's inputs and outputs: plain values every caller (page, API, command) shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from structures.relay.enums import FallbackKind, MarketMatch


@dataclass(frozen=True)
class EligibilityProfile:
    """What is known of the firm; a ``None`` criterion does not filter (DESIGN §5)."""

    employees: int | None = None
    created_on: date | None = None
    naf_code: str | None = None
    member_of: frozenset[int] = frozenset()  # structure ids the firm belongs to
    export_stage: str | None = None

    def age_years(self, today: date) -> float | None:
        if self.created_on is None:
            return None
        return (today - self.created_on).days / 365.25


@dataclass(frozen=True)
class RelayError:
    """A lookup that cannot be answered, with a French message fit to show as is.

    ``code``: ``unknown_commune``, ``ambiguous_postal_code`` (``candidates`` lists the communes),
    ``unknown_postal_code``, ``malformed``, ``outside_france``, ``unknown_service``,
    ``unknown_country``, ``unknown_sector``, ``unknown_sme``, ``missing_location``,
    ``invalid``.
    """

    code: str
    message: str
    field: str = ""
    candidates: tuple = ()


@dataclass(frozen=True)
class ResolvedLocation:
    commune: object  # territories.Territory (commune or municipal arrondissement)
    latitude: float
    longitude: float
    region_id: int | None
    precision: str  # "exact" (SME's own point or given coordinates) or "commune"
    note: str = ""  # e.g. the old commune code that was resolved
    ancestor_ids: tuple[int, ...] = ()  # the commune and every territory containing it


@dataclass(frozen=True)
class ContactInfo:
    name: str
    role: str
    phone: str
    email: str
    is_desk: bool
    source: str  # "offer", "structure_desk", "structure_switchboard"


@dataclass(frozen=True)
class RelayResult:
    """One relay, with everything needed to say why it is shown and whom to call."""

    offer: object  # structures.Offer, with structure and service loaded
    structure: object
    distance_km: float
    distance_is_approximate: bool
    matched_territory: object | None  # the finest coverage territory containing the commune
    matched_level: str
    market_match: str  # MarketMatch
    same_region: bool
    contact: ContactInfo | None
    notes: tuple[str, ...]
    fallback: str = ""  # FallbackKind, empty for a competent relay
    why_fr: str = ""
    why_en: str = ""

    @property
    def is_competent(self) -> bool:
        return not self.fallback

    @property
    def has_named_contact(self) -> bool:
        return self.contact is not None

    @property
    def fallback_label(self) -> str:
        return str(FallbackKind(self.fallback).label) if self.fallback else ""

    @property
    def market_label(self) -> str:
        return str(MarketMatch(self.market_match).label)


@dataclass
class RelayResponse:
    location: ResolvedLocation | None = None
    results: list[RelayResult] = field(default_factory=list)
    fallbacks: list[RelayResult] = field(default_factory=list)
    error: RelayError | None = None
    service: object | None = None
    country: object | None = None
    sectors: tuple[str, ...] = ()
    queries: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def empty_message(self) -> str:
        if self.error or self.results or self.fallbacks:
            return ""
        return str(
            _(
                "Aucun relais n'offre ce service près de chez vous. Essayez sans secteur ni pays "
                "cible, ou un service voisin (information et orientation, diagnostic export)."
            )
        )
