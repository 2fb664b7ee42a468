"""Names of territories and countries in running text, in French and in English.

The relay lookup explains its results in sentences ("X couvre l'Hérault pour « Salons », à
12 km", "pour le Maroc, la Tunisie et 2 autres pays"); these functions write the names inside
them. Each takes ``language`` "fr" or "en" explicitly: the two languages differ in grammar
(articles, their contraction with "à" and "de", word order), not only in words, so the phrases
are built per language rather than translated from one gettext string.

Territories are read through their attributes only (``level``, ``code``, ``name``, and when
present ``name_en``, ``tncc``, ``kind``): a ``Territory`` row and the relay's lighter
``TerritoryRef`` both fit. A missing ``tncc`` gives the name without article.

Sources of the French articles:

* communes, arrondissements and départements: the INSEE *Code officiel géographique*, whose
  "type de nom en clair" (``Territory.tncc``) gives the article of each name;
* countries: the French short names of ISO 3166-1 as published by the ISO 3166 Maintenance
  Agency (Online Browsing Platform, "French short name" column), which give the definite
  article of every code in parentheses ("Maroc (le)", "Pays-Bas (les)", "Cuba", "Israël"); for
  the states where django-countries (whose names the reference loads) uses the name of the
  French Ministry of Foreign Affairs rather than ISO's ("Biélorussie", "Birmanie", "Cap-Vert",
  "Salvador", "Laos", "Moldavie", "Irak"...), the article is that of the ministry's list,
  published as the *Recommandation concernant les noms d'États, d'habitants, de capitales, de
  sièges diplomatiques ou consulaires*, Journal officiel, 24 September 2008 (NOR CTNX0818389X).
  The rules below reproduce those lists; the exceptions are the entries the rules cannot guess.
* English articles: the English short names of ISO 3166-1, which mark with "(the)" the names
  that take the article ("Netherlands (the)", "United States of America (the)").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from core.text import normalize_name
from territories.enums import TerritoryLevel, Tncc

FRENCH, ENGLISH = "fr", "en"
LANGUAGES: tuple[str, ...] = (FRENCH, ENGLISH)

_Item = TypeVar("_Item")


class NamedTerritory(Protocol):
    """What the functions read of a territory (``Territory`` or the relay's ``TerritoryRef``).

    ``name_en``, ``tncc`` and ``kind`` are read when the object has them.
    """

    @property
    def level(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class NamedCountry(Protocol):
    """A country of the reference: ISO 3166-1 alpha-2 ``code``, French ``name``, ``name_en``."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def name_en(self) -> str: ...


@dataclass(frozen=True)
class Remainder:
    """How a list cut short names what it leaves out: "et 3 autres pays", "and 3 other countries".

    Always several: a single item past the limit is written rather than counted.
    """

    french: str
    english: str


OTHER_COUNTRIES = Remainder(french="autres pays", english="other countries")


# --- French grammar -------------------------------------------------------------------------

_VOWELS = frozenset("aeiouàâäéèêëîïôöûùüœæå")


def _starts_with_vowel(text: str) -> bool:
    return bool(text) and text[0].lower() in _VOWELS


@dataclass(frozen=True)
class _French:
    """A French noun phrase: its article ("le ", "la ", "les ", "l'", or none) and the rest.

    ``article`` keeps its capital when it belongs to an official name ("Le " of "Le Havre"), so
    that the name is written as is when no preposition contracts it ("au Havre").
    ``elides`` says whether "de" becomes "d'" before an article-less name ("d'Israël").
    """

    article: str
    text: str
    elides: bool = False

    def render(self, preposition: str = "") -> str:
        article = self.article
        lowered = article.lower()
        if not preposition:
            return article + self.text
        if preposition == "à":
            if lowered == "le ":
                return "au " + self.text
            if lowered in ("les ", "aux "):
                return "aux " + self.text
            return f"à {article}{self.text}"
        if preposition == "de":
            if lowered == "le ":
                return "du " + self.text
            if lowered in ("les ", "aux "):
                return "des " + self.text
            if not article and self.elides:
                return "d'" + self.text
            return f"de {article}{self.text}"
        return f"{preposition} {article}{self.text}"


def _english(text: str, *, the: bool, preposition: str = "") -> str:
    phrase = f"the {text}" if the else text
    return f"{preposition} {phrase}" if preposition else phrase


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"Langue inconnue : {language!r} (attendu : fr ou en).")


