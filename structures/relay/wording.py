"""What a person reads: why each relay is shown, its conditions, and what to try when nothing is
competent (docs/relay.md §6). Every sentence is built whole in one language — French or English —
from the codes the engine keeps (conditions, territories, countries, sectors), never translated
piece by piece.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils import numberformat, translation
from django.utils.formats import get_format, number_format
from django.utils.translation import trans_real

from core.geo import display_km
from core.reference_cache import ReferenceCache
from structures.naming import sector_list_phrase
from structures.relay import reference
from structures.relay.enums import ConditionKind, FallbackKind, MarketMatch
from structures.relay.types import Condition, RelayResponse, RelayResult, Sentences
from territories.naming import (
    ENGLISH,
    FRENCH,
    country_list_phrase,
    join_phrases,
    territory_phrase,
)


# The language being written, while ``Reasons`` writes a list of results in it: Django's
# gettext looks the active language up in an asyncio-aware local on every call, then walks a
# chain of catalogues, and number_format reads three formats the same way — a third of a lookup
# (bench_relay under cProfile: 33,000 such lookups for 400 searches). Bound once per language
# here, with the messages already looked up. Unset, the functions below use Django's functions
# as any caller would.
@dataclass
class _Writing:
    english: bool
    catalog: trans_real.DjangoTranslation
    decimal_separator: str
    grouping: int
    thousand_separator: str
    messages: dict[str, str]


_writing: ContextVar[_Writing | None] = ContextVar("relay_wording", default=None)
# Per catalogue (Django builds a new one when the translation settings change, in tests).
_looked_up: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextmanager
def _written_in(language: str) -> Iterator[None]:
    """Activate ``language`` (for the helpers that read it) and bind its catalogue once."""
    with translation.override(language):
        catalog = trans_real.translation(language)
        token = _writing.set(
            _Writing(
                english=language.startswith("en"),
                catalog=catalog,
                decimal_separator=get_format("DECIMAL_SEPARATOR", language),
                grouping=get_format("NUMBER_GROUPING", language),
                thousand_separator=get_format("THOUSAND_SEPARATOR", language),
                messages=_looked_up.setdefault(catalog, {}),
            )
        )
        try:
            yield
        finally:
            _writing.reset(token)


def _(message: str) -> str:
    writing = _writing.get()
    if writing is None:
        return translation.gettext(message)
    found = writing.messages.get(message)
    if found is None:
        found = writing.messages[message] = writing.catalog.gettext(message)
    return found


def pgettext(context: str, message: str) -> str:
    if _writing.get() is None:
        return translation.pgettext(context, message)
    # A variable, not a literal: xgettext would extract a literal argument of ``_`` as a message.
    key = f"{context}\x04{message}"
    result = _(key)
    # No translation: gettext gives back the key with its context (as Django's pgettext).
    return message if "\x04" in result else result


def _english() -> bool:
    writing = _writing.get()
    if writing is not None:
        return writing.english
    return (translation.get_language() or "fr").startswith("en")


def _number(value: float, decimal_pos: int) -> str:
    """``number_format(value, decimal_pos, force_grouping=True)``, with the bound separators."""
    writing = _writing.get()
    if writing is None:
        return number_format(value, decimal_pos, force_grouping=True)
    return numberformat.format(
        value,
        writing.decimal_separator,
        decimal_pos,
        writing.grouping,
        writing.thousand_separator,
        force_grouping=True,
        use_l10n=True,
    )


# --- Names ----------------------------------------------------------------------------------------


def _language() -> str:
    return ENGLISH if _english() else FRENCH


@dataclass(frozen=True)
class _Sector:
    code: str
    kind: str
    name: str
    name_en: str


def _sectors(codes: tuple[str, ...], *, preposition: str) -> str:
    names = reference.sectors.get().names
    sectors = [_Sector(code, *names.get(code, ("", code, ""))) for code in codes]
    return sector_list_phrase(sectors=sectors, language=_language(), preposition=preposition)


def _countries(codes: tuple[str, ...], *, preposition: str) -> str:
    countries = reference.countries.get()
    known = [countries[code] for code in codes if code in countries]
    return country_list_phrase(countries=known, language=_language(), preposition=preposition)


def _joined(items: list[str]) -> str:
    return join_phrases(phrases=items, language=_language())


# --- Distances ------------------------------------------------------------------------------------


def km_text(km: float) -> str:
    """ "2,4 km", "9 357 km" in French, "2.4 km", "9,357 km" in English: the one rounding
    (``display_km``), the active language's separators."""
    shown = display_km(km)
    return f"{_number(shown, 1 if shown < 10 else 0)} km"


