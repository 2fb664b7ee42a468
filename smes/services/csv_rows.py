"""Row parsing of the SME CSV import: SIRENE columns → ``create_or_update_sme`` arguments.

Reference rows (communes, old codes, postal codes, countries, services) are loaded in a few
queries for the whole file (``load_lookups``) before any row is parsed (``parse_row``). The
rules are documented in ``smes.services.csv_import``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.text import normalize_name
from smes.enums import EmployeeRange, ExportStage
from smes.validators import clean_naf, clean_siret, normalize_identifier

# Header names are matched case-insensitively; each key is the lower-case column name.
NAME_COLUMNS = (
    "name",
    "denominationunitelegale",
    "denominationusuelleetablissement",
    "enseigne1etablissement",
)
# Lower-case key → the spelling shown in messages.
REQUIRED_COLUMNS = {"siret": "siret", "codecommuneetablissement": "codeCommuneEtablissement"}

# INSEE "type de voie" codes used in SIRENE, spelled out for the address line.
STREET_TYPES = {
    "ALL": "Allée",
    "AV": "Avenue",
    "BD": "Boulevard",
    "CAR": "Carrefour",
    "CHE": "Chemin",
    "CHS": "Chaussée",
    "CITE": "Cité",
    "COR": "Corniche",
    "CRS": "Cours",
    "DOM": "Domaine",
    "DSC": "Descente",
    "ECA": "Écart",
    "ESP": "Esplanade",
    "FG": "Faubourg",
    "GR": "Grande Rue",
    "HAM": "Hameau",
    "HLE": "Halle",
    "IMP": "Impasse",
    "LD": "Lieu-dit",
    "LOT": "Lotissement",
    "MAR": "Marché",
    "MTE": "Montée",
    "PARC": "Parc",
    "PAS": "Passage",
    "PL": "Place",
    "PLN": "Plaine",
    "PLT": "Plateau",
    "PRO": "Promenade",
    "PRV": "Parvis",
    "QUA": "Quartier",
    "QUAI": "Quai",
    "RES": "Résidence",
    "RLE": "Ruelle",
    "ROC": "Rocade",
    "RPT": "Rond-point",
    "RTE": "Route",
    "RUE": "Rue",
    "SEN": "Sentier",
    "SQ": "Square",
    "TPL": "Terre-plein",
    "TRA": "Traverse",
    "VLA": "Villa",
    "VLGE": "Village",
}
REPETITION_INDEXES = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}

_TRUE = {"1", "true", "vrai", "oui", "yes", "o", "y", "x"}
_FALSE = {"0", "false", "faux", "non", "no", "n"}
_LIST_SEPARATORS = re.compile(r"[;|,\s]+")
# SIRENE hides the names of persons who opted out of diffusion behind this marker.
_NOT_DIFFUSED = "[ND]"


@dataclass
class Row:
    line: int
    cells: dict[str, str]


@dataclass
class Lookups:
    """Reference rows needed by the file, loaded in a few queries before any row is read."""

    communes: dict[str, Any]
    aliases: dict[str, Any]
    postal_communes: dict[str, set[int]]
    countries: dict[str, Any]
    services: dict[str, Any]


def _batched(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _split_codes(value: str) -> list[str]:
    return [code for code in _LIST_SEPARATORS.split(value.strip()) if code]


def load_lookups(rows: list[Row]) -> Lookups:
    from structures.models import Service
    from territories.models import CommuneAlias, PostalCode, Territory

    commune_codes = {r.cells.get("codecommuneetablissement", "").strip().upper() for r in rows}
    commune_codes.discard("")
    postal_codes = {r.cells.get("codepostaletablissement", "").strip() for r in rows}
    postal_codes.discard("")
    countries = {c.upper() for r in rows for c in _split_codes(r.cells.get("target_markets", ""))}
    services = {c.lower() for r in rows for c in _split_codes(r.cells.get("needs", ""))}

    lookups = Lookups(communes={}, aliases={}, postal_communes={}, countries={}, services={})
    for batch in _batched(commune_codes):
        for commune in Territory.objects.current().communes().filter(code__in=batch):
            lookups.communes[commune.code] = commune
        for alias in CommuneAlias.objects.filter(code__in=batch).select_related("commune"):
            lookups.aliases[alias.code] = alias
    for batch in _batched(postal_codes):
        links = PostalCode.objects.filter(code__in=batch).values_list(
            "code", "commune_id", "commune__parent_id", "commune__level"
        )
        for code, commune_id, parent_id, level in links:
            served = lookups.postal_communes.setdefault(code, set())
            served.add(commune_id)
            # A postal code of a Lyon arrondissement also serves the commune of Lyon.
            if level == "arrondissement" and parent_id:
                served.add(parent_id)
    for batch in _batched(countries):
        for country in Territory.objects.filter(level="country", code__in=batch):
            lookups.countries[country.code] = country
    for batch in _batched(services):
        for service in Service.objects.filter(code__in=batch):
            lookups.services[service.code] = service
    return lookups


def _departement_prefix(commune) -> str:
    """The postal-code prefix of the commune's département ("34", "971", Corsica "20")."""
    code = commune.code
    if code.startswith("97"):
        return code[:3]
    if code[:2] in {"2A", "2B"}:
        return "20"
    return code[:2]