def collation_key(text: str) -> tuple[str, str]:
    """Sort key of a name in alphabetical order: accents, case and punctuation ignored.

    French dictionary order puts "Égypte" between "Danemark" and "Espagne"; English sorts its
    own names the same way ("Åland Islands" with the A's). The raw text breaks ties.
    """
    return normalize_name(text), text


def join_phrases(*, phrases: Sequence[str], language: str) -> str:
    """Phrases joined as in running text: "a, b et c" in French, "a, b and c" in English."""
    _check_language(language)
    if not phrases:
        return ""
    if len(phrases) == 1:
        return phrases[0]
    conjunction = " et " if language == FRENCH else " and "
    return ", ".join(phrases[:-1]) + conjunction + phrases[-1]


def enumerate_phrases(
    *,
    items: Iterable[_Item],
    language: str,
    phrase: Callable[[_Item, str], str],
    sort_name: Callable[[_Item], str],
    limit: int | None = 3,
    preposition: str = "",
    remainder: Remainder = OTHER_COUNTRIES,
) -> str:
    """Items written by ``phrase(item, preposition)``, sorted, joined and cut after ``limit``.

    The order is the alphabetical order of ``sort_name(item)`` in ``language``. Past ``limit``
    items the rest is counted ("le Brésil, le Maroc, la Tunisie et 4 autres pays"); a single
    item past the limit is written rather than counted. French repeats "à" and "de" before each
    item, contracted with its article ("au Maroc, à la Tunisie et aux Pays-Bas"); any other
    preposition (and every English one) is written once, before the list.
    """
    _check_language(language)
    if limit is not None and limit < 1:
        raise ValueError("limit doit valoir au moins 1.")
    ordered = sorted(items, key=lambda item: collation_key(sort_name(item)))
    hidden = 0
    if limit is not None and len(ordered) > limit + 1:
        hidden = len(ordered) - limit
        ordered = ordered[:limit]
    each = preposition if language == FRENCH and preposition in ("à", "de") else ""
    phrases = [phrase(item, each) for item in ordered]
    if hidden:
        rest = f"{hidden} {remainder.french if language == FRENCH else remainder.english}"
        phrases.append(_French("", rest).render(each) if each else rest)
    text = join_phrases(phrases=phrases, language=language)
    if preposition and not each and text:
        return f"{preposition} {text}"
    return text


# --- Countries ---------------------------------------------------------------------------------

# Running-text names where the name django-countries gives is an inverted, qualified or long
# form ("Palestine, État de", "États-Unis d'Amérique"), misspelt ("Îles Marshal"), or the name of
# something else: its "Guyane" for GY is the French collectivity's name, the state is "le Guyana"
# (ISO 3166-1 and the Journal officiel list).
_FRENCH_NAMES: dict[str, str] = {
    "BL": "Saint-Barthélemy",
    "FM": "Micronésie",
    "GY": "Guyana",
    "MF": "Saint-Martin",
    "MH": "Îles Marshall",
    "MK": "Macédoine du Nord",
    "PS": "Palestine",
    "RE": "La Réunion",
    "SB": "Îles Salomon",
    "SJ": "Svalbard et l'île Jan Mayen",
    "SX": "Saint-Martin (partie néerlandaise)",
    "SZ": "Eswatini",
    "TT": "Trinité-et-Tobago",
    "US": "États-Unis",
}

