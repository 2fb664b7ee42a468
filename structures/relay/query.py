"""The relay lookup's boundary: what a caller asks (``RelayRequest``) becomes a checked
``RelayQuery``, the only thing the engine takes (docs/relay.md §1).

``resolve_query`` is the one resolver: the public search form and the API serializer reach it
through ``smes.relay.resolve_relay_query`` (which first turns a SIRET into a ``KnownFirm``),
commands and benchmarks call it directly. Bad input raises ``RelayQueryError`` with a French
message naming the field, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from structures.relay import criteria, reference
from structures.relay.location import resolve_location
from structures.relay.types import EligibilityProfile, KnownFirm, RelayQueryError, ResolvedLocation

DEFAULT_K = 5
MAX_K = 50


@dataclass(frozen=True)
class RelayRequest:
    """What the caller asked, as typed or sent: codes and numbers, nothing resolved yet.

    The location is the first given of ``commune`` (INSEE code, old codes accepted),
    ``postal_code`` (with ``commune`` when it serves several) and ``latitude``/``longitude``;
    a registered firm's SIRET is handled before, by the SME app. The profile fields
    (``employees`` … ``member_of``, structure slugs) describe the firm; none given, none used.
    """

    service: str
    commune: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    sector: str = ""
    country: str = ""
    employees: int | None = None
    created_on: date | None = None
    naf_code: str = ""
    export_stage: str = ""
    member_of: tuple[str, ...] = ()
    k: int = DEFAULT_K
    include_remote: bool = True
    include_private_contacts: bool = False
    today: date | None = None

    @property
    def gives_profile(self) -> bool:
        return bool(
            self.employees is not None
            or self.created_on
            or self.naf_code
            or self.export_stage
            or self.member_of
        )


@dataclass(frozen=True)
class RelayQuery:
    """A lookup ready to run: the place, the service and every criterion resolved and checked.

    ``sectors`` holds the sector codes an offer restriction may name to match (``None``: no
    sector asked); ``country`` is the target country territory (``None``: none asked).
    """

    location: ResolvedLocation
    service: object  # structures.Service, from the reference cache
    sectors: frozenset[str] | None = None
    country: object | None = None  # territories.Territory of level country
    profile: EligibilityProfile | None = None
    k: int = DEFAULT_K
    include_remote: bool = True
    include_private_contacts: bool = False
    today: date | None = None
    sector_codes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def country_code(self) -> str | None:
        return self.country.code if self.country is not None else None


def _checked_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise RelayQueryError.of(
            "invalid",
            _("k doit être un entier entre 1 et %(max)d.") % {"max": MAX_K},
            field="k",
        )
    return k


def _service(code: str):
    service = reference.services.get().get((code or "").strip())
    if service is None:
        raise RelayQueryError.of(
            "unknown_service",
            _("Service inconnu : « %(code)s ».") % {"code": code or ""},
            field="service",
        )
    return service


def _country(code: str):
    if not code:
        return None
    country = reference.countries.get().get(code.strip().upper())
    if country is None:
        raise RelayQueryError.of(
            "unknown_country",
            _("Pays inconnu : « %(code)s » (code ISO 3166 à deux lettres attendu, ex. MA).")
            % {"code": code},
            field="country",
        )
    return country


def _sectors(code: str | None) -> frozenset[str] | None:
    if not code:
        return None
    sectors = criteria.expand_sector(code)
    if sectors is None:
        raise RelayQueryError.of(
            "unknown_sector",
            _("Secteur inconnu : « %(code)s » (code NAF, ex. 10.71C, ou filière).")
            % {"code": code},
            field="sector",
        )
    return sectors


def _checked_profile(request: RelayRequest) -> None:
    """A profile value that cannot describe a firm is an error, never a criterion that quietly
    matches nothing (a NAF code "ZZ") or everything (a firm created in 2099)."""
    if request.naf_code and (
        not criteria.NAF_PATTERN.match(request.naf_code.strip().upper())
        or criteria.expand_sector(request.naf_code) is None
    ):
        raise RelayQueryError.of(
            "invalid_naf_code",
            _(
                "Code NAF « %(code)s » inconnu ou mal formé : attendu un code NAF rév. 2 "
                "(ex. 10.71C) ou sa division (ex. 10)."
            )
            % {"code": request.naf_code},
            field="naf_code",
        )
    today = request.today or timezone.localdate()
    if request.created_on is not None and request.created_on > today:
        raise RelayQueryError.of(
            "invalid",
            _("La date de création (%(date)s) ne peut pas être dans le futur.")
            % {"date": request.created_on.isoformat()},
            field="created_on",
        )
    if request.employees is not None and request.employees < 0:
        raise RelayQueryError.of(
            "invalid", _("L'effectif ne peut pas être négatif."), field="employees"
        )


def _members(slugs: tuple[str, ...]) -> frozenset[int]:
    from structures.models import Structure

    found = dict(Structure.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise RelayQueryError.of(
            "unknown_structure",
            _("Structure inconnue dans member_of : « %(slugs)s » (identifiants d'URL attendus).")
            % {"slugs": ", ".join(unknown)},
            field="member_of",
        )
    return frozenset(found.values())


def _profile(request: RelayRequest, known: EligibilityProfile | None) -> EligibilityProfile:
    """The request's profile; each field it leaves empty keeps what is known of the firm."""
    _checked_profile(request)
    known = known or EligibilityProfile()
    members = _members(request.member_of) if request.member_of else known.member_of
    return EligibilityProfile(
        employees=request.employees if request.employees is not None else known.employees,
        created_on=request.created_on or known.created_on,
        naf_code=request.naf_code or known.naf_code,
        member_of=members,
        export_stage=request.export_stage or known.export_stage,
    )


def resolve_query(request: RelayRequest, *, firm: KnownFirm | None = None) -> RelayQuery:
    """Check and resolve a request into a ``RelayQuery``; raises ``RelayQueryError``.

    With ``firm`` (a registered firm, as the SME app lets this caller see it) the location is
    the firm's; its profile applies, each field the request gives replacing the firm's, and its
    NAF code is the sector unless the request names one. Errors are reported in this order: k, service, location,
    country, profile, sector.
    """
    k = _checked_k(request.k)
    service = _service(request.service)
    if firm is not None:
        location = firm.location
    else:
        location = resolve_location(
            commune=request.commune,
            postal_code=request.postal_code,
            latitude=request.latitude,
            longitude=request.longitude,
        )
    country = _country(request.country)
    known = firm.profile if firm is not None else None
    profile = _profile(request, known) if request.gives_profile else known
    sectors = _sectors(request.sector or (firm.naf_code if firm is not None else None))
    return RelayQuery(
        location=location,
        service=service,
        sectors=sectors,
        country=country,
        profile=profile,
        k=k,
        include_remote=request.include_remote,
        include_private_contacts=request.include_private_contacts,
        today=request.today,
        sector_codes=tuple(sorted(sectors)) if sectors is not None else (),
    )
