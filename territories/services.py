"""Writes on the territory reference: the idempotent loader."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import reference_cache
from core.bulk import fast_insert
from core.text import normalize_name
from territories import reference_build
from territories.enums import LEVEL_RANK, CoordinatePrecision, TerritoryLevel, Zone
from territories.models import (
    CommuneAlias,
    PostalCode,
    ReferenceVersion,
    Territory,
    TerritoryAncestor,
)

Key = tuple[str, str]  # (level, code)

_COMPARED_FIELDS = (
    "name",
    "name_en",
    "search_name",
    "rank",
    "zone",
    "tncc",
    "kind",
    "population",
    "latitude",
    "longitude",
    "coordinate_precision",
    "iso_alpha3",
    "is_current",
)
_BATCH = 2000


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)
    closure_added: int = 0
    closure_removed: int = 0
    postal_added: int = 0
    postal_removed: int = 0
    aliases_added: int = 0
    aliases_updated: int = 0
    aliases_removed: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.created.values())
            or sum(self.updated.values())
            or sum(self.retired.values())
            or self.closure_added
            or self.closure_removed
            or self.postal_added
            or self.postal_removed
            or self.aliases_added
            or self.aliases_updated
            or self.aliases_removed
        )

    def lines(self) -> list[str]:
        out = []
        for level in TerritoryLevel.values:
            counts = [
                self.created.get(level, 0),
                self.updated.get(level, 0),
                self.unchanged.get(level, 0),
                self.retired.get(level, 0),
            ]
            if any(counts):
                out.append(
                    f"{level}: {counts[0]} créés, {counts[1]} modifiés, {counts[2]} inchangés, "
                    f"{counts[3]} retirés (plus en vigueur)"
                )
        out.append(f"appartenances : +{self.closure_added} / -{self.closure_removed}")
        out.append(f"codes postaux : +{self.postal_added} / -{self.postal_removed}")
        out.append(
            f"anciens codes : +{self.aliases_added} / ~{self.aliases_updated} / -{self.aliases_removed}"
        )
        return out


@dataclass
class _Desired:
    values: dict[str, object]
    parent: Key | None
    ancestors: set[Key]


def _territory_values(
    *,
    level: str,
    name: str,
    name_en: str = "",
    zone: str = Zone.METRO,
    tncc: int | None = None,
    kind: str = "",
    population: int | None = None,
    point: tuple[float | None, float | None] = (None, None),
    precision: str = CoordinatePrecision.NONE,
    iso_alpha3: str = "",
) -> dict[str, object]:
    lat, lon = point
    if lat is None or lon is None:
        lat = lon = None
        precision = CoordinatePrecision.NONE
    return {
        "name": name,
        "name_en": name_en,
        "search_name": normalize_name(name),
        "rank": LEVEL_RANK[level],
        "zone": zone,
        "tncc": tncc,
        "kind": kind,
        "population": population,
        "latitude": lat,
        "longitude": lon,
        "coordinate_precision": str(precision),
        "iso_alpha3": iso_alpha3,
        "is_current": True,
    }


def _desired_state(
    document: dict, departements: Collection[str] | None
) -> tuple[dict[Key, _Desired], set[tuple[str, Key]], dict[str, tuple[str, Key, str]]]:
    """Translate the vendored document into rows keyed by (level, code)."""
    C, R, D, E, M, A = (
        TerritoryLevel.COUNTRY,
        TerritoryLevel.REGION,
        TerritoryLevel.DEPARTEMENT,
        TerritoryLevel.EPCI,
        TerritoryLevel.COMMUNE,
        TerritoryLevel.ARRONDISSEMENT,
    )
    france: Key = (C, "FR")
    wanted_depts = set(departements) if departements is not None else None
    communes = [
        c for c in document["communes"] if wanted_depts is None or c["departement"] in wanted_depts
    ]
    dept_rows = [
        d for d in document["departements"] if wanted_depts is None or d["code"] in wanted_depts
    ]
    wanted_regions = {d["region"] for d in dept_rows}
    region_rows = [
        r for r in document["regions"] if wanted_depts is None or r["code"] in wanted_regions
    ]
    commune_by_code = {c["code"]: c for c in communes}
    desired: dict[Key, _Desired] = {}

    for row in document["countries"]:
        key = (C, row["code"])
        values = _territory_values(
            level=C,
            name=row["name"],
            name_en=row["name_en"],
            zone=Zone.METRO if row["code"] == "FR" else Zone.ABROAD,
            iso_alpha3=row["alpha3"],
        )
        desired[key] = _Desired(values, None, {key})

    def chef_lieu_point(code: str) -> tuple[tuple[float | None, float | None], str]:
        commune = commune_by_code.get(code)
        if commune and commune["lat"] is not None:
            return (commune["lat"], commune["lon"]), CoordinatePrecision.CHEF_LIEU
        return (None, None), CoordinatePrecision.NONE

    for row in region_rows:
        key = (R, row["code"])
        point, precision = chef_lieu_point(row["chef_lieu"])
        values = _territory_values(
            level=R,
            name=row["name"],
            zone=row["zone"],
            tncc=row.get("tncc"),
            point=point,
            precision=precision,
        )
        desired[key] = _Desired(values, france, {key, france})

    for row in dept_rows:
        key = (D, row["code"])
        region = (R, row["region"])
        point, precision = chef_lieu_point(row["chef_lieu"])
        values = _territory_values(
            level=D,
            name=row["name"],
            zone=row["zone"],
            tncc=row.get("tncc"),
            point=point,
            precision=precision,
        )
        desired[key] = _Desired(values, region, {key, region, france})

    place_of = {c["code"]: (c["departement"], c["region"]) for c in document["communes"]}
    epci_of: dict[str, Key] = {}
    for row in document["epci"]:
        members = [commune_by_code[m] for m in row["members"] if m in commune_by_code]
        if not members:
            continue
        key = (E, row["code"])
        weighted = [
            (m["lat"], m["lon"], m["population"] or 1) for m in members if m["lat"] is not None
        ]
        point: tuple[float | None, float | None] = (None, None)
        if weighted:
            total = sum(w for _, _, w in weighted)
            point = (
                round(sum(lat * w for lat, _, w in weighted) / total, 5),
                round(sum(lon * w for _, lon, w in weighted) / total, 5),
            )
        ancestors = {key, france}
        # An EPCI lies inside a département (and région) only when all its members do, which is
        # judged on the whole edition, not on the loaded subset.
        member_depts = {place_of[m][0] for m in row["members"] if m in place_of}
        member_regions = {place_of[m][1] for m in row["members"] if m in place_of}
        if len(member_depts) == 1:
            ancestors.add((D, member_depts.pop()))
        if len(member_regions) == 1:
            ancestors.add((R, member_regions.pop()))
        values = _territory_values(
            level=E,
            name=row["name"],
            zone=members[0]["zone"],
            kind=row["kind"],
            population=row["population"],
            point=point,
            precision=CoordinatePrecision.MEMBERS,
        )
        desired[key] = _Desired(values, None, ancestors)
        for member in members:
            epci_of[member["code"]] = key

    # Communes before arrondissements: an arrondissement inherits its commune's ancestors.
    for row in sorted(communes, key=lambda c: c["level"] == "arrondissement"):
        level = A if row["level"] == "arrondissement" else M
        key = (level, row["code"])
        dept, region = (D, row["departement"]), (R, row["region"])
        if level == A:
            parent: Key = (M, row["commune"])
            ancestors = {key} | desired[parent].ancestors
        else:
            parent = dept
            ancestors = {key, dept, region, france}
            if row["code"] in epci_of:
                ancestors.add(epci_of[row["code"]])
        values = _territory_values(
            level=level,
            name=row["name"],
            zone=row["zone"],
            tncc=row.get("tncc"),
            population=row["population"],
            point=(row["lat"], row["lon"]),
            precision=row["precision"],
        )
        desired[key] = _Desired(values, parent, ancestors)

    postal = {
        (code, (A if c["level"] == "arrondissement" else M, c["code"]))
        for c in communes
        for code in c["postal_codes"]
    }
    current_commune_codes = {c["code"] for c in communes if c["level"] == "commune"}
    aliases = {
        a["code"]: (a["name"], (M, a["commune"]), a["reason"])
        for a in document["aliases"]
        if a["commune"] in current_commune_codes
    }
    return desired, postal, aliases


def _batched(items: list, size: int = _BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create_parents_first(
    to_create: list[tuple[Key, Territory]], desired: dict[Key, _Desired], ids: dict[Key, int]
) -> None:
    """Insert the new territories level by level, each with its parent already set.

    Written all at once, every new row's parent had to be set afterwards through
    ``bulk_update``, whose per-row ``CASE`` took 20 of a full load's 50 seconds. ``ids`` holds
    the existing territories' ids and receives the new ones.
    """
    pending = to_create
    while pending:
        ready = [
            (k, t) for k, t in pending if desired[k].parent is None or desired[k].parent in ids
        ]
        # Left without a parent: rows whose parent is missing from the edition (never, with the
        # vendored files), or every row when the database does not return the new ids (SQLite
        # before 3.35); the caller's parent pass then sets what it can, as before.
        ready = ready or pending
        for key, row in ready:
            parent = desired[key].parent
            row.parent_id = ids.get(parent) if parent else None
        for batch in _batched([row for _key, row in ready]):
            Territory.objects.bulk_create(batch)
        ids.update((key, row.pk) for key, row in ready if row.pk is not None)
        created = {id(row) for _key, row in ready}
        pending = [(k, t) for k, t in pending if id(t) not in created]


@transaction.atomic
def load_territory_reference(
    *, document: dict, departements: Collection[str] | None = None
) -> LoadReport:
    """Load (or refresh) the territory reference; idempotent, in one transaction.

    ``departements`` restricts the load to those départements (with their régions, EPCIs and
    communes, and every country): the test suite uses it for a small real subset. Only a full
    load retires territories that vanished from the edition (``is_current = False``, never
    deleted, so that structures and SMEs keep pointing at them).
    """
    started = time.perf_counter()
    report = LoadReport()
    desired, postal, aliases = _desired_state(document, departements)
    now = timezone.now()

    existing = {
        (t.level, t.code): t
        for t in Territory.objects.only("id", "level", "code", "parent_id", *_COMPARED_FIELDS)
    }
    to_create: list[tuple[Key, Territory]] = []
    # Rows to update, grouped by the fields that changed: a refresh that brings one new
    # attribute (or a handful of renamed communes) writes only those columns, which keeps
    # the update of an existing database about as fast as a fresh load.
    to_update: dict[tuple[str, ...], list[Territory]] = defaultdict(list)
    for key, item in desired.items():
        row = existing.get(key)
        level = key[0]
        if row is None:
            to_create.append((key, Territory(level=level, code=key[1], **item.values)))
            report.created[level] = report.created.get(level, 0) + 1
            continue
        changed = tuple(name for name, value in item.values.items() if getattr(row, name) != value)
        if changed:
            for name in changed:
                setattr(row, name, item.values[name])
            row.updated_at = now
            to_update[changed].append(row)
            report.updated[level] = report.updated.get(level, 0) + 1
        else:
            report.unchanged[level] = report.unchanged.get(level, 0) + 1
    if departements is None:
        for key, row in existing.items():
            if key not in desired and row.is_current:
                row.is_current = False
                row.updated_at = now
                to_update[("is_current",)].append(row)
                report.retired[key[0]] = report.retired.get(key[0], 0) + 1
    _create_parents_first(to_create, desired, {key: row.pk for key, row in existing.items()})
    for fields, rows in to_update.items():
        for batch in _batched(rows):
            Territory.objects.bulk_update(batch, [*fields, "updated_at"])

    ids: dict[Key, int] = {
        (level, code): pk
        for pk, level, code in Territory.objects.values_list("id", "level", "code")
    }

    # Parents.
    parent_updates = []
    for row in Territory.objects.only("id", "level", "code", "parent_id"):
        item = desired.get((row.level, row.code))
        if item is None:
            continue
        parent_id = ids[item.parent] if item.parent else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            parent_updates.append(row)
    for batch in _batched(parent_updates):
        Territory.objects.bulk_update(batch, ["parent"])

    # Closure, diffed as id pairs so that a second run writes nothing.
    wanted_pairs = {
        (ids[key], ids[ancestor]): LEVEL_RANK[ancestor[0]]
        for key, item in desired.items()
        for ancestor in item.ancestors
    }
    scope_ids = {ids[key] for key in desired}
    existing_pairs = {
        (d, a): pk
        for pk, d, a in TerritoryAncestor.objects.values_list("id", "descendant_id", "ancestor_id")
        if d in scope_ids
    }
    stale = [pk for pair, pk in existing_pairs.items() if pair not in wanted_pairs]
    for batch in _batched(stale, 500):
        TerritoryAncestor.objects.filter(pk__in=batch).delete()
    new_pairs = [
        (d, a, rank) for (d, a), rank in wanted_pairs.items() if (d, a) not in existing_pairs
    ]
    fast_insert(TerritoryAncestor, ("descendant_id", "ancestor_id", "ancestor_rank"), new_pairs)
    report.closure_added, report.closure_removed = len(new_pairs), len(stale)

    # Postal codes.
    wanted_postal = {(code, ids[key]) for code, key in postal}
    place_ids = {ids[key] for _, key in postal} | {
        ids[key]
        for key in desired
        if key[0] in (TerritoryLevel.COMMUNE, TerritoryLevel.ARRONDISSEMENT)
    }
    existing_postal = {
        (code, commune_id): pk
        for pk, code, commune_id in PostalCode.objects.values_list("id", "code", "commune_id")
        if commune_id in place_ids
    }
    stale = [pk for pair, pk in existing_postal.items() if pair not in wanted_postal]
    for batch in _batched(stale, 500):
        PostalCode.objects.filter(pk__in=batch).delete()
    new_postal = [pair for pair in wanted_postal if pair not in existing_postal]
    fast_insert(PostalCode, ("code", "commune_id"), new_postal)
    report.postal_added, report.postal_removed = len(new_postal), len(stale)

    # Aliases of old commune codes.
    existing_aliases = {a.code: a for a in CommuneAlias.objects.all()}
    alias_create, alias_update = [], []
    for code, (name, target, reason) in aliases.items():
        commune_id = ids[target]
        row = existing_aliases.get(code)
        if row is None:
            alias_create.append(
                CommuneAlias(code=code, name=name, commune_id=commune_id, reason=reason)
            )
        elif (row.name, row.commune_id, row.reason) != (name, commune_id, reason):
            row.name, row.commune_id, row.reason = name, commune_id, reason
            alias_update.append(row)
    CommuneAlias.objects.bulk_create(alias_create, batch_size=2000)
    CommuneAlias.objects.bulk_update(alias_update, ["name", "commune", "reason"], batch_size=2000)
    if departements is None:
        gone = [code for code in existing_aliases if code not in aliases]
        report.aliases_removed = (
            CommuneAlias.objects.filter(code__in=gone).delete()[0] if gone else 0
        )
    report.aliases_added, report.aliases_updated = len(alias_create), len(alias_update)
    if report.changed:
        mark_reference_changed()
    _refresh_planner_statistics()
    report.seconds = time.perf_counter() - started
    return report


def _refresh_planner_statistics() -> None:
    """``ANALYZE`` the territory table (same statement on SQLite and PostgreSQL).

    Without statistics after a bulk load, SQLite reads "level IN (...) AND id IN (...)" through
    the (level, code) index, visiting every commune, instead of the primary key: a name search
    fetching ten communes took milliseconds instead of microseconds.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Territory._meta.db_table)}")


def mark_reference_changed() -> str:
    """Draw a new version token for the territory reference and return it.

    Every per-process cache built from the reference (``territories.place_index``) sees the new
    token on its next read and rebuilds. Called by the loader when it changed something, and on
    every save or deletion of a territory (``territories.signals``); inside a transaction, a
    rollback restores the previous token along with the data. The reference caches of the
    shared cache (the relay's countries, ``core.reference_cache``) move theirs on commit.
    """
    token = uuid.uuid4().hex
    ReferenceVersion.objects.update_or_create(
        pk=ReferenceVersion.SINGLETON_PK,
        defaults={"token": token, "changed_at": timezone.now()},
    )
    reference_cache.mark_changed(Territory._meta.label_lower)
    return token


def load_vendored_reference(
    *, path: Path | None = None, departements: Collection[str] | None = None
) -> LoadReport:
    """Load the reference file shipped in the repository (``settings.TERRITORY_DATA_FILE``)."""
    document = reference_build.read_document(Path(path or settings.TERRITORY_DATA_FILE))
    return load_territory_reference(document=document, departements=departements)