# Names used without article (ISO 3166-1 French short names without "(le)", "(la)", "(les)",
# "(l')"): islands and cities named like their capital, names beginning with "Saint", and a
# few others. "La Réunion" carries its article in the name.
_NO_ARTICLE = frozenset(
    {
        "AG",  # Antigua-et-Barbuda
        "AI",  # Anguilla
        "AW",  # Aruba
        "BH",  # Bahreïn
        "BL",  # Saint-Barthélemy
        "BQ",  # Bonaire, Saint-Eustache et Saba
        "CU",  # Cuba
        "CW",  # Curaçao
        "CY",  # Chypre
        "DJ",  # Djibouti
        "GG",  # Guernesey
        "GI",  # Gibraltar
        "GU",  # Guam
        "HK",  # Hong Kong
        "HT",  # Haïti
        "IL",  # Israël
        "JE",  # Jersey
        "KI",  # Kiribati
        "KN",  # Saint-Christophe-et-Niévès
        "LC",  # Sainte-Lucie
        "LK",  # Sri Lanka
        "MC",  # Monaco
        "MF",  # Saint-Martin
        "MG",  # Madagascar
        "MO",  # Macao
        "MS",  # Montserrat
        "MT",  # Malte
        "MU",  # Maurice
        "NR",  # Nauru
        "NU",  # Niue
        "OM",  # Oman
        "PM",  # Saint-Pierre-et-Miquelon
        "PR",  # Porto Rico
        "RE",  # La Réunion
        "SG",  # Singapour
        "SH",  # Sainte-Hélène, Ascension et Tristan da Cunha
        "SM",  # Saint-Marin
        "ST",  # Sao Tomé-et-Principe
        "SX",  # Saint-Martin (partie néerlandaise)
        "TW",  # Taïwan
        "VC",  # Saint-Vincent-et-les-Grenadines
        "WF",  # Wallis-et-Futuna
        "YT",  # Mayotte
    }
)

# Plural names ("les"), besides those beginning with "Îles".
_PLURAL = frozenset(
    {
        "AE",  # Émirats arabes unis
        "AS",  # Samoa américaines
        "BM",  # Bermudes
        "BS",  # Bahamas
        "FJ",  # Fidji
        "KM",  # Comores
        "MV",  # Maldives
        "NL",  # Pays-Bas
        "PH",  # Philippines
        "PW",  # Palaos
        "SC",  # Seychelles
        "TF",  # Terres australes et antarctiques françaises
        "TK",  # Tokelau
        "TO",  # Tonga
        "TV",  # Tuvalu
        "US",  # États-Unis
    }
)

# The gender rule: a name whose first word ends in an unaccented "e" is feminine ("la Chine",
# "la Côte d'Ivoire", "la Guinée-Bissau"), any other is masculine ("le Maroc", "le Costa Rica",
# "le Saint-Siège"). These are the names it gets wrong.
_MASCULINE = frozenset({"BZ", "GB", "IO", "KH", "MX", "MZ", "SR", "ZW"})
_FEMININE = frozenset({"SL", "TT"})  # la Sierra Leone, la Trinité-et-Tobago

# "de" elides before a mute h: "d'Haïti" (the h of Honduras, Hongrie, Hong Kong is aspirated).
_MUTE_H = frozenset({"HT"})


def _french_country(*, code: str, name: str) -> _French:
    """The French phrase of a country (or of an overseas collectivity named like one)."""
    code = code.upper()
    elides = _starts_with_vowel(name) or code in _MUTE_H
    if code in _NO_ARTICLE:
        return _French("", name, elides=elides)
    if code in _PLURAL or name.startswith(("Îles ", "Iles ")):
        return _French("les ", name)
    if _starts_with_vowel(name):
        return _French("l'", name)
    head = re.split(r"[ \-]", name, maxsplit=1)[0]
    feminine = code in _FEMININE or (code not in _MASCULINE and head.endswith("e"))
    return _French("la " if feminine else "le ", name)


