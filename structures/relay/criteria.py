"""Competence criteria other than territory: sector, market, eligibility (docs/relay.md §3).

One definition, used by the engine and re-stated independently by the test reference.
A criterion the caller did not give never filters: the restriction becomes a note instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils.translation import gettext as _

from structures.relay import reference
from structures.relay.enums import MarketMatch
from structures.relay.types import EligibilityProfile

NAF_PATTERN = re.compile(r"^(\d{2})(?:\.?(\d{1,2})([A-Z])?)?$")

OK, PLANNED, NO = "ok", "planned", "no"


def naf_division(code: str) -> str | None:
    """ "62.01Z", "6201Z" and "62" all give division "62"; anything else None."""
    match = NAF_PATTERN.match(code.strip().upper())
    return match.group(1) if match else None


def expand_sector(code: str) -> frozenset[str] | None:
    """The sector codes an offer restriction may name for this sector to match it.

    A NAF code or division matches its division, its section and the filières spanning it; a
    section matches itself and its divisions; a filière matches itself, its divisions and their
    sections. ``None`` for an unknown code.
    """
    tables = reference.sectors.get()
    division = naf_division(code)
    raw = code.strip()
    for candidate in (division, raw, raw.upper(), raw.lower()):
        if candidate and candidate in tables.expansions:
            return tables.expansions[candidate]
    return None


def naf_codes_of(naf_code: str | None) -> frozenset[str]:
    """Division and section of an SME's NAF code, for NAF include/exclude rules."""
    division = naf_division(naf_code or "")
    if not division:
        return frozenset()
    section = reference.sectors.get().section_of.get(division)
    return frozenset(c for c in (division, section) if c)


def _has_any(codes: str, wanted) -> bool:
    return any(f"|{c}|" in codes for c in wanted)


def _as_codes(codes) -> str:
    """``|a|b|``, the index's form of a code list (empty for none)."""
    codes = sorted(codes)
    return f"|{'|'.join(codes)}|" if codes else ""


def _listed(codes: str) -> str:
    return ", ".join(codes.strip("|").split("|"))


def employee_note(low: int | None, high: int | None) -> str | None:
    """Plain words for an employee range restriction, or None when there is none."""
    if low is not None and high is not None:
        return _("de %(low)d à %(high)d salariés") % {"low": low, "high": high}
    if low is not None:
        return _("à partir de %(low)d salariés") % {"low": low}
    if high is not None:
        return _("jusqu'à %(high)d salariés") % {"high": high}
    return None


def age_note(years: int | None) -> str | None:
    return _("entreprises d'au moins %(years)d ans") % {"years": years} if years else None


def naf_notes(include: str, exclude: str) -> list[str]:
    """Notes for NAF include / exclude lists given as ``|a|b|`` strings."""
    notes = []
    if include:
        notes.append(_("codes NAF admis : %(codes)s") % {"codes": _listed(include)})
    if exclude:
        notes.append(_("codes NAF exclus : %(codes)s") % {"codes": _listed(exclude)})
    return notes


def access_notes(
    *, members_only: bool, application_required: bool, member: bool = False
) -> list[str]:
    notes = []
    if members_only:
        notes.append(
            _("réservé aux adhérents (vous l'êtes)") if member else _("réservé aux adhérents")
        )
    if application_required:
        notes.append(_("sur candidature"))
    return notes


def offer_condition_notes(offer) -> list[str]:
    """The conditions of an offer in plain words, as the lookup states them when no profile is
    given (structure page). Reads ``naf_include`` / ``naf_exclude``: prefetch them."""
    notes = [
        note
        for note in (
            employee_note(offer.min_employees, offer.max_employees),
            age_note(offer.min_age_years),
        )
        if note
    ]
    notes += naf_notes(
        _as_codes(s.code for s in offer.naf_include.all()),
        _as_codes(s.code for s in offer.naf_exclude.all()),
    )
    return notes + access_notes(
        members_only=offer.members_only, application_required=offer.application_required
    )


