"""Competence criteria other than territory: sector, market, eligibility (docs/relay.md §3).

One definition, used by the engine and re-stated independently by the test reference.
A criterion the caller did not give never filters: the restriction becomes a stated condition
instead. Conditions are codes (``types.Condition``); ``wording`` says them in each language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from structures.relay import reference
from structures.relay.enums import ConditionKind, MarketMatch
from structures.relay.index import NO_CONDITIONS
from structures.relay.types import Condition, EligibilityProfile

NAF_PATTERN = re.compile(r"^(\d{2})(?:\.?(\d{1,2})([A-Z])?)?$")

OK, PLANNED, NEAR, NO = "ok", "planned", "near", "no"


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


def _codes(codes: str) -> tuple[str, ...]:
    """The codes of the index's ``|a|b|`` form."""
    return tuple(codes.strip("|").split("|")) if codes else ()


def offer_conditions(offer) -> tuple[Condition, ...]:
    """The eligibility and access conditions of an offer, as the lookup states them when no
    profile is given (the structure page). Reads ``naf_include`` / ``naf_exclude``: prefetch
    them."""
    conditions = []
    if offer.min_employees is not None or offer.max_employees is not None:
        conditions.append(
            Condition(ConditionKind.EMPLOYEES, low=offer.min_employees, high=offer.max_employees)
        )
    if offer.min_age_years:
        conditions.append(Condition(ConditionKind.MIN_AGE, low=offer.min_age_years))
    for kind, related in (
        (ConditionKind.NAF_INCLUDE, offer.naf_include.all()),
        (ConditionKind.NAF_EXCLUDE, offer.naf_exclude.all()),
    ):
        codes = tuple(sorted(s.code for s in related))
        if codes:
            conditions.append(Condition(kind, codes=codes))
    if offer.members_only:
        conditions.append(Condition(ConditionKind.MEMBERS_ONLY))
    if offer.application_required:
        conditions.append(Condition(ConditionKind.APPLICATION))
    return tuple(conditions)


@dataclass(frozen=True)
class Verdict:
    """What the criteria say of one offer.

    ``status``: OK (competent), PLANNED (competent but for a planned market), NEAR (a near miss:
    every criterion met but one condition of the firm's profile, the ``met=False`` one of
    ``conditions``) or NO.
    """

    status: str
    market_match: str
    conditions: tuple[Condition, ...]


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
) -> list[Condition]:
    """The size, age and NAF conditions: stated (``met=None``) when the profile does not say,
    ``met=False`` when it fails them, left out when it meets them."""
    conditions: list[Condition] = []
    employees = profile.employees if profile else None
    low, high = row["min_employees"], row["max_employees"]
    if low is not None or high is not None:
        size = Condition(ConditionKind.EMPLOYEES, low=low, high=high)
        if employees is None:
            conditions.append(size)
        elif (low is not None and employees < low) or (high is not None and employees > high):
            conditions.append(replace(size, met=False))
    if row["min_age_years"]:
        age = Condition(ConditionKind.MIN_AGE, low=row["min_age_years"])
        years = profile.age_years(today) if profile else None
        if years is None:
            conditions.append(age)
        elif years < row["min_age_years"]:
            conditions.append(replace(age, met=False))
    naf = [
        Condition(kind, codes=_codes(row[column]))
        for kind, column in (
            (ConditionKind.NAF_INCLUDE, "naf_include"),
            (ConditionKind.NAF_EXCLUDE, "naf_exclude"),
        )
        if row[column]
    ]
    if not profile_naf:
        conditions += naf
    elif (row["naf_include"] and not _has_any(row["naf_include"], profile_naf)) or (
        row["naf_exclude"] and _has_any(row["naf_exclude"], profile_naf)
    ):
        # One condition, the NAF rule, however many of its lists the firm fails.
        failed = next(
            c
            for c in naf
            if (c.kind == ConditionKind.NAF_INCLUDE) != _has_any(row[c.kind], profile_naf)
        )
        conditions.append(replace(failed, met=False))
    return conditions


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
    conditions: list[Condition] = []
    if row["sector_codes"]:
        if sectors is not None and not _has_any(row["sector_codes"], sectors):
            return Verdict(NO, MarketMatch.NOT_ASKED, ())
        if sectors is None:
            conditions.append(Condition(ConditionKind.SECTORS, codes=_codes(row["sector_codes"])))
    market = _market(row, country)
    if market is None:
        return Verdict(NO, MarketMatch.RESTRICTED, ())
    status, match = market
    if not country and row["market_codes"]:
        conditions.append(Condition(ConditionKind.MARKETS, codes=_codes(row["market_codes"])))
    eligibility = _eligibility(row, profile, profile_naf, today)
    failed = sum(1 for c in eligibility if c.met is False)
    if failed:
        # A near miss has exactly one obstacle: a condition of the profile, the market being
        # active (a planned market is another obstacle).
        if failed > 1 or status != OK:
            return Verdict(NO, match, ())
        status = NEAR
    conditions += eligibility
    if row["members_only"]:
        member = profile is not None and row["structure_id"] in profile.member_of
        conditions.append(Condition(ConditionKind.MEMBERS_ONLY, met=True if member else None))
    if row["application_required"]:
        conditions.append(Condition(ConditionKind.APPLICATION))
    return Verdict(status, match, tuple(conditions))


# An index row's condition values when the offer has none: no sector, market, size, age or NAF
# rule, open to every firm (``structures.relay.indexing`` writes these values).
PLAIN_ROW: dict = {"structure_id": None, **NO_CONDITIONS}


@dataclass(frozen=True)
class Judge:
    """The criteria of one query, applied to index rows (``judge`` with its arguments bound)."""

    sectors: frozenset[str] | None
    country: str | None
    profile: EligibilityProfile | None
    today: date
    # Only offers open to every firm (no members-only ones): the generalist next step.
    open_only: bool = False

    @classmethod
    def for_query(cls, query, *, today: date) -> Judge:
        return cls(
            sectors=query.sectors, country=query.country_code, profile=query.profile, today=today
        )

    @cached_property
    def profile_naf(self) -> frozenset[str]:
        return naf_codes_of(self.profile.naf_code if self.profile else None)

    @cached_property
    def plain(self) -> Verdict:
        """The verdict on an offer with no condition at all (``PLAIN_ROW``): the same for every
        such offer of a query, so the search judges it once (about half the index rows)."""
        return self(PLAIN_ROW)

    def __call__(self, row: dict) -> Verdict:
        if self.open_only and row["members_only"]:
            return Verdict(NO, MarketMatch.NOT_ASKED, ())
        return judge(
            row,
            sectors=self.sectors,
            country=self.country,
            profile=self.profile,
            profile_naf=self.profile_naf,
            today=self.today,
        )
