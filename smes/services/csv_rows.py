"""Row parsing of the SME CSV import: SIRENE (or project) columns → one row of the staging table.

The reference the rows are checked against (every current commune and arrondissement, the old
commune codes, La Poste's postal codes, countries, services, NAF divisions) is loaded once per
import, in a handful of queries and a few megabytes (``load_lookups``), so that parsing a row
(``parse_row``) is dictionary look-ups only. The rules are documented in
``smes.services.csv_import``; the staged values are merged into ``SME`` by
``smes.services.csv_load``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import luhn

from core.text import normalize_name
from smes.enums import EmployeeRange, ExportStage
from smes.validators import (
    clean_naf,
    clean_siret,
    naf_divisions,
    normalize_identifier,
    normalize_naf,
)

# Header names are matched case-insensitively; each key is the lower-case column name.
NAME_COLUMNS = (
    "name",
    "denominationunitelegale",
    "denominationusuelleetablissement",
    "enseigne1etablissement",
)
# Lower-case key → the spelling shown in messages.
REQUIRED_COLUMNS = {
    "siret": "siret",
    "codecommuneetablissement": "codeCommuneEtablissement (ou commune.code)",
}
# The registry's own columns (those of the SME CSV export, ``/api/v1/smes/?format=csv``, and
# of the API input) → the SIRENE column they stand for. A file may use either spelling, not
# both for the same value.
OWN_COLUMNS = {
    "naf_code": "activiteprincipaleetablissement",
    "employee_range": "trancheeffectifsetablissement",
    "created_on": "datecreationetablissement",
    "postal_code": "codepostaletablissement",
    "commune": "codecommuneetablissement",
    "commune.code": "codecommuneetablissement",
    "commune_code": "codecommuneetablissement",
}

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


# Column bounds of ``SME`` (PositiveIntegerField, PositiveBigIntegerField), checked here so that
# a huge number is a rejected row rather than a failed load.
_MAX_EMPLOYEES = 2_147_483_647
_MAX_TURNOVER = 9_223_372_036_854_775_807
_EMPLOYEE_RANGES = frozenset(EmployeeRange.values)
_NAF_CANONICAL = re.compile(r"\d{2}\.\d{2}[A-Z]")

# The staging table's columns, in the order ``parse_row`` builds them. ``None`` means "not given
# by the file": the merge keeps the current value (or the model default on creation).
STAGE_COLUMNS = (
    "siret",
    "siren",
    "line",
    "name",
    "naf_code",
    "sector_id",
    "legal_form",
    "employees",
    "employee_range",
    "turnover_eur",
    "created_on",
    "address_line",
    "postal_code",
    "commune_id",
    "latitude",
    "longitude",
    "export_stage",
    "export_share",
    "is_innovative",
    "markets_given",
    "needs_given",
)


@dataclass(frozen=True, slots=True)
class Place:
    """What the import needs of a commune or arrondissement (not a model instance: 35,000 of
    them are loaded for every import)."""

    pk: int
    code: str
    parent_id: int | None
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass
class Lookups:
    """The whole reference the rows are checked against, loaded once per import."""

    communes: dict[str, Place]
    aliases: dict[str, Place]
    postal_communes: dict[str, set[int]]
    countries: dict[str, int]
    services: dict[str, int]
    sectors: dict[str, int]  # NAF division → Sector id


def _split_codes(value: str) -> list[str]:
    return [code for code in _LIST_SEPARATORS.split(value.strip()) if code]


def load_lookups() -> Lookups:
    """Every code a row may name, keyed by code: a few queries, about 10 MB for France."""
    from structures.enums import SectorKind
    from structures.models import Sector, Service
    from territories.models import CommuneAlias, PostalCode, Territory

    places = Territory.objects.current().communes().values_list("id", "code", "parent_id", "name")
    communes = {code: Place(pk, code, parent, name) for pk, code, parent, name in places}
    aliases = {
        code: Place(pk, target, parent, name)
        for code, pk, target, parent, name in CommuneAlias.objects.values_list(
            "code", "commune_id", "commune__code", "commune__parent_id", "commune__name"
        )
    }
    postal_communes: dict[str, set[int]] = {}
    links = PostalCode.objects.values_list(
        "code", "commune_id", "commune__parent_id", "commune__level"
    )
    for code, commune_id, parent_id, level in links.iterator(chunk_size=10_000):
        served = postal_communes.setdefault(code, set())
        served.add(commune_id)
        # A postal code of a Lyon arrondissement also serves the commune of Lyon.
        if level == "arrondissement" and parent_id:
            served.add(parent_id)
    return Lookups(
        communes=communes,
        aliases=aliases,
        postal_communes=postal_communes,
        countries=dict(Territory.objects.filter(level="country").values_list("code", "id")),
        services=dict(Service.objects.values_list("code", "id")),
        sectors=dict(Sector.objects.filter(kind=SectorKind.NAF_DIVISION).values_list("code", "id")),
    )


def _departement_prefix(code: str) -> str:
    """The postal-code prefix of a commune's département ("34", "971", Corsica "20")."""
    if code.startswith("97"):
        return code[:3]
    if code[:2] in {"2A", "2B"}:
        return "20"
    return code[:2]


