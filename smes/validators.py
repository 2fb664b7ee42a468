"""Validation of the official identifiers of a firm: SIREN, SIRET and NAF rév. 2 code.

The SIREN and SIRET checksums (Luhn, and La Poste's own rule) are python-stdnum's; this module
adds the canonical form and the French messages.

Each ``normalize_*`` function turns user input into the canonical form (spaces, dots and dashes
removed; NAF dotted and upper-cased) without judging it; each ``validate_*`` function takes the
canonical form and raises a ``ValidationError`` with a French message. ``clean_*`` does both.
"""

from __future__ import annotations

import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from structures.catalogue import naf_reference

# La Poste has a single SIREN for thousands of establishments; INSEE ran out of Luhn-valid NICs
# and gave its establishments (except the head office) a different rule: the sum of the 14
# digits is a multiple of 5. stdnum applies it; the SIREN is needed here only to word the message.
LA_POSTE_SIREN = "356000000"

# Separators people type or paste into identifiers: spaces (incl. non-breaking and narrow
# non-breaking from spreadsheets), dots and dashes.
_SEPARATORS = re.compile(r"[\s\u00a0\u202f.\-]+")

_NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


@functools.cache
def naf_divisions() -> frozenset[str]:
    """The 88 divisions of NAF rév. 2, from the NAF file the sector catalogue is loaded from.

    A code whose division is not listed is not a NAF rév. 2 code (for instance a NAF rév. 1 code
    such as "74.1A", or a typo such as "04.11Z").
    """
    return frozenset(row["code"] for row in naf_reference()["divisions"])


def normalize_identifier(value: str | None) -> str:
    """Remove the separators users type inside a SIREN or SIRET ("732 829 320 00074")."""
    if value is None:
        return ""
    return _SEPARATORS.sub("", str(value))


def _check(module, value: str) -> None:
    """Run a stdnum validator on an already canonical ``value``.

    stdnum compacts its input (drops spaces and dots, folds full-width digits) and returns the
    compacted number: a difference means ``value`` is not the canonical form the field stores,
    which is a format error here (``normalize_identifier`` is where separators are removed).
    """
    if module.validate(value) != value:
        raise InvalidFormat()


def validate_siren(value: str) -> None:
    """Raise unless ``value`` is 9 digits passing the Luhn check."""
    try:
        _check(stdnum_siren, value)
    except (InvalidFormat, InvalidLength) as error:
        raise ValidationError(
            _("Le SIREN « %(value)s » doit comporter exactement 9 chiffres."),
            code="siren_format",
            params={"value": value},
        ) from error
    except InvalidChecksum as error:
        raise ValidationError(
            _("Le SIREN « %(value)s » est invalide : la clé de contrôle (Luhn) ne correspond pas."),
            code="siren_checksum",
            params={"value": value},
        ) from error


def validate_siret(value: str) -> None:
    """Raise unless ``value`` is 14 digits with a valid SIREN and a valid SIRET checksum."""
    # stdnum raises the same InvalidChecksum whether the SIRET key or its SIREN's is wrong: the
    # SIREN is checked again on its own so that the message can say which one is.
    try:
        _check(stdnum_siret, value)
    except (InvalidFormat, InvalidLength) as error:
        raise ValidationError(
            _("Le SIRET « %(value)s » doit comporter exactement 14 chiffres."),
            code="siret_format",
            params={"value": value},
        ) from error
    except InvalidChecksum:
        pass
    else:
        return
    if not stdnum_siren.is_valid(value[:9]):
        raise ValidationError(
            _("Le SIRET « %(value)s » est invalide : son SIREN (9 premiers chiffres) est erroné."),
            code="siret_siren_checksum",
            params={"value": value},
        )
    if value.startswith(LA_POSTE_SIREN):
        message = _(
            "Le SIRET « %(value)s » est invalide : pour La Poste, la somme des chiffres "
            "doit être un multiple de 5."
        )
    else:
        message = _(
            "Le SIRET « %(value)s » est invalide : la clé de contrôle (Luhn) ne correspond pas."
        )
    raise ValidationError(message, code="siret_checksum", params={"value": value})


def clean_siret(value: str | None) -> str:
    siret = normalize_identifier(value)
    validate_siret(siret)
    return siret


def normalize_naf(value: str | None) -> str:
    """Canonical NAF rév. 2 form "62.01Z" from "6201Z", "62.01z", " 62 01 Z ".

    Input that does not look like a NAF code is returned stripped and upper-cased, so that the
    validator can quote it in its message.
    """
    if value is None:
        return ""
    compact = re.sub(r"[\s\u00a0\u202f]+", "", str(value)).upper()
    match = _NAF_RE.match(compact)
    if not match:
        return compact
    return f"{match.group(1)}.{match.group(2)}{match.group(3)}"


def validate_naf(value: str) -> None:
    """Raise unless ``value`` is a canonical NAF rév. 2 code of an existing division."""
    match = re.fullmatch(r"(\d{2})\.(\d{2})([A-Z])", value or "")
    if not match:
        raise ValidationError(
            _(
                "Le code NAF « %(value)s » n'est pas au format NAF rév. 2 "
                "(deux chiffres, un point, deux chiffres, une lettre : « 62.01Z »)."
            ),
            code="naf_format",
            params={"value": value},
        )
    if match.group(1) not in naf_divisions():
        raise ValidationError(
            _(
                "Le code NAF « %(value)s » est inconnu : la division %(division)s n'existe pas en NAF rév. 2."
            ),
            code="naf_unknown",
            params={"value": value, "division": match.group(1)},
        )


def clean_naf(value: str | None) -> str:
    naf = normalize_naf(value)
    validate_naf(naf)
    return naf


def naf_division(naf_code: str) -> str:
    """The two-digit division of a canonical NAF code ("62.01Z" → "62"), or ""."""
    return naf_code[:2] if naf_code and naf_code[:2].isdigit() else ""
