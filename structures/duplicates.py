"""Possible duplicates of a listing: the same body entered twice (issue 13, point 6).

Two listings are *candidates* when their normalised names (``Structure.search_name``: name and
acronym, accents and punctuation removed) score at least ``DUPLICATE_NAME_THRESHOLD``
(``name_score``: rapidfuzz ``token_set_ratio``, with enough words in common) within
``DUPLICATE_RADIUS_KM``, or when they share a phone number (E.164) or an e-mail address
(case-insensitive). Names are compared between listings of the same kind only (a CCI and a
CMA of one region differ by one word), and a listing and its own network head or antenna are
never candidates: the network already says they are two bodies. Structures carry no SIRET, so there is
no identifier to compare beyond these.

Reads only. ``duplicate_candidates`` answers for one listing (existing or about to be created) with
one indexed query (the lat/lon box, the phone, the e-mail); ``duplicate_pairs`` answers for the
whole registry, set-based: one query, then blocks of neighbouring grid cells (distance) and of equal
phones and e-mails, never every pair. Listings already merged into another are left out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from core.geo import KM_PER_DEGREE_LAT, BoundingBox, display_km, haversine_km
from core.text import normalize_name
from structures.models import Structure
from structures.validators import normalize_phone

MAX_CANDIDATES = 20


def name_threshold() -> int:
    return int(getattr(settings, "DUPLICATE_NAME_THRESHOLD", 90))


def radius_km() -> float:
    return float(getattr(settings, "DUPLICATE_RADIUS_KM", 5.0))


@dataclass(frozen=True)
class Probe:
    """What is known of a listing whose duplicates are looked for."""

    name: str
    acronym: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    email: str = ""
    exclude_pk: int | None = None
    parent_pk: int | None = None
    kind: str = ""

    @classmethod
    def of(cls, structure: Structure) -> Probe:
        return cls.from_values(
            {
                "name": structure.name,
                "acronym": structure.acronym,
                "latitude": structure.latitude,
                "longitude": structure.longitude,
                "phone": structure.phone,
                "email": structure.email,
                "parent": structure.parent_id,
                "kind": structure.kind,
            },
            exclude_pk=structure.pk,
        )

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, exclude_pk: int | None = None) -> Probe:
        """A probe from form, serializer or CSV values (missing keys are blank)."""

        def number(key: str) -> float | None:
            value = values.get(key)
            if value in (None, ""):
                return None
            try:
                return float(value)
            except (TypeError, ValueError):
                return None

        return cls(
            name=str(values.get("name") or ""),
            acronym=str(values.get("acronym") or ""),
            latitude=number("latitude"),
            longitude=number("longitude"),
            phone=normalize_phone(str(values.get("phone") or "")),
            email=str(values.get("email") or "").strip().lower(),
            exclude_pk=exclude_pk,
            parent_pk=getattr(parent, "pk", parent) if (parent := values.get("parent")) else None,
            kind=str(values.get("kind") or ""),
        )

    @property
    def search_name(self) -> str:
        return normalize_name(f"{self.name} {self.acronym}")

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Candidate:
    """A listing that may be the same body, with why (French sentences)."""

    structure: Structure
    reasons: tuple[str, ...]
    name_score: int | None = None
    distance_km: float | None = None

    @property
    def weight(self) -> tuple:
        # Shared identifiers first, then the closest names, then the nearest.
        return (
            -(len(self.reasons)),
            -(self.name_score or 0),
            self.distance_km if self.distance_km is not None else math.inf,
        )


# token_set_ratio scores 100 whenever one name's words are all in the other ("CCI France" and
# "CCI Paris Île-de-France — service international"): the two names must also share at least
# this share of their distinct words.
MIN_SHARED_WORDS = 0.5


def name_score(first: str, second: str) -> int:
    """Similarity (0-100) of two normalised names: rapidfuzz ``token_set_ratio``, or 0 when
    they share less than ``MIN_SHARED_WORDS`` of their distinct words."""
    words_a, words_b = set(first.split()), set(second.split())
    if not words_a or not words_b:
        return 0
    if len(words_a & words_b) / len(words_a | words_b) < MIN_SHARED_WORDS:
        return 0
    return round(fuzz.token_set_ratio(first, second))


def _km_text(km: float) -> str:
    return number_format(display_km(km))


def _reasons(
    probe_name: str,
    probe_point: tuple[float, float] | None,
    probe_phone: str,
    probe_email: str,
    probe_kind: str,
    *,
    kind: str,
    name: str,
    point: tuple[float, float] | None,
    phone: str,
    email: str,
) -> tuple[list[str], int | None, float | None]:
    reasons: list[str] = []
    score = distance = None
    if probe_point is not None and point is not None:
        distance = haversine_km(*probe_point, *point)
        # A CCI and a CMA of the same region differ by one word: two kinds, two bodies.
        same_kind = not probe_kind or not kind or probe_kind == kind
        if distance <= radius_km() and same_kind and probe_name and name:
            ratio = name_score(probe_name, name)
            if ratio >= name_threshold():
                score = ratio
                if display_km(distance) == 0:
                    reason = _("nom très proche (%(score)s %%) au même endroit")
                else:
                    reason = _("nom très proche (%(score)s %%) à %(km)s km")
                reasons.append(reason % {"score": ratio, "km": _km_text(distance)})
    if probe_phone and phone and probe_phone == phone:
        reasons.append(_("même téléphone"))
    if probe_email and email and probe_email == email.lower():
        reasons.append(_("même courriel"))
    return reasons, score, distance


def _related(a_pk: int | None, a_parent: int | None, b_pk: int, b_parent: int | None) -> bool:
    """A listing and its own network head (or antenna) are known to be two bodies."""
    return (a_parent is not None and a_parent == b_pk) or (a_pk is not None and b_parent == a_pk)


def duplicate_candidates(probe: Probe, *, limit: int = MAX_CANDIDATES) -> list[Candidate]:
    """Listings that may be the same body as ``probe``, the likeliest first.

    One query: the listings within the radius's bounding box (the lat/lon index), or with the
    same phone, or the same e-mail; names are then compared in Python on that short list.
    """
    condition = Q()
    if probe.has_point and probe.search_name:
        condition |= BoundingBox.around(probe.latitude, probe.longitude, radius_km()).q()
    if probe.phone:
        condition |= Q(phone=probe.phone)
    if probe.email:
        condition |= Q(email__iexact=probe.email)
    if not condition:
        return []
    queryset = Structure.objects.filter(condition, merged_into__isnull=True).select_related(
        "commune"
    )
    if probe.exclude_pk is not None:
        queryset = queryset.exclude(pk=probe.exclude_pk)
    probe_point = (probe.latitude, probe.longitude) if probe.has_point else None
    found = []
    for structure in queryset:
        if _related(probe.exclude_pk, probe.parent_pk, structure.pk, structure.parent_id):
            continue
        reasons, score, distance = _reasons(
            probe.search_name,
            probe_point,
            probe.phone,
            probe.email,
            probe.kind,
            kind=structure.kind,
            name=structure.search_name,
            point=(structure.latitude, structure.longitude) if structure.has_point else None,
            phone=structure.phone,
            email=structure.email,
        )
        if reasons:
            found.append(Candidate(structure, tuple(reasons), score, distance))
    found.sort(key=lambda c: (*c.weight, c.structure.pk))
    return found[:limit]


# --- The whole registry ------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePair:
    """Two listings that may be one body (``first.pk < second.pk``)."""

    first: Structure
    second: Structure
    reasons: tuple[str, ...]
    name_score: int | None = None
    distance_km: float | None = None


@dataclass
class _Row:
    pk: int
    parent_id: int | None
    kind: str
    search_name: str
    point: tuple[float, float] | None
    phone: str
    email: str
    pairs: set = field(default_factory=set)


def _cell(point: tuple[float, float], size_deg: float) -> tuple[int, int]:
    return (math.floor(point[0] / size_deg), math.floor(point[1] / size_deg))


def _pairs_in_blocks(rows: list[_Row]) -> set[tuple[int, int]]:
    """Pairs of ids worth comparing: equal phones, equal e-mails, neighbouring grid cells."""
    keys: set[tuple[int, int]] = set()
    for attribute in ("phone", "email"):
        groups: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            value = getattr(row, attribute)
            if value:
                groups[value].append(row.pk)
        for ids in groups.values():
            keys.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    # Cells as high as the radius (in latitude); in longitude a degree is shorter, so a cell of
    # the same size in degrees is *narrower* than the radius in km at any latitude above 0: the
    # neighbours searched span enough cells east and west to cover the radius.
    size = radius_km() / KM_PER_DEGREE_LAT
    grid: dict[tuple[int, int], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.point is not None and row.search_name:
            grid[_cell(row.point, size)].append(row)
    for (cy, cx), members in grid.items():
        lat = (cy + 0.5) * size
        span = math.ceil(1 / max(0.01, math.cos(math.radians(min(89.0, abs(lat) + size)))))
        for dy in (-1, 0, 1):
            for dx in range(-span, span + 1):
                neighbours = grid.get((cy + dy, cx + dx))
                if not neighbours:
                    continue
                for a in members:
                    for b in neighbours:
                        if a.pk < b.pk:
                            keys.add((a.pk, b.pk))
    return keys


def duplicate_pairs() -> list[DuplicatePair]:
    """Every pair of listings (not merged) that may be one body, the likeliest first."""
    rows = [
        _Row(
            pk=pk,
            parent_id=parent_id,
            kind=kind,
            search_name=search_name,
            point=(lat, lon) if lat is not None and lon is not None else None,
            phone=phone,
            email=(email or "").lower(),
        )
        for pk, parent_id, kind, search_name, lat, lon, phone, email in Structure.objects.filter(
            merged_into__isnull=True
        ).values_list(
            "pk", "parent_id", "kind", "search_name", "latitude", "longitude", "phone", "email"
        )
    ]
    by_pk = {row.pk: row for row in rows}
    found: list[tuple[int, int, list[str], int | None, float | None]] = []
    for a_pk, b_pk in _pairs_in_blocks(rows):
        a, b = by_pk[a_pk], by_pk[b_pk]
        if _related(a.pk, a.parent_id, b.pk, b.parent_id):
            continue
        reasons, score, distance = _reasons(
            a.search_name, a.point, a.phone, a.email, a.kind,
            kind=b.kind, name=b.search_name, point=b.point, phone=b.phone, email=b.email,
        )  # fmt: skip
        if reasons:
            found.append((a_pk, b_pk, reasons, score, distance))
    structures = Structure.objects.select_related("commune").in_bulk(
        {pk for a, b, *_rest in found for pk in (a, b)}
    )
    pairs = [
        DuplicatePair(structures[a], structures[b], tuple(reasons), score, distance)
        for a, b, reasons, score, distance in found
    ]
    pairs.sort(
        key=lambda p: (
            -len(p.reasons),
            -(p.name_score or 0),
            p.distance_km if p.distance_km is not None else math.inf,
            p.first.pk,
            p.second.pk,
        )
    )
    return pairs


def candidates_for_rows(rows: Iterable[Mapping[str, Any]]) -> list[list[Candidate]]:
    """The candidates of each row of an import (values as in the open-data CSV), in order."""
    return [duplicate_candidates(Probe.from_values(row)) for row in rows]