def distance_label(result: RelayResult) -> str:
    """The distance as a card shows it: "moins de 1 km", "environ 196 km" when approximate."""
    if result.distance_km < 1:
        return _("moins de 1 km")
    text = km_text(result.distance_km)
    return (
        _("environ %(distance)s") % {"distance": text} if result.distance_is_approximate else text
    )


def _distance_phrase(result: RelayResult) -> str:
    if result.distance_km < 1:
        distance = _("à moins de 1 km")
    else:
        distance = _("à %(km)s") % {"km": km_text(result.distance_km)}
    if result.distance_is_approximate:
        distance += " " + _("(distance approximative)")
    return distance


# --- Conditions -----------------------------------------------------------------------------------


def _employees(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("de %(low)d à %(high)d salariés") % {"low": low, "high": high}
    if low is not None:
        return _("à partir de %(low)d salariés") % {"low": low}
    return _("jusqu'à %(high)d salariés") % {"high": high}


def condition_text(condition: Condition) -> str:
    """A condition in plain words, in the active language: names, never codes."""
    kind = condition.kind
    if kind in (ConditionKind.SECTORS, ConditionKind.NAF_INCLUDE):
        return _("réservé %(sectors)s") % {
            "sectors": _sectors(condition.codes, preposition=pgettext("réservé à", "à"))
        }
    if kind == ConditionKind.NAF_EXCLUDE:
        return _("sauf %(sectors)s") % {"sectors": _sectors(condition.codes, preposition="")}
    if kind == ConditionKind.MARKETS:
        return _countries(condition.codes, preposition=pgettext("pour un marché", "pour"))
    if kind == ConditionKind.EMPLOYEES:
        return _employees(condition.low, condition.high)
    if kind == ConditionKind.MIN_AGE:
        return _("entreprises d'au moins %(years)d ans") % {"years": condition.low}
    if kind == ConditionKind.MEMBERS_ONLY:
        if condition.met:
            return _("réservé aux adhérents (vous l'êtes)")
        return _("réservé aux adhérents")
    return _("sur candidature")


def condition_texts(conditions) -> list[str]:
    """The conditions in plain words, in the active language (cards, structure page)."""
    return [condition_text(c) for c in conditions]


# --- Sentences ------------------------------------------------------------------------------------


def _service_name(service) -> str:
    return (service.name_en or service.name) if _english() else service.name


def _lead(result: RelayResult, values: dict) -> str:
    """The first sentence: what the relay is to this search."""
    kind = result.fallback
    if kind == FallbackKind.OUT_OF_AREA:
        return (
            _(
                "%(name)s propose « %(service)s » %(distance)s, mais votre commune est hors de sa zone."
            )
            % values
        )
    if kind == FallbackKind.REMOTE:
        return (
            _("%(name)s propose « %(service)s » à distance, hors de sa zone (%(distance)s).")
            % values
        )
    if kind == FallbackKind.PLANNED_MARKET:
        return (
            _(
                "%(name)s couvre votre commune pour « %(service)s » %(distance)s, mais ce marché n'est encore qu'en projet."
            )
            % values
        )
    if kind == FallbackKind.NEAR_MISS:
        return _(
            "%(name)s couvre votre commune pour « %(service)s » %(distance)s, à une condition près : %(missed)s."
        ) % {**values, "missed": condition_text(result.missed)}
    if kind == FallbackKind.GENERALIST:
        return (
            _(
                "Aucun relais n'est compétent ici pour ce besoin : %(name)s, premier contact "
                "généraliste %(distance)s, saura vous orienter."
            )
            % values
        )
    territory = result.matched_territory
    values["where"] = (
        territory_phrase(territory=territory, language=_language()) if territory else ""
    )
    return _("%(name)s couvre %(where)s pour « %(service)s », %(distance)s.") % values


def why(result: RelayResult, service, language: str) -> str:
    """A short text saying why this relay is shown (the caller activates ``language``)."""
    values = {
        "name": result.structure.acronym or result.structure.name,
        "service": _service_name(service),
        "distance": _distance_phrase(result),
    }
    parts = [_lead(result, values)]
    if result.region_first:
        parts.append(
            _(
                "Il est dans votre région, qui passe d'abord pour ce service (règle des opérations d'export)."
            )
        )
    if result.is_national:
        parts.append(
            _("Service national, joignable par téléphone ou visio.")
            if result.is_remote
            else _("Service national.")
        )
    if result.market_match == MarketMatch.EXPLICIT:
        parts.append(_("Ce marché fait partie de ses marchés actifs."))
    stated = [c for c in result.conditions if c.met is not False]
    if stated:
        separator = "; " if _english() else " ; "
        parts.append(
            _("Conditions : %(notes)s.") % {"notes": separator.join(condition_texts(stated))}
        )
    return " ".join(parts)


# The conditions of an offer, in words, per language catalogue: the same few hundred condition
# lists come back lookup after lookup, and writing them (and binding the language to write them)
# was a sixth of a lookup. Dropped when a sector's or a country's name may have changed.
_NOTES_KEPT = 20_000
_written_notes = ReferenceCache(dict, tables=[reference.SECTOR_TABLE, reference.TERRITORY_TABLE])


def _notes(conditions: list[tuple[Condition, ...]]) -> list[tuple[str, ...]]:
    """Each list of conditions in words, in the active language."""
    language = "en" if _english() else "fr"
    catalog = trans_real.translation(language)
    written = _written_notes.get()
    keys = [(catalog, listed) for listed in conditions]
    missing = [key for key in keys if key not in written]
    if missing:
        if len(written) > _NOTES_KEPT:
            written.clear()
        with _written_in(language):
            for key in missing:
                written[key] = tuple(condition_texts(key[1]))
    return [written[key] for key in keys]


class Reasons:
    """What explains a list of results: each one's ``notes`` (its conditions, in the active
    language), and the list's sentences (``why_fr``, ``why_en``), written for the whole list
    when a language is first read. The results are loaded with both (``load_results``), then
    handed back in ``results``, which the sentences are written from."""

    def __init__(self, conditions: list[tuple[Condition, ...]], query) -> None:
        self.notes = _notes(conditions)
        self.results: list[RelayResult] = []
        self.sentences = Sentences(self._write)
        self._service = query.service

    def _write(self, language: str) -> list[str]:
        # One translation switch per language for the whole list: activating a language costs
        # more than writing the sentences.
        with _written_in(language):
            return [why(result, self._service, language) for result in self.results]


def with_hint(response: RelayResponse) -> RelayResponse:
    """When nothing is competent, what to try — naming only what the search narrowed."""
    if response.results:
        return response
    tries = []
    if response.sectors:
        tries.append(_("sans secteur"))
    if response.country is not None:
        tries.append(_("sans pays visé"))
    if response.profile_given:
        tries.append(_("sans préciser votre entreprise"))
    if tries:
        hint = _(
            "Aucun relais n'est compétent pour ce besoin avec ces critères. Essayez %(tries)s."
        ) % {"tries": _joined([str(t) for t in tries])}
    else:
        hint = _(
            "Aucun relais n'offre ce service pour votre commune. Essayez un service voisin "
            "(information et orientation, diagnostic export)."
        )
    response.hint = str(hint)
    return response
