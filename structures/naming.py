"""Names of sectors (filières, NAF sections and divisions) in running text, French and English.

For the conditions the relay lookup writes ("réservé à l'agroalimentaire", "réservé au secteur
« Industries alimentaires » (NAF 10)"), with the conventions of ``territories.naming``:
keyword-only functions taking ``language`` "fr" or "en" explicitly, French contracted with "à"
and "de". A sector is read through ``code``, ``kind``, ``name`` and ``name_en`` (a ``Sector``
row, or any object with those attributes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from structures.enums import SectorKind
from territories.naming import ENGLISH, FRENCH, Remainder, enumerate_phrases, join_phrases

OTHER_SECTORS = Remainder(french="autres secteurs", english="other sectors")


class NamedSector(Protocol):
    """What the functions read of a sector (``structures.models.Sector``)."""

    @property
    def code(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def name_en(self) -> str: ...


# The articles of each filière of the catalogue (``structures.catalogue.FILIERES``), one per
# noun its French name joins with commas and "et": "Santé et biotechnologies" is "la santé et
# les biotechnologies", hence "à la santé et aux biotechnologies". A filière missing here (or
# whose name no longer has as many nouns) is written "la filière « … »", always correct.
_FILIERE_ARTICLES: dict[str, tuple[str, ...]] = {
    "agroalimentaire": ("l'",),
    "vins-spiritueux": ("les ", "les "),
    "aeronautique-spatial": ("l'", "le "),
    "numerique": ("le ",),
    "image-contenus": ("l'", "les "),
    "sante-biotech": ("la ", "les "),
    "mobilite-automobile": ("la ", "l'"),
    "mecanique": ("la ", "la "),
    "textile-habillement": ("le ", "l'"),
    "cosmetique-parfum": ("la ", "la "),
    "chimie-materiaux": ("la ", "les "),
    "energie": ("l'",),
    "environnement": ("l'", "les ", "l'"),
    "glisse-sport": ("la ", "les "),
}

_CONJUNCTS = re.compile(r", | et ")


def _check_language(language: str) -> None:
    if language not in (FRENCH, ENGLISH):
        raise ValueError(f"Langue inconnue : {language!r} (attendu : fr ou en).")


def _contract(article: str, noun: str, preposition: str) -> str:
    """One French noun with its article after "à" or "de" (or none): "aux biotechnologies"."""
    if preposition == "à":
        article = {"le ": "au ", "les ": "aux "}.get(article, f"à {article}")
    elif preposition == "de":
        article = {"le ": "du ", "les ": "des "}.get(article, f"de {article}")
    elif preposition:
        article = f"{preposition} {article}"
    return f"{article}{noun}"


def _lower_first(text: str) -> str:
    # "Agroalimentaire" → "agroalimentaire", but an acronym keeps its capitals ("TIC").
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _code_label(sector: NamedSector, language: str) -> str:
    if sector.kind == SectorKind.NAF_SECTION:
        return f"NAF section {sector.code}" if language == ENGLISH else f"section NAF {sector.code}"
    return f"NAF {sector.code}"


def sector_name(*, sector: NamedSector, language: str) -> str:
    """The name of a sector as shown in a list: "Agroalimentaire", "Industries alimentaires
    (NAF 10)", "Industrie manufacturière (section NAF C)"; in English the English name where
    the catalogue has one ("Agri-food", "Manufacturing (NAF section C)"), else the French one.
    """
    _check_language(language)
    name = sector.name_en if language == ENGLISH and sector.name_en else sector.name
    if sector.kind == SectorKind.FILIERE:
        return name
    return f"{name} ({_code_label(sector, language)})"


def sector_phrase(*, sector: NamedSector, language: str, preposition: str = "") -> str:
    """A sector in running text, as after "réservé à" / "reserved for".

    French: a filière with its articles ("l'agroalimentaire", "la santé et les
    biotechnologies"), a NAF division or section as a named sector with its code ("le secteur
    « Industries alimentaires » (NAF 10)", "le secteur « Construction » (section NAF F)").
    English: "the agri-food sector", "the “Manufacturing” sector (NAF section C)", "the
    “Manufacture of food products” sector (NAF 10)" (NAF sections and divisions carry their
    NACE Rev. 2 English titles); a sector without an English name keeps its French one, quoted.

    ``preposition`` is written before it, contracted in French: "à" gives "à l'agroalimentaire",
    "aux vins et aux spiritueux", "au secteur « … »".
    """
    _check_language(language)
    if language == ENGLISH:
        if sector.kind == SectorKind.FILIERE and sector.name_en:
            phrase = f"the {_lower_first(sector.name_en)} sector"
        elif sector.kind == SectorKind.FILIERE:
            phrase = f"the “{sector.name}” sector"  # no English name: the French one, quoted
        else:
            label = _code_label(sector, language)
            phrase = f"the “{sector.name_en or sector.name}” sector ({label})"
        return f"{preposition} {phrase}" if preposition else phrase

    if sector.kind == SectorKind.FILIERE:
        nouns = _CONJUNCTS.split(_lower_first(sector.name))
        articles = _FILIERE_ARTICLES.get(sector.code)
        if articles and len(articles) == len(nouns):
            parts = [
                _contract(article, noun, preposition)
                for article, noun in zip(articles, nouns, strict=True)
            ]
            return join_phrases(phrases=parts, language=FRENCH)
        return _contract("la ", f"filière « {sector.name} »", preposition)
    label = _code_label(sector, language)
    return _contract("le ", f"secteur « {sector.name} » ({label})", preposition)


def sector_list_phrase(
    *,
    sectors: Iterable[NamedSector],
    language: str,
    limit: int | None = 3,
    preposition: str = "",
) -> str:
    """Sectors in running text, in alphabetical order of their names, cut after ``limit``.

    "à l'agroalimentaire, à l'énergie et au secteur « Industries alimentaires » (NAF 10)"; past
    the limit "… et à 2 autres secteurs" / "… and 2 other sectors". A sector given twice is
    written once. The joining and the cut follow ``territories.naming.enumerate_phrases``.
    """
    unique = {sector.code: sector for sector in sectors}
    return enumerate_phrases(
        items=list(unique.values()),
        language=language,
        phrase=lambda sector, prep: sector_phrase(
            sector=sector, language=language, preposition=prep
        ),
        sort_name=lambda sector: sector_name(sector=sector, language=language),
        limit=limit,
        preposition=preposition,
        remainder=OTHER_SECTORS,
    )
