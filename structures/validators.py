"""Validators and normalisers for what staff type into a listing.

Each validator raises a ``ValidationError`` with a French message that names the problem and shows
an accepted form; each normaliser returns the canonical stored form (and leaves invalid input
unchanged, so that the validator reports it).

Phone numbers are parsed, checked and formatted by phonenumbers. Opening hours are parsed here,
not by opening-hours-py: version 2.1.4 was tried (``validate()``, ``OpeningHours(value,
country="FR")`` with ``intervals()`` over a reference week, ``normalize()``) and cannot do the job:

- Its Python binding exposes no parsed rules, only evaluation (state, intervals, next change) and
  a normalised string. The readable lines of the public pages ("lun.–ven. : 9 h–12 h,
  14 h–17 h 30", "jours fériés : fermé") would have to be rebuilt from the intervals of a sample
  week, which lose what those lines say: "PH off" and "SH off" yield no interval (closed is the
  default, and it has no school-holiday calendar), a public holiday only shows as a missing day
  in a week that happens to contain one, an explicit "Sa,Su closed" looks like nothing at all,
  and "Mo-Sa 22:00-02:00" comes back cut at midnight into per-day pieces.
- It validates the whole OSM grammar, while the registry refuses on purpose what it cannot show
  as a plain week (months, weeks, years, nth weekdays, easter, sun events, comments) and typos
  that OSM gives a meaning to ("09:00-09:00" is 24 hours, "Mo-Fr 09:00-12:00 off" is closed); it
  also rejects the trailing ";" that staff type and the normaliser removes. This parser would be
  needed on top of it anyway.
- Its errors are one exception type (``ParserError``) carrying an English parser trace
  ("expected EOI, any_rule_separator, rules_modifier…"), which cannot be turned into the French
  messages below that name the faulty day, range or rule.
- ``normalize()`` rewrites what staff typed ("Fr-Mo" → "Mo,Fr-Su", "off" → "closed", drops
  "Sa,Su closed"); the registry only collapses blanks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- Phone numbers ------------------------------------------------------------------------------

# France's numbering plan is integrated: the overseas territories are reached with ordinary
# ten-digit national numbers but dialled with their own country code from abroad, so a stored
# +33 590… would not ring in Guadeloupe. libphonenumber reads every national number typed in
# France as +33 (google/libphonenumber#2135): these ARCEP blocks say which territory a national
# number belongs to. A region rather than a calling code, so that phonenumbers checks the number
# against that territory's allocations (and, through the shared code, its neighbours': GP
# covers Saint-Barthélemy and Saint-Martin, RE covers Mayotte).
_OVERSEAS_REGIONS = {
    "0590": "GP",  # Guadeloupe, Saint-Barthélemy, Saint-Martin (fixe)
    "0690": "GP",
    "0691": "GP",
    "0594": "GF",  # Guyane
    "0694": "GF",
    "0596": "MQ",  # Martinique
    "0696": "MQ",
    "0697": "MQ",
    "0262": "RE",  # La Réunion
    "0263": "RE",
    "0692": "RE",
    "0693": "RE",
    "0269": "YT",  # Mayotte
    "0639": "YT",
    "0508": "PM",  # Saint-Pierre-et-Miquelon
}
# Saint-Pierre-et-Miquelon's numbers have six digits (+508 41 12 34); 05 08 only reaches them
# from the French plan and is not part of the number.
_SAINT_PIERRE = "PM"
# phonenumbers extracts a number out of surrounding text, reads letters as keypad digits and
# splits off extensions, none of which E.164 can store: anything but digits and the usual
# separators is refused rather than silently dropped.
_PHONE_CHARACTERS = re.compile(r"[+\d\s.\-/()]+")
# "+33 (0)4…" is the conventional way to show the trunk zero; a bare "+33 0…" is dialled nowhere.
# phonenumbers would drop the zero silently; the registry asks for the number to be corrected.
_TRUNK_ZERO_AFTER_33 = re.compile(r"(?:\+|00)33[\s.\-/]*0")
_PHONE_EXAMPLES = "04 65 71 12 34, +33 4 65 71 12 34 ou +212 522 12 34 56"


def _parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    """The number typed in ``value`` (national French form or international), if valid.

    ``is_valid_number`` rather than ``is_possible_number``: "possible" only checks the length,
    so it would accept "00 00 00 00 00", a mobile in an unallocated block or a Réunion number in
    a range no operator holds. The ARCEP fiction ranges used by the demo data and the tests
    (01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49) sit inside allocated geographic blocks
    and are valid. The cost: a block allocated after the pinned phonenumbers release is refused
    until phonenumbers is upgraded.
    """
    raw = value.strip().replace("(0)", "")
    if not _PHONE_CHARACTERS.fullmatch(raw) or _TRUNK_ZERO_AFTER_33.match(raw):
        return None
    try:
        number = phonenumbers.parse(raw, "FR")
        if number.country_code == 33:
            # "0590…" and "+33 590…" alike: the territory's own code is the one that rings.
            national = "0" + phonenumbers.national_significant_number(number)
            region = _OVERSEAS_REGIONS.get(national[:4])
            if region == _SAINT_PIERRE:
                number = phonenumbers.parse(national[4:], region)
            elif region:
                number = phonenumbers.parse(national, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value: str) -> str:
    """E.164 form of a phone number ("04 65 71 12 34" → "+33465711234"); blank stays blank."""
    if not value or not value.strip():
        return ""
    number = _parse_phone(value)
    if number is None:
        return value.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    if not value or not value.strip():
        return
    if _parse_phone(value) is None:
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un numéro de téléphone valide. Formats acceptés : "
                "%(examples)s."
            ),
            code="invalid_phone",
            params={"value": value, "examples": _PHONE_EXAMPLES},
        )


def format_phone(value: str) -> str:
    """Readable form of a stored number: "+33465711234" → "04 65 71 12 34", others as stored."""
    if not value.startswith("+33"):
        return value
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# --- Languages (ISO 639-1) ----------------------------------------------------------------------

_ISO_639_1_CODES = """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())