# Running-text English names where django-countries' form is qualified or inverted.
_ENGLISH_NAMES: dict[str, str] = {
    "BS": "Bahamas",  # "Bahamas (The)"
    "FK": "Falkland Islands",  # "Falkland Islands (Malvinas)"
    "GS": "South Georgia and the South Sandwich Islands",  # "South Georgia"
    "MF": "Saint Martin",  # "Saint Martin (French part)"
    "NR": "Nauru",  # "Naoero", the Nauruan name
    "SH": "Saint Helena, Ascension and Tristan da Cunha",  # "Saint Helena"
    "SX": "Sint Maarten",  # "Sint Maarten (Dutch part)"
    "US": "United States",  # "United States of America"
    "VG": "British Virgin Islands",  # "Virgin Islands (British)"
    "VI": "United States Virgin Islands",  # "Virgin Islands (U.S.)"
}

# ISO 3166-1 English short names marked "(the)", for the names the reference loads: the
# long forms ISO marks ("the Russian Federation", "the Republic of Korea") are loaded as short
# forms without article ("Russia", "South Korea"). ISO's "the Niger" and "the Sudan" follow a
# United Nations convention that current English drops; the Isle of Man and the Åland Islands
# take the article in English although ISO's list omits it.
_ENGLISH_THE = frozenset(
    {
        "AE",
        "AX",
        "BS",
        "CC",
        "CD",
        "CF",
        "CG",
        "CK",
        "DO",
        "FK",
        "FO",
        "GB",
        "GM",
        "IM",
        "IO",
        "KM",
        "KY",
        "MH",
        "MP",
        "NL",
        "PH",
        "TC",
        "TF",
        "UM",
        "US",
        "VG",
        "VI",
    }
)


def country_name(*, country: NamedCountry, language: str) -> str:
    """The name of a country in running text, without article: "États-Unis", "United States".

    Also the name to show in a list of countries. It is the reference's name (from
    django-countries) except where that is an inverted or qualified form ("Palestine, État de"
    → "Palestine").
    """
    _check_language(language)
    code = country.code.upper()
    if language == FRENCH:
        return _FRENCH_NAMES.get(code, country.name)
    return _ENGLISH_NAMES.get(code, country.name_en or country.name)


def country_phrase(*, country: NamedCountry, language: str, preposition: str = "") -> str:
    """A country with its article, as after "pour": "le Maroc", "l'Allemagne", "les Pays-Bas",
    "Cuba"; "Morocco", "the United States".

    ``preposition`` is written before it, contracted in French: "à" gives "au Maroc", "aux
    États-Unis"; "de" gives "du Maroc", "d'Israël".
    """
    name = country_name(country=country, language=language)
    if language == FRENCH:
        return _french_country(code=country.code, name=name).render(preposition)
    return _english(name, the=country.code.upper() in _ENGLISH_THE, preposition=preposition)


def country_list_phrase(
    *,
    countries: Iterable[NamedCountry],
    language: str,
    limit: int | None = 3,
    preposition: str = "",
) -> str:
    """Countries in running text, in alphabetical order, cut after ``limit``.

    "le Brésil, le Maroc et la Tunisie" / "Brazil, Morocco and Tunisia"; past the limit: "…, la
    Tunisie et 4 autres pays" / "…, Tunisia and 4 other countries" (``limit=None``: all). French
    sorts the French names (accents and case ignored), English the English names. A country
    given twice is written once. See ``enumerate_phrases`` for ``preposition``.
    """
    unique = {country.code.upper(): country for country in countries}
    return enumerate_phrases(
        items=list(unique.values()),
        language=language,
        phrase=lambda country, prep: country_phrase(
            country=country, language=language, preposition=prep
        ),
        sort_name=lambda country: country_name(country=country, language=language),
        limit=limit,
        preposition=preposition,
        remainder=OTHER_COUNTRIES,
    )