@dataclass(frozen=True)
class Verdict:
    status: str  # OK, PLANNED (competent but for a planned market), NO
    market_match: str
    notes: tuple[str, ...]


def _market(row: dict, country: str | None) -> tuple[str, str] | None:
    """(status, market match) for the target country, or None when the offer is not for it."""
    if not country:
        return OK, MarketMatch.NOT_ASKED
    if f"|{country}|" in row["market_codes"]:
        return OK, MarketMatch.EXPLICIT
    if f"|{country}|" in row["planned_codes"]:
        return PLANNED, MarketMatch.PLANNED
    if row["market_codes"] or row["planned_codes"]:
        return None
    return OK, MarketMatch.GENERALIST


def _eligibility(
    row: dict, profile: EligibilityProfile | None, profile_naf: frozenset[str], today: date
) -> list[str] | None:
    """Notes for the conditions the profile does not say; None when it fails one."""
    notes: list[str] = []
    employees = profile.employees if profile else None
    low, high = row["min_employees"], row["max_employees"]
    if employees is not None:
        if (low is not None and employees < low) or (high is not None and employees > high):
            return None
    elif note := employee_note(low, high):
        notes.append(note)
    age = profile.age_years(today) if profile else None
    if row["min_age_years"]:
        if age is None:
            notes.append(age_note(row["min_age_years"]))
        elif age < row["min_age_years"]:
            return None
    if profile_naf:
        if row["naf_include"] and not _has_any(row["naf_include"], profile_naf):
            return None
        if row["naf_exclude"] and _has_any(row["naf_exclude"], profile_naf):
            return None
    else:
        notes += naf_notes(row["naf_include"], row["naf_exclude"])
    return notes


def judge(
    row: dict,
    *,
    sectors: frozenset[str] | None,
    country: str | None,
    profile: EligibilityProfile | None,
    profile_naf: frozenset[str],
    today: date,
) -> Verdict:
    """Judge one offer (its index row) against the criteria the caller gave."""
    notes: list[str] = []
    if row["sector_codes"]:
        if sectors is not None and not _has_any(row["sector_codes"], sectors):
            return Verdict(NO, MarketMatch.NOT_ASKED, ())
        if sectors is None:
            notes.append(
                _("réservé aux secteurs : %(codes)s") % {"codes": _listed(row["sector_codes"])}
            )
    market = _market(row, country)
    if market is None:
        return Verdict(NO, MarketMatch.RESTRICTED, ())
    status, match = market
    if not country and row["market_codes"]:
        notes.append(_("pour les marchés : %(codes)s") % {"codes": _listed(row["market_codes"])})
    eligibility = _eligibility(row, profile, profile_naf, today)
    if eligibility is None:
        return Verdict(NO, match, ())
    member = profile is not None and row["structure_id"] in profile.member_of
    notes += eligibility
    notes += access_notes(
        members_only=row["members_only"],
        application_required=row["application_required"],
        member=member,
    )
    return Verdict(status, match, tuple(notes))


@dataclass(frozen=True)
class Judge:
    """The criteria of one query, applied to index rows (``judge`` with its arguments bound)."""

    sectors: frozenset[str] | None
    country: str | None
    profile: EligibilityProfile | None
    today: date

    @classmethod
    def for_query(cls, query, *, today: date) -> Judge:
        return cls(
            sectors=query.sectors, country=query.country_code, profile=query.profile, today=today
        )

    @cached_property
    def profile_naf(self) -> frozenset[str]:
        return naf_codes_of(self.profile.naf_code if self.profile else None)

    def __call__(self, row: dict) -> Verdict:
        return judge(
            row,
            sectors=self.sectors,
            country=self.country,
            profile=self.profile,
            profile_naf=self.profile_naf,
            today=self.today,
        )