def _parse_int(
    value: str, *, label: str, reasons: list[str], maximum: int | None = None
) -> int | None:
    compact = re.sub(r"[\s\u00a0\u202f%]", "", value).replace(",", ".")
    try:
        number = Decimal(compact)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        reasons.append(
            _("%(label)s « %(value)s » n'est pas un nombre entier.")
            % {"label": label, "value": value}
        )
        return None
    if number < 0 or (maximum is not None and number > maximum):
        if maximum is None:
            reasons.append(
                _("%(label)s « %(value)s » ne peut pas être négatif.")
                % {"label": label, "value": value}
            )
        else:
            reasons.append(
                _("%(label)s « %(value)s » doit être compris entre 0 et %(max)s.")
                % {"label": label, "value": value, "max": maximum}
            )
        return None
    return int(number)


def _parse_float(
    value: str, *, label: str, low: float, high: float, reasons: list[str]
) -> float | None:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        reasons.append(
            _("%(label)s « %(value)s » n'est pas un nombre.") % {"label": label, "value": value}
        )
        return None
    if not (low <= number <= high):
        reasons.append(
            _("%(label)s « %(value)s » hors limites (%(low)s à %(high)s).")
            % {"label": label, "value": value, "low": low, "high": high}
        )
        return None
    return round(number, 6)


def _parse_date(value: str, reasons: list[str]) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            parsed = datetime.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
        if parsed > datetime.date.today():
            reasons.append(
                _("La date de création « %(value)s » est dans le futur.") % {"value": value}
            )
            return None
        return parsed
    reasons.append(
        _("La date de création « %(value)s » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).")
        % {"value": value}
    )
    return None


def _export_stage(value: str, reasons: list[str]) -> str | None:
    key = normalize_name(value)
    for choice in ExportStage:
        if key in {choice.value, normalize_name(str(choice.label))}:
            return choice.value
    reasons.append(
        _("Stade d'exportation « %(value)s » inconnu (attendu : %(choices)s).")
        % {"value": value, "choices": ", ".join(ExportStage.values)}
    )
    return None


def _address_line(cells: dict[str, str]) -> str:
    number = cells.get("numerovoieetablissement", "").strip()
    repetition = cells.get("indicerepetitionetablissement", "").strip().upper()
    street_type = cells.get("typevoieetablissement", "").strip().upper()
    street = cells.get("libellevoieetablissement", "").strip()
    parts = [
        number,
        REPETITION_INDEXES.get(repetition, repetition.lower()) if repetition else "",
        STREET_TYPES.get(street_type, street_type.capitalize()),
        street,
    ]
    return " ".join(part for part in parts if part)