def split_languages(value: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,;\s]+", value or "") if part.strip()]


def normalize_languages(value: str) -> str:
    """ "FR, en;de" → "fr,en,de" (lower case, no duplicates, order kept)."""
    return ",".join(dict.fromkeys(split_languages(value)))


def validate_languages(value: str) -> None:
    unknown = [code for code in split_languages(value) if code not in ISO_639_1]
    if unknown:
        raise ValidationError(
            _(
                "Code(s) de langue inconnu(s) : %(codes)s. Indiquez des codes ISO 639-1 à deux "
                "lettres séparés par des virgules, par exemple « fr,en,es »."
            ),
            code="invalid_language",
            params={"codes": ", ".join(unknown)},
        )


# --- Opening hours (OpenStreetMap syntax, common subset) ----------------------------------------

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_ALIASES = {"PH": "PH", "SH": "SH"}
_TIME = r"(\d{1,2}):(\d{2})"
_TIME_RANGE = re.compile(rf"^{_TIME}-{_TIME}$")
_UNSUPPORTED = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|week|easter|sunrise|sunset|dawn|dusk)\b"
    r"|\b\d{4}\b|\[|\"|\+|\|\|"
)
_OH_EXAMPLE = "« Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off »"


@dataclass(frozen=True)
class OpeningRule:
    """One ``;``-separated rule: days (empty = every day), time ranges in minutes, or closed."""

    days: tuple[str, ...]
    ranges: tuple[tuple[int, int], ...]
    closed: bool = False


def _oh_error(message, **params) -> ValidationError:
    params.setdefault("example", _OH_EXAMPLE)
    return ValidationError(message, code="invalid_opening_hours", params=params)


def _parse_days(selector: str) -> tuple[str, ...]:
    days: list[str] = []
    for item in selector.split(","):
        item = item.strip()
        if item in _DAY_ALIASES:
            days.append(item)
            continue
        if "-" in item:
            start, _sep, end = item.partition("-")
            if start not in DAYS or end not in DAYS:
                raise _oh_error(
                    _(
                        "Plage de jours « %(item)s » invalide : utilisez Mo, Tu, We, Th, Fr, Sa, Su."
                    ),
                    item=item,
                )
            i, j = DAYS.index(start), DAYS.index(end)
            # "Sa-Mo" wraps over the week end, as in OSM.
            span = range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]
            days.extend(DAYS[k] for k in span)
            continue
        if item not in DAYS:
            raise _oh_error(
                _(
                    "Jour « %(item)s » inconnu : utilisez Mo, Tu, We, Th, Fr, Sa, Su, PH (jours "
                    "fériés) ou SH (vacances scolaires), par exemple %(example)s."
                ),
                item=item,
            )
        days.append(item)
    return tuple(dict.fromkeys(days))