# --- French territories ------------------------------------------------------------------------

# Overseas départements and régions, and the collectivities the COG lists as départements
# (975 and above): their English names, and the ISO 3166-1 code of the collectivities, whose
# French article is the one of the country list (the COG gives them TNCC 0, no article, which
# is right for "Saint-Pierre-et-Miquelon" but not for "la Nouvelle-Calédonie").
_OVERSEAS_ENGLISH: dict[str, str] = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "French Guiana",
    "974": "Réunion",
    "975": "Saint Pierre and Miquelon",
    "976": "Mayotte",
    "977": "Saint Barthélemy",
    "978": "Saint Martin",
    "984": "French Southern and Antarctic Lands",
    "986": "Wallis and Futuna",
    "987": "French Polynesia",
    "988": "New Caledonia",
    "989": "Clipperton Island",
}
_OVERSEAS_ENGLISH_THE = frozenset({"984"})
_COLLECTIVITY_ISO: dict[str, str] = {
    "975": "PM",
    "977": "BL",
    "978": "MF",
    "984": "TF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}
# The overseas régions (COG région codes) and their single département.
_OVERSEAS_REGION_DEPARTEMENT: dict[str, str] = {
    "01": "971",
    "02": "972",
    "03": "973",
    "04": "974",
    "06": "976",
}

# Corsica is a collectivité à statut particulier, not a région, although the COG lists it
# among them: "la Corse", never "la région Corse".
_CORSICA = "94"
_CORSICA_ENGLISH = "Corsica"

# The article a commune's name begins with, by TNCC (the COG writes it in the name).
_OWN_ARTICLE: dict[int, str] = {
    Tncc.LE: "Le ",
    Tncc.LA: "La ",
    Tncc.LES: "Les ",
    Tncc.L_APOSTROPHE: "L'",
    Tncc.AUX: "Aux ",
    Tncc.LAS: "Las ",
    Tncc.LOS: "Los ",
}
# The article of a département, by TNCC (the COG writes the name without it).
_ARTICLE: dict[int, str] = {
    Tncc.LE: "le ",
    Tncc.LA: "la ",
    Tncc.LES: "les ",
    Tncc.L_APOSTROPHE: "l'",
}

_ARRONDISSEMENT = re.compile(r"^(?P<city>.+?) (?P<number>\d+)(?:er|e) Arrondissement$")

# EPCI names as the DGCL writes them begin with the abbreviation of their kind ("CC du Pays de
# Lunel"); métropoles have their kind in the name ("Métropole du Grand Paris", "Toulouse
# Métropole").
_EPCI_ABBREVIATIONS: dict[str, str] = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
}
_EPCI_KINDS: dict[str, str] = {
    **_EPCI_ABBREVIATIONS,
    "METRO": "métropole",
    "MET69": "métropole",
}
_EPCI_LEADING_WORDS = ("Métropole ", "Eurométropole ", "Communauté ")


def _tncc(territory: NamedTerritory) -> int | None:
    value = getattr(territory, "tncc", None)
    return None if value is None else int(value)


def _commune_french(territory: NamedTerritory) -> _French:
    name, tncc = territory.name, _tncc(territory)
    if tncc is not None and tncc in _OWN_ARTICLE:
        article = _OWN_ARTICLE[tncc]
        if name.lower().startswith(article.lower()):
            return _French(name[: len(article)], name[len(article) :])
    # TNCC 1 ("d'") also covers a mute h ("d'Hyères"), which the spelling cannot tell.
    elides = _starts_with_vowel(name) if tncc is None else tncc == Tncc.VOWEL
    return _French("", name, elides=elides)


def _arrondissement_parts(name: str) -> tuple[str, int] | None:
    match = _ARRONDISSEMENT.match(name)
    if match is None:
        return None
    return match["city"], int(match["number"])


