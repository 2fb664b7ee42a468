"""Loading what the chosen relays show: offer, structure, matched territory, whom to call
(docs/relay.md §6).

Plain SELECTs by id into the value types of ``structures.relay.types`` — offers joined with
their structures, communes and contacts, then the matched territories the location did not
read —: on this hot path, compiling the equivalent ORM queries cost more than the whole search
(measured with ``bench_relay``), and a result is a value, not a model instance.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from core.db_router import primary_reads, read_connection
from core.prepared import prepared_cursor
from core.reference_cache import ReferenceCache
from structures.fields import STRUCTURE_RELAY
from structures.freshness import thresholds
from structures.models import Contact, Offer, Structure
from structures.relay.places import territory_refs, territory_table
from structures.relay.reference import CONTACT_TABLE, RELAY_INDEX_TABLE, TERRITORY_TABLE
from structures.relay.search import Candidate
from structures.relay.types import (
    ContactInfo,
    RelayOffer,
    RelayResult,
    RelayStructure,
    Sentences,
)

_OFFER_COLUMNS = (
    "id",
    "structure_id",
    "service_id",
    "delivery",
    "cost",
    "members_only",
    "application_required",
    "contact_id",
)
# A relay's structure (``STRUCTURE_RELAY``): its own columns, then each territory it refers to.
_STRUCTURE_FIELDS = [Structure._meta.get_field(name) for name in STRUCTURE_RELAY]
_STRUCTURE_COLUMNS = tuple(f for f in _STRUCTURE_FIELDS if not f.is_relation)
_STRUCTURE_TERRITORIES = tuple(f for f in _STRUCTURE_FIELDS if f.is_relation)
_CONTACT_COLUMNS = (
    "id",
    "structure_id",
    "kind",
    "name",
    "role",
    "phone",
    "email",
    "is_public",
    "position",
)


_statements: dict[tuple[str, str], str] = {}


def _statement(build: Callable[[Callable[[str], str]], str]) -> str:
    """``build(quote_name)``: a query's fixed part, quoted once per function and database vendor
    (quoting its few dozen names again on every lookup cost more than some of the queries)."""
    vendor = read_connection(Offer).vendor
    key = (build.__name__, vendor)
    sql = _statements.get(key)
    if sql is None:
        sql = _statements[key] = build(read_connection(Offer).ops.quote_name)
    return sql


def _select(sql: str, params: list) -> list[tuple]:
    with prepared_cursor(read_connection(Offer)) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


# What a relay result may show of its structure, column by column: plain SQL hands these back
# as the ORM would, except SQLite's booleans (0 / 1). Dates and the like would need the ORM's
# converters: the relay shows none (``tests/structures/test_fields.py`` holds the list to this).
RELAY_COLUMN_TYPES = (
    models.CharField,
    models.TextField,
    models.FloatField,
    models.IntegerField,
    models.BooleanField,
)


def _typed(field):
    """The column's value as the ORM gives it (SQLite has no boolean type)."""
    if not isinstance(field, RELAY_COLUMN_TYPES):
        raise TypeError(f"{field.name}: a relay result shows text, numbers and booleans only")
    if isinstance(field, models.BooleanField):
        return lambda value: value if value is None else bool(value)
    return lambda value: value


# Each structure column with its conversion, once (and a date added to STRUCTURE_RELAY fails
# at import, not at the first lookup).
_TYPED_COLUMNS = [(f.name, _typed(f)) for f in _STRUCTURE_COLUMNS]
_STRUCTURE_NAMES = tuple(name for name, _convert in _TYPED_COLUMNS)
# Only the booleans need converting (SQLite): their positions, with ``_typed``'s conversion.
_CONVERTED_COLUMNS = tuple(
    (i, name, convert)
    for i, ((name, convert), f) in enumerate(zip(_TYPED_COLUMNS, _STRUCTURE_COLUMNS, strict=True))
    if isinstance(f, models.BooleanField)
)