def _parse_time(hours: str, minutes: str, *, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 48 or (h == 48 and m):
        raise _oh_error(
            _("Horaire « %(text)s » invalide : heures de 00 à 24, minutes de 00 à 59."), text=text
        )
    return h * 60 + m


def _parse_ranges(text: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for item in text.split(","):
        item = item.strip()
        match = _TIME_RANGE.match(item)
        if not match:
            raise _oh_error(
                _(
                    "Plage horaire « %(text)s » invalide : attendu HH:MM-HH:MM, par exemple "
                    "%(example)s."
                ),
                text=item,
            )
        start = _parse_time(match[1], match[2], text=item)
        end = _parse_time(match[3], match[4], text=item)
        if start >= 24 * 60:
            raise _oh_error(
                _("Horaire « %(text)s » invalide : une plage commence avant 24:00."), text=item
            )
        if start == end:
            raise _oh_error(
                _("Plage horaire « %(text)s » vide : début et fin identiques."), text=item
            )
        ranges.append((start, end))
    return tuple(ranges)


def parse_opening_hours(value: str) -> tuple[OpeningRule, ...]:
    """Parse the supported subset of the OSM ``opening_hours`` syntax.

    Supported: ``24/7``; rules separated by ``;``; day selectors (``Mo``, ``Mo-Fr``, ``Mo,We``,
    ``PH``, ``SH``); comma lists of ``HH:MM-HH:MM`` ranges (an end past midnight is allowed, as in
    OSM); ``off`` / ``closed``. Month, week, year, nth-weekday, solar events and comments are
    rejected with a message saying so: the lookup cannot interpret them reliably.
    """
    text = (value or "").strip()
    if not text:
        return ()
    if _UNSUPPORTED.search(text):
        raise _oh_error(
            _(
                "Les règles par mois, semaines, années, jours fériés mobiles, lever ou coucher du "
                "soleil et les commentaires ne sont pas pris en charge. Décrivez la semaine type, "
                "par exemple %(example)s."
            )
        )
    if text == "24/7":
        return (OpeningRule(days=(), ranges=((0, 24 * 60),)),)
    rules = []
    for raw_rule in text.split(";"):
        rule = " ".join(raw_rule.split())
        if not rule:
            continue
        words = rule.split(" ")
        closed = False
        if words[-1].lower() in ("off", "closed"):
            closed = True
            words = words[:-1]
        elif words[-1].lower() == "open":
            words = words[:-1]
        if len(words) > 2:
            raise _oh_error(
                _(
                    "Règle « %(rule)s » incomprise : attendu « jours horaires », par exemple %(example)s."
                ),
                rule=rule,
            )
        days: tuple[str, ...] = ()
        ranges: tuple[tuple[int, int], ...] = ()
        # A leading word that is not a time range is a day selector (and must parse as one).
        if words and (len(words) == 2 or not words[0][:1].isdigit()):
            days = _parse_days(words.pop(0))
        if words:
            if len(words) > 1:
                raise _oh_error(
                    _(
                        "Règle « %(rule)s » incomprise : attendu « jours horaires », par exemple %(example)s."
                    ),
                    rule=rule,
                )
            if closed:
                raise _oh_error(
                    _("Règle « %(rule)s » contradictoire : des horaires et « off »."), rule=rule
                )
            ranges = _parse_ranges(words[0])
        elif not closed and not days:
            raise _oh_error(_("Règle vide dans « %(value)s »."), value=text)
        elif not closed:
            # "Mo-Fr" alone means open all day on those days (OSM semantics).
            ranges = ((0, 24 * 60),)
        rules.append(OpeningRule(days=days, ranges=ranges, closed=closed))
    if not rules:
        raise _oh_error(
            _("Horaires vides : laissez le champ vide ou écrivez par exemple %(example)s.")
        )
    return tuple(rules)


def validate_opening_hours(value: str) -> None:
    parse_opening_hours(value)


def normalize_opening_hours(value: str) -> str:
    """Collapse blanks: " Mo-Fr  09:00-12:00 ;Sa off" → "Mo-Fr 09:00-12:00; Sa off"."""
    rules = [" ".join(part.split()) for part in (value or "").split(";")]
    return "; ".join(rule for rule in rules if rule)


# --- Coordinates --------------------------------------------------------------------------------

# About 25 km: a structure at the edge of its département is not flagged for a commune point
# sitting a few kilometres inside the border.
DEPARTEMENT_BOX_MARGIN_DEGREES = 0.25


def departement_bounds(departement) -> tuple[float, float, float, float] | None:
    """(min_lat, max_lat, min_lon, max_lon) of the points of a département's communes."""
    from django.db.models import Max, Min

    from territories.models import Territory

    bounds = (
        Territory.objects.descendants_of(departement)
        .communes()
        .filter(latitude__isnull=False)
        .aggregate(
            min_lat=Min("latitude"),
            max_lat=Max("latitude"),
            min_lon=Min("longitude"),
            max_lon=Max("longitude"),
        )
    )
    if bounds["min_lat"] is None:
        return None
    return bounds["min_lat"], bounds["max_lat"], bounds["min_lon"], bounds["max_lon"]


def coordinates_outside_departement(commune, latitude: float, longitude: float) -> bool:
    """True when the point falls outside a generous box around the commune's département.

    The box is the extent of the département's commune points plus a margin; a point outside it is
    most likely a geocoding error (swapped latitude and longitude, wrong homonymous commune). Not
    an error: a structure may legitimately sit elsewhere; the listing is flagged for review.
    """
    from territories.enums import TerritoryLevel
    from territories.models import Territory

    departement = (
        Territory.objects.ancestors_of(commune).filter(level=TerritoryLevel.DEPARTEMENT).first()
    )
    if departement is None:
        return False
    bounds = departement_bounds(departement)
    if bounds is None:
        return False
    min_lat, max_lat, min_lon, max_lon = bounds
    margin = DEPARTEMENT_BOX_MARGIN_DEGREES
    return not (
        min_lat - margin <= latitude <= max_lat + margin
        and min_lon - margin <= longitude <= max_lon + margin
    )
