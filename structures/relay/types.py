"""The relay lookup's values: what is known of the firm, and what every caller (page, API,
command) shows. The query itself is ``structures.relay.query.RelayQuery``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from structures.enums import OfferCost, OfferDelivery, StructureKind
from structures.relay.enums import FallbackKind, MarketMatch


@dataclass(frozen=True)
class EligibilityProfile:
    """What is known of the firm; a ``None`` criterion does not filter (docs/relay.md §3)."""

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
    ``unknown_country``, ``unknown_sector``, ``missing_location``, ``invalid``; for a SIRET
    (``smes.relay``): ``invalid_siret``, ``unknown_siret``, ``unknown_sme``,
    ``closed_establishment``, ``sirene_no_commune``, ``sirene_unavailable``. ``field`` names
    the input it is about.
    """

    code: str
    message: str
    field: str = ""
    candidates: tuple = ()


class RelayQueryError(Exception):
    """A lookup that cannot be asked as given; ``error`` says why, in words fit to show."""

    def __init__(self, error: RelayError) -> None:
        super().__init__(error.message)
        self.error = error

    @classmethod
    def of(cls, code: str, message: str, *, field: str = "", candidates=()) -> RelayQueryError:
        return cls(RelayError(code=code, message=message, field=field, candidates=candidates))


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
class KnownFirm:
    """What the registry may tell the lookup about a registered firm, for one caller.

    Built by the SME app under its visibility rule (``smes.relay``): either the firm's own point
    and whole profile, or only what SIRENE publishes (its commune and NAF code).
    """

    location: ResolvedLocation
    profile: EligibilityProfile
    naf_code: str | None = None


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # a value the enum no longer knows: shown as stored
        return value


@dataclass(frozen=True)
class TerritoryRef:
    """A territory as a result shows it: its official code, level and names."""

    pk: int
    level: str
    code: str
    name: str
    name_en: str = ""
    latitude: float | None = None
    longitude: float | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class RelayStructure:
    """The structure of a relay, as result cards, the API and the map show it."""

    pk: int
    slug: str
    name: str
    acronym: str
    kind: str
    latitude: float | None
    longitude: float | None
    phone: str
    email: str
    website: str
    opening_hours: str
    address_line: str
    postal_code: str
    commune: TerritoryRef | None
    country: TerritoryRef | None

    def __str__(self) -> str:
        # The same words as ``Structure.__str__``.
        if self.acronym and self.acronym.lower() not in self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    def get_kind_display(self) -> str:
        return _label(StructureKind, self.kind)


@dataclass(frozen=True)
class RelayOffer:
    """The offer of a relay: how it is delivered, what it costs, who may use it."""

    pk: int
    structure_id: int
    service_id: int
    delivery: str
    cost: str
    members_only: bool
    application_required: bool
    contact_id: int | None

    def get_delivery_display(self) -> str:
        return _label(OfferDelivery, self.delivery)

    def get_cost_display(self) -> str:
        return _label(OfferCost, self.cost)


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

    offer: RelayOffer
    structure: RelayStructure
    distance_km: float
    distance_is_approximate: bool
    matched_territory: TerritoryRef | None  # the finest coverage territory containing the commune
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
    """The answer to a ``RelayQuery``: competent relays in order, then labelled fallbacks."""

    location: ResolvedLocation
    service: object  # structures.Service
    country: object | None = None  # territories.Territory (country)
    sectors: tuple[str, ...] = ()
    results: list[RelayResult] = field(default_factory=list)
    fallbacks: list[RelayResult] = field(default_factory=list)

    @property
    def empty_message(self) -> str:
        if self.results or self.fallbacks:
            return ""
        return str(
            _(
                "Aucun relais n'offre ce service près de chez vous. Essayez sans secteur ni pays "
                "cible, ou un service voisin (information et orientation, diagnostic export)."
            )
        )
