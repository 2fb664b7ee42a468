"""Writes on SMEs and their memberships.

Every write validates the model (``full_clean``: French messages, never a 500) inside its own
transaction (a savepoint when nested, so that an import can reject one row without losing the
others' work). An SME is identified by its SIRET: writing the same values twice changes nothing
(the second call reports ``unchanged`` and does not touch ``updated_at``).

No lost update: every write of an existing SME claims its next ``version`` with a conditional
``UPDATE … WHERE version = <loaded>`` (``structures.versioning.claim_version``); an editor passes
the version it loaded (``expected_version``) and a concurrent change is refused with
``StaleVersionError``. Memberships are part of their SME's record: writing one moves the SME's
version too, so that an SME page opened before cannot write them back.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smes.enums import LocationPrecision, MembershipRole
from smes.models import SME, SMEMembership
from smes.validators import naf_division, normalize_identifier
from structures.versioning import claim_version, stale_version


class _Unset(Enum):
    UNSET = "UNSET"


# "Not given": the field keeps its current value (or the model default on creation). ``None``
# means "clear it".
UNSET: Final = _Unset.UNSET

# Plain fields ``create_or_update_sme`` may write, in the order they are applied.
SME_FIELDS = (
    "name",
    "naf_code",
    "legal_form",
    "employees",
    "employee_range",
    "turnover_eur",
    "created_on",
    "address_line",
    "postal_code",
    "commune",
    "export_stage",
    "export_share",
    "is_innovative",
    "partner_search_consent",
    "partner_search_consent_at",
    "source",
    "is_demo",
)
# Compared to decide "unchanged" (derived fields included, timestamps excluded).
_COMPARED_FIELDS = (
    "siren",
    *(name if name != "commune" else "commune_id" for name in SME_FIELDS),
    "sector_id",
    "latitude",
    "longitude",
    "location_precision",
)


class SMEWriteAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class SMEWriteResult:
    sme: SME
    action: SMEWriteAction
    warnings: list[str] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return self.action is SMEWriteAction.CREATED


def sector_for_naf(naf_code: str):
    """The NAF division ``Sector`` of a NAF code ("62.01Z" → division "62"), or None."""
    from structures.enums import SectorKind
    from structures.models import Sector

    division = naf_division(naf_code)
    if not division:
        return None
    return Sector.objects.filter(kind=SectorKind.NAF_DIVISION, code=division).first()


def _snapshot(sme: SME) -> dict[str, Any]:
    return {name: getattr(sme, name) for name in _COMPARED_FIELDS}


def locate_sme(
    sme: SME,
    *,
    latitude: float | _Unset | None,
    longitude: float | _Unset | None,
    commune_changed: bool,
) -> None:
    """Set the SME's point: given coordinates (precision "address"), else the point kept (a
    geocoded address, while the commune is unchanged), else the commune's point."""
    if latitude is not UNSET or longitude is not UNSET:
        lat = None if latitude is UNSET else latitude
        lon = None if longitude is UNSET else longitude
        if lat is not None or lon is not None:
            if lat is None or lon is None:
                raise ValidationError(
                    {
                        "latitude": _(
                            "Latitude et longitude vont ensemble : donnez les deux ou aucune."
                        )
                    }
                )
            sme.latitude, sme.longitude = float(lat), float(lon)
            sme.location_precision = LocationPrecision.ADDRESS
            return
    elif (
        sme.location_precision == LocationPrecision.ADDRESS
        and sme.has_point
        and not commune_changed
    ):
        # A geocoded address entered earlier stays valid while the commune does not change.
        return
    commune = sme.commune
    if commune is not None and commune.has_point:
        sme.latitude, sme.longitude = commune.latitude, commune.longitude
        sme.location_precision = LocationPrecision.COMMUNE
    else:
        sme.latitude = sme.longitude = None
        sme.location_precision = LocationPrecision.NONE


def _check_countries(territories: Iterable) -> list:
    countries = list(territories)
    wrong = [t for t in countries if getattr(t, "level", None) != "country"]
    if wrong:
        raise ValidationError(
            {
                "target_markets": _(
                    "Les marchés visés doivent être des pays (%(names)s n'en sont pas)."
                )
                % {"names": ", ".join(str(t) for t in wrong)}
            }
        )
    return countries