def _english_ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _epci_expanded(name: str) -> str:
    """The DGCL name with its kind written out: "CC du Pays de Lunel" → "Communauté de…"."""
    prefix, _, rest = name.partition(" ")
    if prefix in _EPCI_ABBREVIATIONS and rest:
        kind = _EPCI_ABBREVIATIONS[prefix]
        return f"{kind[0].upper()}{kind[1:]} {rest}"
    return name


def _epci_french(territory: NamedTerritory) -> _French:
    name = territory.name
    prefix, _, rest = name.partition(" ")
    if prefix in _EPCI_ABBREVIATIONS and rest:
        return _French("la ", f"{_EPCI_ABBREVIATIONS[prefix]} {rest}")
    if name.startswith(_EPCI_LEADING_WORDS):
        return _French("l'" if _starts_with_vowel(name) else "la ", name)
    kind = _EPCI_KINDS.get(getattr(territory, "kind", "") or "")
    if kind is None:
        kind = "métropole" if re.search(r"\bMétropole\b", name) else ""
    if kind:
        return _French("la ", f"{kind} {name}")
    return _French("l'", f"intercommunalité {name}")


def _overseas_code(territory: NamedTerritory) -> str | None:
    """The COG code of an overseas département or collectivity (for its région too)."""
    if territory.level == TerritoryLevel.REGION:
        return _OVERSEAS_REGION_DEPARTEMENT.get(territory.code) or (
            territory.code
            if territory.code in _COLLECTIVITY_ISO or territory.code == "989"
            else None
        )
    if territory.level == TerritoryLevel.DEPARTEMENT and territory.code in _OVERSEAS_ENGLISH:
        return territory.code
    return None


def _departement_french(territory: NamedTerritory, overseas: str | None) -> _French:
    name, tncc = territory.name, _tncc(territory)
    if overseas in _COLLECTIVITY_ISO:
        return _french_country(code=_COLLECTIVITY_ISO[overseas], name=name)
    if tncc is not None and tncc in _ARTICLE:
        return _French(_ARTICLE[tncc], name)
    if overseas or tncc is None or territory.code == "75" or name.startswith(("La ", "Le ")):
        # Paris, La Réunion, Mayotte, Clipperton's "Île de…": the name alone (with "l'" for a
        # name that needs it), as for a commune.
        if overseas and name.startswith("Île "):
            return _French("l'", "î" + name[1:])  # l'île de Clipperton
        return _French("", name, elides=_starts_with_vowel(name))
    # Maine-et-Loire, Saône-et-Loire, Eure-et-Loir...: the COG gives them no article (their
    # official liaison is "de", "d'"), while usage hesitates between "le" and "la"; the
    # official form "le département de Maine-et-Loire" is exact and reads well.
    liaison = "d'" if tncc == Tncc.VOWEL else "de "
    return _French("le ", f"département {liaison}{name}")


def territory_name(*, territory: NamedTerritory, language: str) -> str:
    """The bare name of a territory, as shown in a list: "Hérault", "Occitanie", "France".

    A country gets its running-text name (``country_name``); an overseas territory its
    English name in English ("French Guiana"); Corsica is "Corsica" in English; other French
    territories keep their official French name in both languages ("Bouches-du-Rhône").
    """
    _check_language(language)
    if territory.level == TerritoryLevel.COUNTRY:
        return country_name(country=territory, language=language)  # type: ignore[arg-type]
    if language == ENGLISH:
        overseas = _overseas_code(territory)
        if overseas:
            return _OVERSEAS_ENGLISH[overseas]
        if territory.level == TerritoryLevel.REGION and territory.code == _CORSICA:
            return _CORSICA_ENGLISH
        if territory.level == TerritoryLevel.EPCI:
            return _epci_expanded(territory.name)
        return getattr(territory, "name_en", "") or territory.name
    return territory.name


