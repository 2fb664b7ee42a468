"""Reference tables the lookup reads on every call: a copy per process, reloaded when another
process (or this one) changed a table they are built from (core.reference_cache)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.reference_cache import ReferenceCache
from structures.enums import SectorKind


def _load_services() -> dict:
    from structures.models import Service

    return {service.code: service for service in Service.objects.all()}


def _load_countries() -> dict:
    from territories.models import Territory

    return {t.code: t for t in Territory.objects.filter(level="country")}


@dataclass(frozen=True)
class SectorTables:
    expansions: dict[str, frozenset[str]]  # sector code → codes an offer may name to match it
    section_of: dict[str, str]  # NAF division → section
    names: dict[str, tuple[str, str, str]]  # code → (kind, French name, English name)


def _load_sectors() -> SectorTables:
    """Sector expansion (docs/relay.md §3), computed once for every sector code."""
    from structures.models import Sector

    rows = list(Sector.objects.values_list("pk", "code", "kind", "parent__code"))
    names = {
        code: (kind, name, name_en)
        for code, kind, name, name_en in Sector.objects.values_list(
            "code", "kind", "name", "name_en"
        )
    }
    code_of = {pk: code for pk, code, _kind, _parent in rows}
    kind_of = {code: kind for _pk, code, kind, _parent in rows}
    section_of = {
        code: parent
        for _pk, code, kind, parent in rows
        if kind == SectorKind.NAF_DIVISION and parent
    }
    children: dict[str, set[str]] = defaultdict(set)
    for division, section in section_of.items():
        children[section].add(division)
    filiere_divisions: dict[str, set[str]] = defaultdict(set)
    for from_id, to_id in Sector.naf_divisions.through.objects.values_list(
        "from_sector_id", "to_sector_id"
    ):
        filiere_divisions[code_of[from_id]].add(code_of[to_id])
    filieres_of: dict[str, set[str]] = defaultdict(set)
    for filiere, divisions in filiere_divisions.items():
        for division in divisions:
            filieres_of[division].add(filiere)
    expansions = {}
    for code, kind in kind_of.items():
        codes = {code}
        if kind == SectorKind.NAF_DIVISION:
            if code in section_of:
                codes.add(section_of[code])
            codes |= filieres_of.get(code, set())
        elif kind == SectorKind.NAF_SECTION:
            codes |= children.get(code, set())
        else:
            for division in filiere_divisions.get(code, ()):
                codes.add(division)
                if division in section_of:
                    codes.add(section_of[division])
        expansions[code] = frozenset(codes)
    return SectorTables(expansions=expansions, section_of=section_of, names=names)


# Model labels: the version tokens the writers of these tables move (structures.relay.signals,
# territories.services.mark_reference_changed).
SERVICE_TABLE = "structures.service"
SECTOR_TABLE = "structures.sector"
TERRITORY_TABLE = "territories.territory"
PROGRAMME_TABLE = "structures.programme"
# Not reference tables, but what the loaded offers of the relay results are read from
# (``structures.relay.results``): the index's token moves with every refresh of the index
# (every write of an offer or a structure), the contacts' with every contact write.
RELAY_INDEX_TABLE = "structures.relayindexentry"
CONTACT_TABLE = "structures.contact"
# Every write of a structure (the doors of programmes show structures with no offer, which the
# index's token does not follow).
STRUCTURE_TABLE = "structures.structure"

services = ReferenceCache(_load_services, tables=[SERVICE_TABLE])
countries = ReferenceCache(_load_countries, tables=[TERRITORY_TABLE])
sectors = ReferenceCache(_load_sectors, tables=[SECTOR_TABLE])
