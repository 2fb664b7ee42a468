"""The plain-data shape of a demo structure (what the dataset modules write, the loader reads)."""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.profiles import OfferTemplate

# Provenance written on every demo structure. The named bodies come from the source research and
# their seats are public knowledge; everything else (desks, numbers, fictitious firms) is invented.
SOURCE_NAMED = (
    "Démonstration — structure citée par Torrès (2002), Colovic (2013) ou Pommier (2012), "
    "ou réseau public national ; siège au niveau de la commune"
)
SOURCE_NETWORK = (
    "Démonstration — réseau public (CCI, Team France Export, CCE, CMA, chambres d'agriculture, "
    "Bpifrance, EEN) ; commune du siège, contacts fictifs"
)
SOURCE_FICTITIOUS = "Démonstration — structure fictive inventée pour le jeu de démonstration"
DEMO_LICENCE = "Licence Ouverte / Open Licence 2.0"
APPROXIMATE_NOTE = "Commune du siège approximative (à vérifier avant tout usage réel)."


@dataclass
class ContactSpec:
    key: str
    name: str
    role: str = ""
    kind: str = "desk"  # "desk" or "person"
    languages: str = "fr,en"


@dataclass
class MemberCountSpec:
    kind: str
    count: int
    as_of: str  # ISO date
    source: str


@dataclass
class StructureSpec:
    slug: str
    name: str
    kind: str
    commune: str  # INSEE code of the seat's commune
    acronym: str = ""
    parent: str = ""  # slug
    legal_form: str = ""
    postal_code: str = ""  # blank: the commune's first postal code
    description: str = ""
    label_tier: str = ""
    website: str = ""
    # Seat commune known from a public source; False = placed in a plausible commune, flagged.
    seat_verified: bool = True
    fictitious: bool = False
    source: str = SOURCE_NAMED
    # (level, code); empty = the kind's default (profiles.DEFAULT_COVERAGE) around the seat.
    coverage: tuple[tuple[str, str], ...] = ()
    # None = the kind's offer profile; markets then apply to the services listed in market_services.
    offers: tuple[OfferTemplate, ...] | None = None
    markets: tuple[tuple[str, str], ...] = ()  # (ISO alpha-2, "active" | "planned")
    market_services: tuple[str, ...] = (
        "prospecting-missions",
        "trade-fairs",
        "inter-cluster-alliances",
        "partner-search",
    )
    contacts: tuple[ContactSpec, ...] = ()  # empty = the kind's default desk
    member_counts: tuple[MemberCountSpec, ...] = ()
    is_active: bool = True
    extra: dict = field(default_factory=dict)


@dataclass
class LinkSpec:
    from_slug: str
    to_slug: str
    kind: str  # LinkKind
    status: str = "active"
    countries: tuple[str, ...] = ()
    description: str = ""
