"""Text normalisation shared by search, imports and data joins."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Abbreviations of French place names, as people type them: "St Étienne", "Ste Foy",
# "Sts Geosmes", "Stes Maries de la Mer". Official names (COG) always spell the word out.
PLACE_NAME_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize_name(value: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a place name.

    "Évry-Courcouronnes" and "evry courcouronnes" give the same key, and so do "L'Haÿ-les-Roses"
    and "l hay les roses". Ligatures are unfolded (œ → oe) because NFKD does not split them.
    """
    value = value.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.lower()).strip()


def place_name_keys(value: str) -> tuple[str, ...]:
    """The normalised forms under which a typed place name is searched, the likeliest first.

    Abbreviated words are spelt out ("St Mathieu de Tréviers" → "saint mathieu de treviers"),
    and the form as typed is kept after it, since "ste" may also be the start of "Stenay".
    Empty for a value without letters or digits.
    """
    key = normalize_name(value)
    if not key:
        return ()
    expanded = " ".join(PLACE_NAME_ABBREVIATIONS.get(word, word) for word in key.split())
    return (expanded,) if expanded == key else (expanded, key)


def compact(key: str) -> str:
    """A normalised key without its spaces: "lhay les roses", "l hay les roses" are one name."""
    return key.replace(" ", "")