@transaction.atomic
def create_or_update_sme(
    *,
    siret: str,
    name: str | _Unset = UNSET,
    naf_code: str | _Unset = UNSET,
    legal_form: str | _Unset = UNSET,
    employees: int | _Unset | None = UNSET,
    employee_range: str | _Unset = UNSET,
    turnover_eur: int | _Unset | None = UNSET,
    created_on: datetime.date | _Unset | None = UNSET,
    address_line: str | _Unset = UNSET,
    postal_code: str | _Unset = UNSET,
    commune: Any = UNSET,
    latitude: float | _Unset | None = UNSET,
    longitude: float | _Unset | None = UNSET,
    export_stage: str | _Unset = UNSET,
    export_share: int | _Unset | None = UNSET,
    target_markets: Iterable | _Unset = UNSET,
    needs: Iterable | _Unset = UNSET,
    is_innovative: bool | _Unset = UNSET,
    partner_search_consent: bool | _Unset = UNSET,
    partner_search_consent_at: datetime.datetime | _Unset | None = UNSET,
    source: str | _Unset = UNSET,
    is_demo: bool | _Unset = UNSET,
    expected_version: int | _Unset | None = UNSET,
    user=None,
) -> SMEWriteResult:
    """Create the SME of ``siret`` or update it with the fields given.

    Fields left ``UNSET`` keep their value (a consent given without its date is dated now,
    ``SME.clean``); ``target_markets`` (country territories) and
    ``needs`` (services) replace the current sets when given. The SIREN and the NAF division are
    derived. Coordinates: ``latitude``/``longitude`` when given (precision "address"), else a
    previously geocoded point if the commune did not change, else the commune's point.
    ``source`` is only written with other changes, so that re-importing a file under another
    name leaves unchanged records untouched.

    An editor of an existing SME passes the ``expected_version`` it loaded: a record changed
    since raises ``StaleVersionError`` (an import, which loads nothing, leaves it ``UNSET``).
    ``user`` is recorded as the last writer.

    Raises ``ValidationError`` (French messages) on invalid data; nothing is written then. The
    result carries the size warnings (firm larger than an SME), which never block the write.
    """
    siret = normalize_identifier(siret)
    sme = SME.objects.select_for_update().filter(siret=siret).first()
    is_new = sme is None
    if not is_new and expected_version is not UNSET and expected_version != sme.version:
        raise stale_version(sme, expected=expected_version)
    if is_new:
        sme = SME(siret=siret)
        before: dict[str, Any] = {}
        previous_commune_id = None
    else:
        before = _snapshot(sme)
        previous_commune_id = sme.commune_id

    given = {
        "name": name,
        "naf_code": naf_code,
        "legal_form": legal_form,
        "employees": employees,
        "employee_range": employee_range,
        "turnover_eur": turnover_eur,
        "created_on": created_on,
        "address_line": address_line,
        "postal_code": postal_code,
        "commune": commune,
        "export_stage": export_stage,
        "export_share": export_share,
        "is_innovative": is_innovative,
        "partner_search_consent": partner_search_consent,
        "partner_search_consent_at": partner_search_consent_at,
        "is_demo": is_demo,
    }
    for field_name, value in given.items():
        if value is UNSET:
            continue
        if value is None and field_name in {
            "name",
            "naf_code",
            "legal_form",
            "address_line",
            "postal_code",
            "employee_range",
        }:
            value = ""
        setattr(sme, field_name, value)

    if sme.commune is not None and not sme.commune.is_place:
        raise ValidationError(
            {
                "commune": _("« %(name)s » n'est pas une commune ni un arrondissement municipal.")
                % {"name": sme.commune}
            }
        )
    sme.siren = sme.siret[:9]
    # Validate the identifiers and fields first: the derived values below need a clean NAF code.
    sme.full_clean(exclude=["sector"], validate_unique=False, validate_constraints=False)
    sme.sector = sector_for_naf(sme.naf_code) if sme.naf_code else None
    locate_sme(
        sme,
        latitude=latitude,
        longitude=longitude,
        commune_changed=sme.commune_id != previous_commune_id,
    )

    countries = None if target_markets is UNSET else _check_countries(target_markets)
    services = None if needs is UNSET else list(needs)

    fields_changed = is_new or _snapshot(sme) != before
    markets_changed = countries is not None and (
        is_new or {c.pk for c in countries} != set(sme.target_markets.values_list("pk", flat=True))
    )
    needs_changed = services is not None and (
        is_new or {s.pk for s in services} != set(sme.needs.values_list("pk", flat=True))
    )
    if not (fields_changed or markets_changed or needs_changed):
        return SMEWriteResult(
            sme=sme, action=SMEWriteAction.UNCHANGED, warnings=sme.size_warnings()
        )

    if source is not UNSET:
        sme.source = source or ""
    sme.updated_by = user if user is not None and user.is_authenticated else None
    sme.full_clean()
    if not is_new and expected_version is not UNSET:
        claim_version(sme, expected=expected_version)
    elif not is_new:
        # An import: the row is locked since it was read (select_for_update), so moving the
        # version read needs no extra conditional UPDATE per row.
        sme.version += 1
    sme.save()
    if countries is not None and (is_new or markets_changed):
        sme.target_markets.set(countries)
    if services is not None and (is_new or needs_changed):
        sme.needs.set(services)
    action = SMEWriteAction.CREATED if is_new else SMEWriteAction.UPDATED
    return SMEWriteResult(sme=sme, action=action, warnings=sme.size_warnings())


def _touch(sme: SME, user) -> None:
    """A membership changed: the SME's record moves to its next version (see module doc)."""
    SME.objects.filter(pk=sme.pk).update(
        version=F("version") + 1,
        updated_by=user if user is not None and user.is_authenticated else None,
        updated_at=timezone.now(),
    )


@transaction.atomic
def set_membership(
    *,
    sme: SME,
    structure,
    role: str = MembershipRole.MEMBER,
    since: datetime.date | None = None,
    user=None,
) -> SMEMembership:
    """Record (or update) the SME's membership in ``structure`` with its role and date."""
    _touch(sme, user)
    membership = SMEMembership.objects.filter(sme=sme, structure=structure).first()
    if membership is None:
        membership = SMEMembership(sme=sme, structure=structure)
    membership.role = role
    membership.since = since
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def remove_membership(*, sme: SME, structure, user=None) -> bool:
    """Remove the SME's membership in ``structure``; False when there was none."""
    deleted, _details = SMEMembership.objects.filter(sme=sme, structure=structure).delete()
    if deleted:
        _touch(sme, user)
    return bool(deleted)
