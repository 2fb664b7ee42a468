"""What a person reads: why each relay is shown, its conditions, and what to try when nothing is
competent (docs/relay.md §6). Every sentence is built whole in one language — French or English —
from the codes the engine keeps (conditions, territories, countries, sectors), never translated
piece by piece.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.formats import number_format
from django.utils.translation import get_language, override, pgettext
from django.utils.translation import gettext as _

from core.geo import display_km
from structures.naming import sector_list_phrase
from structures.relay import reference
from structures.relay.enums import ConditionKind, FallbackKind, MarketMatch
from structures.relay.types import Condition, RelayResponse, RelayResult
from territories.naming import (
    ENGLISH,
    FRENCH,
    country_list_phrase,
    join_phrases,
    territory_phrase,
)


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


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
    return f"{number_format(shown, 1 if shown < 10 else 0, force_grouping=True)} km"


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


def with_reasons(results: list[RelayResult], query) -> list[RelayResult]:
    """The results with ``why_fr``, ``why_en`` and their ``notes`` (active language) written."""
    notes = [tuple(condition_texts(r.conditions)) for r in results]
    # One translation switch per language for the whole list: activating a language costs
    # more than writing the sentences.
    with override("fr"):
        french = [why(result, query.service, "fr") for result in results]
    with override("en"):
        english = [why(result, query.service, "en") for result in results]
    return [
        replace(result, notes=note, why_fr=fr, why_en=en)
        for result, note, fr, en in zip(results, notes, french, english, strict=True)
    ]


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