def territory_phrase(*, territory: NamedTerritory, language: str, preposition: str = "") -> str:
    """A territory as the area a relay covers, in running text.

    French puts the article French uses: "l'Hérault", "le Gard", "la Haute-Corse", "les
    Bouches-du-Rhône" (from the COG's TNCC), "Paris", "la Guadeloupe", "la région Occitanie"
    (the TNCC of a région is the liaison of its official name, "région d'Occitanie", not the
    article of prose, so the région is named as such), "la Corse", "la France", a commune by
    its name ("Montpellier", "Le Havre"), "le 8e arrondissement de Paris", an EPCI with its
    kind ("la communauté de communes du Pays de Lunel", "la métropole Montpellier Méditerranée
    Métropole", "la Métropole du Grand Paris"). English uses no article except where English
    does: "Hérault", "the Occitanie region", "France", "the 8th arrondissement of Paris", "the
    Communauté de communes du Pays de Lunel", "the United States".

    ``preposition`` is written before it, contracted in French: "à" gives "au Gard", "aux
    Bouches-du-Rhône", "au Havre", "à l'Hérault"; "de" gives "du Gard", "de l'Hérault".
    """
    _check_language(language)
    level = territory.level
    if level == TerritoryLevel.COUNTRY:
        return country_phrase(
            country=territory,  # type: ignore[arg-type]
            language=language,
            preposition=preposition,
        )
    if language == ENGLISH:
        return _territory_english(territory, preposition)
    return _territory_french(territory).render(preposition)


def _territory_french(territory: NamedTerritory) -> _French:
    level = territory.level
    if level == TerritoryLevel.ARRONDISSEMENT:
        parts = _arrondissement_parts(territory.name)
        if parts:
            city, number = parts
            ordinal = "1er" if number == 1 else f"{number}e"
            return _French("le ", f"{ordinal} arrondissement de {city}")
        return _commune_french(territory)
    if level == TerritoryLevel.COMMUNE:
        return _commune_french(territory)
    if level == TerritoryLevel.EPCI:
        return _epci_french(territory)
    if level == TerritoryLevel.DEPARTEMENT:
        return _departement_french(territory, _overseas_code(territory))
    if level == TerritoryLevel.REGION:
        overseas = _overseas_code(territory)
        if overseas:
            # A single-département région is named like its département ("la Guadeloupe").
            return _departement_french(_OverseasDepartement(overseas, territory), overseas)
        if territory.code == _CORSICA:
            return _French("la ", "Corse")
        return _French("la ", f"région {territory.name}")
    return _French("", territory.name, elides=_starts_with_vowel(territory.name))


@dataclass(frozen=True)
class _OverseasDepartement:
    """An overseas région seen as its département (same name; the COG's département TNCC)."""

    code: str
    region: NamedTerritory
    level: str = TerritoryLevel.DEPARTEMENT

    @property
    def name(self) -> str:
        return self.region.name

    @property
    def tncc(self) -> int | None:
        # Guadeloupe, Martinique and Guyane: "la" both as région liaison and as article;
        # La Réunion and Mayotte: none. The région's TNCC is then the département's.
        return _tncc(self.region)


def _territory_english(territory: NamedTerritory, preposition: str) -> str:
    level = territory.level
    name = territory_name(territory=territory, language=ENGLISH)
    if level == TerritoryLevel.ARRONDISSEMENT:
        parts = _arrondissement_parts(territory.name)
        if parts:
            city, number = parts
            return _english(
                f"{_english_ordinal(number)} arrondissement of {city}",
                the=True,
                preposition=preposition,
            )
    if level == TerritoryLevel.EPCI:
        return _english(name, the=name.startswith(_EPCI_LEADING_WORDS), preposition=preposition)
    overseas = _overseas_code(territory)
    if overseas:
        return _english(name, the=overseas in _OVERSEAS_ENGLISH_THE, preposition=preposition)
    if level == TerritoryLevel.REGION and territory.code != _CORSICA:
        return _english(f"{name} region", the=True, preposition=preposition)
    return _english(name, the=False, preposition=preposition)
