"""The sentence that says why a relay is shown, in French and in English (docs/relay.md §6)."""

from __future__ import annotations

from dataclasses import replace

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from structures.relay.enums import FallbackKind, MarketMatch
from structures.relay.types import RelayResult


def with_reasons(results: list[RelayResult], service) -> list[RelayResult]:
    """The results with ``why_fr`` and ``why_en`` written."""
    # One translation switch per language for the whole list: activating a language costs
    # more than writing the sentences.
    with override("fr"):
        french = [why(result, service, "fr") for result in results]
    with override("en"):
        english = [why(result, service, "en") for result in results]
    return [
        replace(result, why_fr=fr, why_en=en)
        for result, fr, en in zip(results, french, english, strict=True)
    ]


def _distance(result: RelayResult) -> str:
    if result.distance_km < 1:
        distance = _("à moins de 1 km")
    else:
        # number_format follows the active language: "2,4 km" in French, "2.4 km" in English.
        km = number_format(result.distance_km, 0 if result.distance_km >= 10 else 1)
        distance = _("à %(km)s km") % {"km": km}
    if result.distance_is_approximate:
        distance += " " + _("(distance approximative)")
    return distance


def why(result: RelayResult, service, language: str) -> str:
    """A short sentence saying why this relay is shown (the caller activates ``language``)."""
    values = {
        "name": result.structure.acronym or result.structure.name,
        "service": service.name_en if language == "en" and service.name_en else service.name,
        "distance": _distance(result),
    }
    if result.fallback == FallbackKind.OUT_OF_AREA:
        sentence = _(
            "%(name)s propose « %(service)s » %(distance)s, mais votre commune est hors de sa zone."
        )
    elif result.fallback == FallbackKind.REMOTE:
        sentence = _("%(name)s propose « %(service)s » à distance, hors de sa zone (%(distance)s).")
    elif result.fallback == FallbackKind.PLANNED_MARKET:
        sentence = _(
            "%(name)s couvre votre commune pour « %(service)s » %(distance)s, mais ce marché n'est encore qu'en projet."
        )
    else:
        territory = result.matched_territory
        values["where"] = territory.name if territory else ""
        sentence = _("%(name)s couvre %(where)s pour « %(service)s », %(distance)s.")
    extra = []
    if result.market_match == MarketMatch.EXPLICIT:
        extra.append(_("Ce marché fait partie de ses marchés actifs."))
    if result.notes:
        extra.append(_("Conditions : %(notes)s.") % {"notes": " ; ".join(result.notes)})
    return " ".join([sentence % values, *extra])