def _offers_head(qn: Callable[[str], str]) -> str:
    columns = [f"o.{qn(c)}" for c in _OFFER_COLUMNS]
    columns += [f"s.{qn(f.column)}" for f in _STRUCTURE_COLUMNS]
    # Each territory by its id, shown from this process's copy of the reference (places.py).
    columns += [f"s.{qn(f.column)}" for f in _STRUCTURE_TERRITORIES]
    joins = []
    # Then what the listing's age counts from (structures.freshness): whether it is stale is
    # decided at each lookup, as the loaded offer is kept.
    columns.append(f"COALESCE(s.{qn('verified_at')}, s.{qn('created_at')})")
    # Then each contact of the structure (one row per offer and contact): the contacts come
    # with their offers rather than in a query of their own, one round trip less per lookup.
    columns += [f"c.{qn(c)}" for c in _CONTACT_COLUMNS]
    joins.append(f"LEFT JOIN {qn(Contact._meta.db_table)} c ON c.structure_id = o.structure_id")
    return (
        f"SELECT {', '.join(columns)} FROM {qn(Offer._meta.db_table)} o "
        f"JOIN {qn(Structure._meta.db_table)} s ON s.id = o.structure_id "
        f"{' '.join(joins)}"
    )


class _Contacts:
    """The contacts of one structure: by id (with whether each is public), and its first public
    desk (a desk before a person, then by display position)."""

    __slots__ = ("_desk_rank", "by_id", "desk")

    def __init__(self) -> None:
        self.by_id: dict[int, tuple[ContactInfo, bool]] = {}
        self.desk: ContactInfo | None = None
        self._desk_rank: tuple | None = None

    def add(self, row: tuple) -> None:
        pk, _structure_id, kind, name, role, phone, email, is_public, position = row
        if pk is None or pk in self.by_id:
            return  # a structure without contacts, or one already read with another offer
        info = ContactInfo(name, role, phone, email, kind == "desk", "offer")
        self.by_id[pk] = (info, bool(is_public))
        if is_public:
            rank = (kind != "desk", position, pk)
            if self._desk_rank is None or rank < self._desk_rank:
                self.desk, self._desk_rank = info, rank


@dataclass(frozen=True)
class _Loaded:
    """An offer as a result shows it, whoever asks: its structure, the moment the listing's
    age counts from, and the structure's contacts (shared by the structure's offers)."""

    offer: RelayOffer
    structure: RelayStructure
    since: datetime.datetime
    contacts: _Contacts


def _moment(value, reader) -> datetime.datetime:
    """A datetime read by plain SQL, as the ORM gives it (SQLite hands back the ISO text Django
    wrote, in the connection's time zone)."""
    if isinstance(value, datetime.datetime) or value is None:
        return value
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None and reader.timezone is not None:
        moment = moment.replace(tzinfo=reader.timezone)
    return moment


def _read_offers(offer_ids: Collection[int]) -> dict[int, _Loaded]:
    """Offers with their structures, each structure with its territories (commune, country),
    the listing's reference moment and contacts: one SELECT."""
    reader = read_connection(Offer)
    rows = _select(f"{_statement(_offers_head)} WHERE o.id IN ({_marks(offer_ids)})", offer_ids)
    refs = territory_table.get().refs
    loaded: dict[int, _Loaded] = {}
    contacts: dict[int, _Contacts] = {}
    n_offer, n_structure = len(_OFFER_COLUMNS), len(_STRUCTURE_COLUMNS)
    at_since = n_offer + n_structure + len(_STRUCTURE_TERRITORIES)
    for row in rows:
        o = row[:n_offer]
        structure_contacts = contacts.setdefault(o[1], _Contacts())
        structure_contacts.add(row[at_since + 1 :])
        if o[0] in loaded:
            continue  # the same offer again, with another contact of its structure
        own = row[n_offer : n_offer + n_structure]
        values = dict(zip(_STRUCTURE_NAMES, own, strict=True))
        for i, name, convert in _CONVERTED_COLUMNS:
            values[name] = convert(own[i])
        for i, f in enumerate(_STRUCTURE_TERRITORIES):
            territory_id = row[n_offer + n_structure + i]
            values[f.name] = None if territory_id is None else refs.get(territory_id)
            if territory_id is not None and values[f.name] is None:
                values[f.name] = territory_refs([territory_id]).get(territory_id)
        # SQLite gives booleans as 0 / 1.
        offer = RelayOffer(*o[:5], bool(o[5]), bool(o[6]), o[7])
        loaded[offer.pk] = _Loaded(
            offer=offer,
            structure=RelayStructure(pk=o[1], **values),
            since=_moment(row[at_since], reader),
            contacts=structure_contacts,
        )
    return loaded


