"""Fictitious contact details and identifiers, so that demo data can never reach a real person.

- Phone numbers come only from the blocks the French numbering plan reserves for fiction (ARCEP,
  plan national de numérotation, décision n° 2018-0881 modifiée, « numéros réservés à des fins de
  fiction » used by films, novels and advertising): 01 99 00 xx xx, 02 61 91 xx xx,
  03 53 01 xx xx, 04 65 71 xx xx, 05 36 49 xx xx (and 06 39 98 xx xx for mobiles, unused here).
- E-mail addresses use ``example.org``, reserved by RFC 2606 / RFC 6761: no mailbox can exist.
- Person names pair a common first name with a surname that says it is invented ("Exemple",
  "Fictif"...), so that nobody mistakes a demo contact for a real adviser.
- SIREN / SIRET numbers are generated (prefix "0", then a serial, then the Luhn key), never
  copied from the Sirene register. France has no reserved "fiction" block of SIRENs, so a
  generated number may in principle match a real firm: every generated SME is flagged as demo
  and its name says it is fictitious.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum import luhn

# Numbering zone of each département (first two digits of the département code; Corsica "2A/2B"
# is zone 04). Overseas départements have no reserved fiction block: since 2023 geographic
# numbers carry no location constraint (ARCEP décision 2022-1583), so the 01 block is used.
FICTION_BLOCKS = {
    "01": "01 99 00",
    "02": "02 61 91",
    "03": "03 53 01",
    "04": "04 65 71",
    "05": "05 36 49",
}
FICTION_PHONE_RE = re.compile(r"^0(1 99 00|2 61 91|3 53 01|4 65 71|5 36 49) \d\d \d\d$")
# The same blocks in the E.164 form the structures' validators store ("+33199000000").
FICTION_E164_RE = re.compile(r"^\+33(19900|26191|35301|46571|53649)\d{4}$")

_ZONE_01 = {"75", "77", "78", "91", "92", "93", "94", "95"}
_ZONE_02 = {
    "14", "18", "22", "27", "28", "29", "35", "36", "37", "41", "44", "45", "49", "50", "53",
    "56", "61", "72", "76", "85",
}  # fmt: skip
_ZONE_03 = {
    "02", "08", "10", "21", "25", "39", "51", "52", "54", "55", "57", "58", "59", "60", "62",
    "67", "68", "70", "71", "80", "88", "89", "90",
}  # fmt: skip
_ZONE_05 = {
    "09", "12", "16", "17", "19", "23", "24", "31", "32", "33", "40", "46", "47", "64", "65",
    "79", "81", "82", "86", "87",
}  # fmt: skip

DEMO_EMAIL_DOMAIN = "example.org"

FIRST_NAMES = (
    "Camille", "Dominique", "Claude", "Alix", "Sacha", "Maxime", "Charlie", "Andréa", "Morgan",
    "Loïc", "Noa", "Eden", "Lou", "Gaël", "Céleste", "Ange", "Sasha", "Yannick", "Élie", "Marion",
)  # fmt: skip
FICTION_SURNAMES = (
    "Exemple", "Fictif", "Démo", "Modèle", "Spécimen", "Maquette", "Prototype", "Essai",
    "Témoin", "Brouillon", "Factice", "Échantillon",
)  # fmt: skip


def numbering_zone(departement_code: str) -> str:
    """The two-digit numbering zone ("01".."05") of a département code."""
    code = departement_code.upper()
    if code in _ZONE_01:
        return "01"
    if code in _ZONE_02:
        return "02"
    if code in _ZONE_03:
        return "03"
    if code in _ZONE_05:
        return "05"
    if len(code) == 3:  # overseas: see the module docstring
        return "01"
    return "04"


def fiction_phone(*, departement_code: str, serial: int) -> str:
    """A number from the fiction block of the département's zone; ``serial`` picks the line."""
    block = FICTION_BLOCKS[numbering_zone(departement_code)]
    line = serial % 10_000
    return f"{block} {line // 100:02d} {line % 100:02d}"


def is_fiction_phone(value: str) -> bool:
    """True for a number inside a reserved fiction block (national or E.164 form)."""
    compact = value.replace(" ", "").replace(".", "")
    if compact.startswith("+33"):
        return bool(FICTION_E164_RE.match(compact))
    return bool(FICTION_PHONE_RE.match(value)) or bool(
        FICTION_E164_RE.match("+33" + compact[1:]) if compact.startswith("0") else False
    )


def demo_email(local_part: str) -> str:
    """An address on the reserved ``example.org`` domain, tagged ``.demo`` for clarity."""
    ascii_part = unicodedata.normalize("NFKD", local_part).encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z0-9.-]+", "-", ascii_part.lower()).strip("-.")
    return f"{local}.demo@{DEMO_EMAIL_DOMAIN}"


def fiction_person(serial: int) -> str:
    """An obviously invented person's name ("Camille Exemple")."""
    first = FIRST_NAMES[serial % len(FIRST_NAMES)]
    last = FICTION_SURNAMES[(serial // len(FIRST_NAMES)) % len(FICTION_SURNAMES)]
    return f"{first} {last}"


# --- Luhn identifiers ---------------------------------------------------------------------------


def luhn_complete(prefix: str) -> str:
    """``prefix`` followed by the one digit that makes the whole number Luhn-valid."""
    return prefix + luhn.calc_check_digit(prefix)


def fiction_siren(serial: int) -> str:
    """The ``serial``-th fictitious SIREN: "0" + 7 digits + Luhn key (10 million values)."""
    if not 0 <= serial < 10_000_000:
        raise ValueError("serial out of range")
    return luhn_complete(f"0{serial:07d}")


def fiction_siret(serial: int, *, establishment: int = 1) -> str:
    """SIRET of the ``establishment``-th site of the fictitious firm ``serial`` (Luhn-valid)."""
    return luhn_complete(f"{fiction_siren(serial)}{establishment:04d}")