def parse_row(
    row: Row, lookups: Lookups, present: set[str]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Turn one row into keyword arguments for ``create_or_update_sme``.

    Returns the arguments, the rejection reasons and informational notes.
    """
    cells = row.cells
    reasons: list[str] = []
    notes: list[str] = []
    values: dict[str, Any] = {}

    def cell(name: str) -> str:
        return cells.get(name, "").strip()

    siret = normalize_identifier(cell("siret"))
    try:
        values["siret"] = clean_siret(siret)
    except ValidationError as error:
        reasons.extend(error.messages)
    siren = normalize_identifier(cell("siren"))
    if siren and siret and siren != siret[:9]:
        reasons.append(
            _("Le SIREN « %(siren)s » ne correspond pas au SIRET « %(siret)s ».")
            % {"siren": siren, "siret": siret}
        )

    name = next((cell(c) for c in NAME_COLUMNS if cell(c) and cell(c) != _NOT_DIFFUSED), "")
    if name:
        values["name"] = name[:255]
    else:
        reasons.append(_("Nom absent (denominationUniteLegale, enseigne ou name)."))

    if naf := cell("activiteprincipaleetablissement"):
        nomenclature = cell("nomenclatureactiviteprincipaleetablissement")
        if nomenclature and nomenclature.upper() != "NAFV2":
            reasons.append(
                _(
                    "Code NAF « %(naf)s » dans la nomenclature %(nomenclature)s : seule la NAF rév. 2 est prise en charge."
                )
                % {"naf": naf, "nomenclature": nomenclature}
            )
        else:
            try:
                values["naf_code"] = clean_naf(naf)
            except ValidationError as error:
                reasons.extend(error.messages)

    if tranche := cell("trancheeffectifsetablissement"):
        if tranche.upper() in EmployeeRange.values:
            values["employee_range"] = tranche.upper()
        else:
            reasons.append(_("Tranche d'effectif « %(value)s » inconnue.") % {"value": tranche})
    if employees := cell("employees"):
        values["employees"] = _parse_int(employees, label=_("Effectif"), reasons=reasons)
    if turnover := cell("turnover_eur"):
        values["turnover_eur"] = _parse_int(
            turnover, label=_("Chiffre d'affaires"), reasons=reasons
        )
    if created := cell("datecreationetablissement"):
        values["created_on"] = _parse_date(created, reasons)
    if legal_form := (cell("categoriejuridiqueunitelegale") or cell("legal_form")):
        values["legal_form"] = legal_form[:100]
    if address := _address_line(cells):
        values["address_line"] = address[:255]

    commune = None
    commune_code = cell("codecommuneetablissement").upper()
    if not commune_code:
        reasons.append(_("Code commune absent (codeCommuneEtablissement)."))
    elif commune_code in lookups.communes:
        commune = lookups.communes[commune_code]
    elif commune_code in lookups.aliases:
        commune = lookups.aliases[commune_code].commune
        notes.append(
            _("Ancien code commune %(old)s remplacé par %(commune)s.")
            % {"old": commune_code, "commune": commune}
        )
    else:
        reasons.append(_("Code commune « %(code)s » inconnu.") % {"code": commune_code})
    if commune is not None:
        values["commune"] = commune

    if postal_code := cell("codepostaletablissement"):
        if not re.fullmatch(r"\d{5}", postal_code):
            reasons.append(
                _("Code postal « %(code)s » invalide (5 chiffres).") % {"code": postal_code}
            )
        elif commune is not None:
            served = lookups.postal_communes.get(postal_code)
            matches = (
                commune.pk in served or commune.parent_id in served
                if served is not None
                else postal_code.startswith(_departement_prefix(commune))
            )
            if matches:
                values["postal_code"] = postal_code
            else:
                reasons.append(
                    _("Le code postal %(postal)s ne correspond pas à la commune %(commune)s.")
                    % {"postal": postal_code, "commune": commune}
                )

    latitude, longitude = cell("latitude"), cell("longitude")
    if latitude or longitude:
        if not (latitude and longitude):
            reasons.append(_("Latitude et longitude vont ensemble : donnez les deux ou aucune."))
        else:
            lat = _parse_float(latitude, label=_("Latitude"), low=-90, high=90, reasons=reasons)
            lon = _parse_float(longitude, label=_("Longitude"), low=-180, high=180, reasons=reasons)
            if lat is not None and lon is not None:
                values["latitude"], values["longitude"] = lat, lon

    if stage := cell("export_stage"):
        values["export_stage"] = _export_stage(stage, reasons)
    if share := cell("export_share"):
        values["export_share"] = _parse_int(
            share, label=_("Part à l'export"), reasons=reasons, maximum=100
        )

    if "target_markets" in present and (markets := _split_codes(cell("target_markets"))):
        unknown = [code for code in markets if code.upper() not in lookups.countries]
        if unknown:
            reasons.append(
                _("Code(s) pays inconnu(s) : %(codes)s (ISO 3166 alpha-2 attendu, ex. « MA »).")
                % {"codes": ", ".join(unknown)}
            )
        else:
            values["target_markets"] = [lookups.countries[code.upper()] for code in markets]
    if "needs" in present and (needs := _split_codes(cell("needs"))):
        unknown = [code for code in needs if code.lower() not in lookups.services]
        if unknown:
            reasons.append(
                _("Code(s) de service inconnu(s) : %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        else:
            values["needs"] = [lookups.services[code.lower()] for code in needs]

    if innovative := cell("is_innovative"):
        if innovative.lower() in _TRUE:
            values["is_innovative"] = True
        elif innovative.lower() in _FALSE:
            values["is_innovative"] = False
        else:
            reasons.append(
                _("Valeur « %(value)s » non reconnue pour is_innovative (oui/non, 1/0).")
                % {"value": innovative}
            )
    return values, reasons, notes
