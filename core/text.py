"""Text normalisation shared by search, imports and data joins."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_name(value: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a place name.

    "Évry-Courcouronnes" and "evry courcouronnes" give the same key, and so do "L'Haÿ-les-Roses"
    and "l hay les roses". Ligatures are unfolded (œ → oe) because NFKD does not split them.
    """
    value = value.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.lower()).strip()