def _parse_int(
    value: str,
    *,
    label: str,
    reasons: list[str],
    maximum: int | None = None,
    ceiling: int = _MAX_TURNOVER,
) -> int | None:
    """A non-negative integer ("1 200", "35 %"); ``maximum`` is a rule of the field (said in the
    message), ``ceiling`` the column's bound."""
    if value.isascii() and value.isdigit():  # the common case, without Decimal
        number: Decimal | int | None = int(value)
    else:
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
    if number > ceiling:
        reasons.append(
            _("%(label)s « %(value)s » est trop grand.") % {"label": label, "value": value}
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


def _parse_date(value: str, reasons: list[str], today: datetime.date) -> datetime.date | None:
    parsed = None
    if len(value) == 10 and value[4] == "-" and value[7] == "-":  # SIRENE's form, in C
        try:
            parsed = datetime.date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                parsed = datetime.datetime.strptime(value, pattern).date()
            except ValueError:
                continue
            break
    if parsed is None:
        reasons.append(
            _("La date de création « %(value)s » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).")
            % {"value": value}
        )
        return None
    if parsed > today:
        reasons.append(_("La date de création « %(value)s » est dans le futur.") % {"value": value})
        return None
    return parsed


def _export_stage(value: str, reasons: list[str]) -> str | None:
    if value in ExportStage.values:
        return value
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


def _siret(value: str, reasons: list[str]) -> str | None:
    # Fast path: 14 ASCII digits whose SIRET and SIREN pass stdnum's Luhn checksum, called on
    # the canonical digits (``stdnum.fr.siret.is_valid`` would compact them twice more: it was
    # half of the time spent per row). Anything else — La Poste's establishments included,
    # whose rule is not Luhn — goes through ``clean_siret``: stdnum's full check and its message.
    if (
        len(value) == 14
        and value.isascii()
        and value.isdigit()
        and luhn.checksum(value) == 0
        and luhn.checksum(value[:9]) == 0
    ):
        return value
    try:
        return clean_siret(value)
    except ValidationError as error:
        reasons.extend(error.messages)
        return None


def _naf(value: str, reasons: list[str]) -> str | None:
    naf = value if _NAF_CANONICAL.fullmatch(value) else normalize_naf(value)
    if _NAF_CANONICAL.fullmatch(naf) and naf[:2] in naf_divisions():
        return naf
    try:
        return clean_naf(naf)
    except ValidationError as error:
        reasons.extend(error.messages)
        return None


@dataclass(slots=True)
class ParsedRow:
    """One parsed line: the staging values (``None`` when rejected) and what to report."""

    siret: str
    stage: tuple | None
    markets: list[int]
    needs: list[int]
    reasons: list[str]
    notes: list[str]


def parse_row(
    line: int,
    cells: dict[str, str],
    lookups: Lookups,
    present: frozenset[str],
    today: datetime.date,
) -> ParsedRow:
    """Check one row against the rules and the reference; every reason is listed, not the first.

    ``cells`` maps lower-case column names to raw values; ``present`` is the header's columns.
    """
    reasons: list[str] = []
    notes: list[str] = []

    def cell(name: str) -> str:
        return cells.get(name, "").strip()

    raw_siret = normalize_identifier(cell("siret"))
    siret = _siret(raw_siret, reasons)
    siren = normalize_identifier(cell("siren"))
    if siren and raw_siret and siren != raw_siret[:9]:
        reasons.append(
            _("Le SIREN « %(siren)s » ne correspond pas au SIRET « %(siret)s ».")
            % {"siren": siren, "siret": raw_siret}
        )

    name = ""
    for column in NAME_COLUMNS:
        if (value := cells.get(column)) and (value := value.strip()) and value != _NOT_DIFFUSED:
            name = value
            break
    if not name:
        reasons.append(_("Nom absent (denominationUniteLegale, enseigne ou name)."))

    naf_code = sector_id = None
    if naf := cell("activiteprincipaleetablissement"):
        nomenclature = cell("nomenclatureactiviteprincipaleetablissement")
        if nomenclature and nomenclature.upper() != "NAFV2":
            reasons.append(
                _(
                    "Code NAF « %(naf)s » dans la nomenclature %(nomenclature)s : seule la NAF rév. 2 est prise en charge."
                )
                % {"naf": naf, "nomenclature": nomenclature}
            )
        elif (naf_code := _naf(naf, reasons)) is not None:
            sector_id = lookups.sectors.get(naf_code[:2])

    employee_range = None
    if tranche := cell("trancheeffectifsetablissement"):
        if tranche.upper() in _EMPLOYEE_RANGES:
            employee_range = tranche.upper()
        else:
            reasons.append(_("Tranche d'effectif « %(value)s » inconnue.") % {"value": tranche})
    employees = turnover = created_on = None
    if value := cell("employees"):
        employees = _parse_int(value, label=_("Effectif"), reasons=reasons, ceiling=_MAX_EMPLOYEES)
    if value := cell("turnover_eur"):
        turnover = _parse_int(value, label=_("Chiffre d'affaires"), reasons=reasons)
    if value := cell("datecreationetablissement"):
        created_on = _parse_date(value, reasons, today)
    legal_form = (cell("categoriejuridiqueunitelegale") or cell("legal_form"))[:100] or None
    address_line = (cell("address_line") or _address_line(cells))[:255] or None

    commune = None
    commune_code = cell("codecommuneetablissement").upper()
    if not commune_code:
        reasons.append(_("Code commune absent (codeCommuneEtablissement)."))
    elif (commune := lookups.communes.get(commune_code)) is None:
        if (commune := lookups.aliases.get(commune_code)) is not None:
            notes.append(
                _("Ancien code commune %(old)s remplacé par %(commune)s.")
                % {"old": commune_code, "commune": commune}
            )
        else:
            reasons.append(_("Code commune « %(code)s » inconnu.") % {"code": commune_code})

    postal = None
    if postal_code := cell("codepostaletablissement"):
        if not (len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()):
            reasons.append(
                _("Code postal « %(code)s » invalide (5 chiffres).") % {"code": postal_code}
            )
        elif commune is not None:
            served = lookups.postal_communes.get(postal_code)
            matches = (
                commune.pk in served or commune.parent_id in served
                if served is not None
                else postal_code.startswith(_departement_prefix(commune.code))
            )
            if matches:
                postal = postal_code
            else:
                reasons.append(
                    _("Le code postal %(postal)s ne correspond pas à la commune %(commune)s.")
                    % {"postal": postal_code, "commune": commune}
                )

    lat = lon = None
    latitude, longitude = cell("latitude"), cell("longitude")
    # The registry's export gives every SME a point; only a geocoded one ("address") is the
    # firm's own, a commune centre is derived again from the commune.
    if cell("location_precision") not in {"", "address"}:
        latitude = longitude = ""
    if latitude or longitude:
        if not (latitude and longitude):
            reasons.append(_("Latitude et longitude vont ensemble : donnez les deux ou aucune."))
        else:
            lat = _parse_float(latitude, label=_("Latitude"), low=-90, high=90, reasons=reasons)
            lon = _parse_float(longitude, label=_("Longitude"), low=-180, high=180, reasons=reasons)
            if lat is None or lon is None:
                lat = lon = None

    export_stage = export_share = is_innovative = None
    if stage := cell("export_stage"):
        export_stage = _export_stage(stage, reasons)
    if share := cell("export_share"):
        export_share = _parse_int(share, label=_("Part à l'export"), reasons=reasons, maximum=100)

    markets: list[int] = []
    if "target_markets" in present and (codes := _split_codes(cell("target_markets"))):
        unknown = [code for code in codes if code.upper() not in lookups.countries]
        if unknown:
            reasons.append(
                _("Code(s) pays inconnu(s) : %(codes)s (ISO 3166 alpha-2 attendu, ex. « MA »).")
                % {"codes": ", ".join(unknown)}
            )
        else:
            markets = list(dict.fromkeys(lookups.countries[code.upper()] for code in codes))
    needs: list[int] = []
    if "needs" in present and (codes := _split_codes(cell("needs"))):
        unknown = [code for code in codes if code.lower() not in lookups.services]
        if unknown:
            reasons.append(
                _("Code(s) de service inconnu(s) : %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        else:
            needs = list(dict.fromkeys(lookups.services[code.lower()] for code in codes))

    if innovative := cell("is_innovative"):
        if innovative.lower() in _TRUE:
            is_innovative = True
        elif innovative.lower() in _FALSE:
            is_innovative = False
        else:
            reasons.append(
                _("Valeur « %(value)s » non reconnue pour is_innovative (oui/non, 1/0).")
                % {"value": innovative}
            )

    if reasons:
        return ParsedRow(raw_siret, None, [], [], reasons, notes)
    stage = (
        siret,
        siret[:9],
        line,
        name[:255],
        naf_code,
        sector_id,
        legal_form,
        employees,
        employee_range,
        turnover,
        created_on,
        address_line,
        postal,
        commune.pk,
        lat,
        lon,
        export_stage,
        export_share,
        is_innovative,
        bool(markets),
        bool(needs),
    )
    return ParsedRow(siret, stage, markets, needs, reasons, notes)