# How many loaded offers each process keeps: the relays of the places searched most.
LOADED_OFFERS_KEPT = 8192


class _LoadedOffers:
    """The offers this process loaded last (least recently used dropped first).

    Loading the chosen offers was a third of a lookup (``bench_relay``), for rows that change a
    few times a day: the copy is dropped whenever the relay index is refreshed (every write of
    an offer or a structure, through the signals or the bulk loaders), a contact or a territory
    changes (their version tokens, ``core.reference_cache``: every worker sees it within
    ``REFERENCE_CACHE_GRACE_SECONDS``), and after ``REFERENCE_CACHE_MAX_AGE_SECONDS`` anyway.
    """

    def __init__(self) -> None:
        self._kept: OrderedDict[int, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, offer_ids: list[int]) -> dict[int, _Loaded]:
        kept = self._kept
        found, missing = {}, []
        with self._lock:
            for pk in offer_ids:
                loaded = kept.get(pk)
                if loaded is None:
                    missing.append(pk)
                else:
                    kept.move_to_end(pk)
                    found[pk] = loaded
        if missing:
            # From the primary, as the reference caches: rows read from a lagging replica
            # would be kept under the new version token.
            with primary_reads():
                read = _read_offers(missing)
            found.update(read)
            with self._lock:
                kept.update(read)
                while len(kept) > LOADED_OFFERS_KEPT:
                    kept.popitem(last=False)
        return found


_loaded_offers = ReferenceCache(
    _LoadedOffers, tables=[RELAY_INDEX_TABLE, CONTACT_TABLE, TERRITORY_TABLE]
)


def _contact_for(loaded: _Loaded, include_private: bool) -> ContactInfo | None:
    """The offer's contact (if public, or private ones are allowed), else the structure's first
    public desk, else its switchboard, else nobody (docs/relay.md §6)."""
    offer, structure, contacts = loaded.offer, loaded.structure, loaded.contacts
    own = contacts.by_id.get(offer.contact_id) if offer.contact_id else None
    if own is not None and (own[1] or include_private):
        return own[0]
    desk = contacts.desk
    if desk is not None:
        return ContactInfo(
            desk.name, desk.role, desk.phone, desk.email, desk.is_desk, "structure_desk"
        )
    if structure.phone or structure.email:
        return ContactInfo(
            _("Accueil"), "", structure.phone, structure.email, True, "structure_switchboard"
        )
    return None


def load_results(
    candidates: list[Candidate], query, *, notes: list[tuple[str, ...]], sentences: Sentences
) -> list[RelayResult]:
    """The results for the chosen candidates, in their order, each with its ``notes`` and its
    position in the list's ``sentences`` (``structures.relay.wording.Reasons``)."""
    if not candidates:
        return []
    loaded_offers = _loaded_offers.get().get_many([c.offer_id for c in candidates])
    stale_before = thresholds()[1]
    # Only an offer found through the place's ancestors shows its territory: one of those the
    # location read (a query only for a location built without them).
    territories = {ref.pk: ref for ref in query.location.ancestors}
    missing = {c.territory_id for c in candidates if c.covers} - territories.keys()
    if missing:
        territories.update(territory_refs(missing))
    location = query.location
    results = []
    for position, candidate in enumerate(candidates):
        loaded = loaded_offers[candidate.offer_id]
        territory = territories.get(candidate.territory_id)
        # Offers found through the place's ancestors show the territory that covers it.
        shows_territory = candidate.covers
        results.append(
            RelayResult(
                offer=loaded.offer,
                structure=loaded.structure,
                distance_km=round(candidate.distance_km, 3),
                distance_is_approximate=candidate.approximate or location.precision != "exact",
                matched_territory=territory if shows_territory else None,
                matched_level=territory.level if territory and shows_territory else "",
                market_match=candidate.market_match,
                same_region=candidate.region_id is not None
                and candidate.region_id == location.region_id,
                contact=_contact_for(loaded, query.include_private_contacts),
                conditions=candidate.conditions,
                fallback=candidate.fallback,
                region_first=candidate.region_first,
                information_to_check=loaded.since < stale_before,
                notes=notes[position],
                sentences=sentences,
                position=position,
            )
        )
    return results
