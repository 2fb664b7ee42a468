"""Writes on structures, offers and contacts.

Every write validates the model (``full_clean``: clear French messages, never a 500), records
who made it in the history (django-simple-history), and updates are guarded by the record's
``version``: the caller passes the version it loaded, and a concurrent change raises
``StaleVersionError`` (naming who changed it and when) instead of being silently overwritten.

Consistency on both databases: the version is claimed by a conditional ``UPDATE … WHERE version
= <loaded>`` (``structures.versioning.claim_version``) in the transaction that then writes, so
the row stays locked until the write commits (PostgreSQL row lock; SQLite transactions start
``IMMEDIATE``, see settings, which serialises writers the same way). Child rows (a structure's
coverage, an offer's markets and coverage) are written under their parent's claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from structures.enums import MarketStatus, SectorKind
from structures.fields import (
    CONTACT_WRITABLE,
    CONTACT_WRITABLE_INTERNAL,
    OFFER_WRITABLE,
    OFFER_WRITABLE_M2M,
    STRUCTURE_REGISTRY_ONLY,
    STRUCTURE_WRITABLE,
    STRUCTURE_WRITABLE_INTERNAL,
    STRUCTURE_WRITABLE_M2M,
)
from structures.models import (
    Contact,
    Offer,
    OfferMarket,
    Service,
    Structure,
)
from structures.permissions import is_registry_admin
from structures.versioning import claim_fresh

# What a write may set (structures/fields.py); any other key is refused by name.
STRUCTURE_FIELDS = frozenset(STRUCTURE_WRITABLE + STRUCTURE_WRITABLE_INTERNAL)
STRUCTURE_M2M = frozenset(STRUCTURE_WRITABLE_M2M)
OFFER_FIELDS = frozenset(OFFER_WRITABLE)
OFFER_M2M = frozenset(OFFER_WRITABLE_M2M)
CONTACT_FIELDS = frozenset(CONTACT_WRITABLE + CONTACT_WRITABLE_INTERNAL)

Markets = Mapping[Any, str] | Iterable[Any]


def _split(
    data: Mapping[str, Any], fields: frozenset[str], m2m: frozenset[str]
) -> tuple[dict, dict]:
    unknown = sorted(set(data) - fields - m2m)
    if unknown:
        raise ValidationError({key: _("Champ inconnu ou non modifiable.") for key in unknown})
    return (
        {k: v for k, v in data.items() if k in fields},
        {k: v for k, v in data.items() if k in m2m},
    )


def _save(obj, *, user, reason: str = "") -> None:
    obj._history_user = user if user is not None and user.is_authenticated else None
    if reason:
        obj._change_reason = reason
    obj.save()


def _apply(obj, fields: Mapping[str, Any], *, user, reason: str = "") -> None:
    """Set ``fields`` on a claimed row, validate it and save it with its history."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    _save(obj, user=user, reason=reason or "Modification")


def _refuse_registry_only(current: Structure | None, fields: Mapping[str, Any], user) -> None:
    """A change of a registry-only field (``STRUCTURE_REGISTRY_ONLY``) by anyone but a registry
    administrator is refused by name. ``user=None`` is the operator's own code (loaders)."""
    if user is None or is_registry_admin(user):
        return
    refused = {}
    for name in STRUCTURE_REGISTRY_ONLY:
        if name not in fields:
            continue
        stored = getattr(current, name, None) if current is not None else None
        if fields[name] != stored and not (current is None and fields[name] in (None, "")):
            refused[name] = _("Seul un administrateur du registre peut modifier ce champ.")
    if refused:
        raise ValidationError(refused)


def refuse_registry_only(*, structure: Structure | None, fields: Mapping[str, Any], user) -> None:
    """Refuse, by name, a change of a registry-only field by anyone but a registry
    administrator (``ValidationError``): for writers that split a write before calling the
    services (``structures.moderation``)."""
    _refuse_registry_only(structure, fields, user)


# --- Structures ---------------------------------------------------------------------------------


def create_structure(*, data: Mapping[str, Any], user=None) -> Structure:
    """Create a structure from model field values (``coverage``: an iterable of territories).

    A new listing is not validated: a registry administrator publishes it (rule R4).
    """
    fields, m2m = _split(data, STRUCTURE_FIELDS, STRUCTURE_M2M)
    _refuse_registry_only(None, fields, user)
    structure = Structure(**fields)
    with transaction.atomic():
        structure.full_clean()
        _save(structure, user=user, reason="Création")
        if "coverage" in m2m:
            structure.coverage.set(m2m["coverage"])
    return structure


def update_structure(
    *,
    structure: Structure,
    data: Mapping[str, Any],
    expected_version: int | None,
    user=None,
    reason: str = "",
) -> Structure:
    """Apply ``data`` to a structure if nobody changed it since ``expected_version`` was loaded.

    Returns the saved structure with its new version; raises ``StaleVersionError`` on a
    concurrent change and ``ValidationError`` on invalid data (nothing is written then).
    ``reason`` is the history's change reason ("Modification" by default).

    Writes everything it is given: the moderation of a published listing's sensitive fields
    (``structures.moderation.update_or_propose``) decides beforehand what applies at once.
    """
    fields, m2m = _split(data, STRUCTURE_FIELDS, STRUCTURE_M2M)
    with transaction.atomic():
        current = claim_fresh(Structure, structure.pk, expected=expected_version)
        _refuse_registry_only(current, fields, user)
        _apply(current, fields, user=user, reason=reason)
        if "coverage" in m2m:
            current.coverage.set(m2m["coverage"])
    return current


def confirm_up_to_date(
    *, structure: Structure, user, expected_version: int | None = None
) -> Structure:
    """Record that ``user`` confirmed the listing is current ("still up to date").

    Bumps the version (an open edit form must reload) and stamps ``verified_at``. With
    ``expected_version`` the confirmation is refused if the listing changed meanwhile: one cannot
    vouch for content one has not seen.
    """
    with transaction.atomic():
        if expected_version is not None:
            current = claim_fresh(Structure, structure.pk, expected=expected_version)
        else:
            current = Structure.objects.select_for_update().get(pk=structure.pk)
            current.version += 1
        current.verified_at = timezone.now()
        current.verified_by = user if user is not None and user.is_authenticated else None
        _save(current, user=user, reason="Confirmation : fiche à jour")
    return current


def set_structure_validation(*, structure: Structure, is_validated: bool, user=None) -> Structure:
    """Publish (or withdraw) a listing: a registry administrator's decision."""
    with transaction.atomic():
        current = Structure.objects.select_for_update().get(pk=structure.pk)
        current.is_validated = is_validated
        current.version += 1
        _save(current, user=user, reason="Validation" if is_validated else "Retrait de validation")
    return current


# --- Contacts -----------------------------------------------------------------------------------


def create_contact(*, structure: Structure, data: Mapping[str, Any], user=None) -> Contact:
    fields, _m2m = _split(data, CONTACT_FIELDS, frozenset())
    contact = Contact(structure=structure, **fields)
    contact.full_clean()
    _save(contact, user=user, reason="Création")
    return contact


def update_contact(
    *, contact: Contact, data: Mapping[str, Any], expected_version: int | None, user=None
) -> Contact:
    """Update a contact, refusing with ``StaleVersionError`` if it changed since it was loaded."""
    fields, _m2m = _split(data, CONTACT_FIELDS, frozenset())
    with transaction.atomic():
        current = claim_fresh(Contact, contact.pk, expected=expected_version)
        _apply(current, fields, user=user)
    return current


# --- Offers -------------------------------------------------------------------------------------


def _validate_offer_m2m(m2m: Mapping[str, Any]) -> None:
    errors = {}
    for key in ("naf_include", "naf_exclude"):
        if key in m2m:
            sectors = list(m2m[key])
            if any(
                s.kind not in (SectorKind.NAF_SECTION, SectorKind.NAF_DIVISION) for s in sectors
            ):
                errors[key] = _("Choisissez des sections ou divisions NAF, pas des filières.")
    if "naf_include" in m2m and "naf_exclude" in m2m:
        both = {s.pk for s in m2m["naf_include"]} & {s.pk for s in m2m["naf_exclude"]}
        if both:
            errors["naf_exclude"] = _("Un code NAF ne peut pas être à la fois admis et exclu.")
    if errors:
        raise ValidationError(errors)


def _normalise_markets(markets: Markets) -> list[tuple[Any, str]]:
    items = (
        markets.items()
        if isinstance(markets, Mapping)
        else [(m, MarketStatus.ACTIVE) if not isinstance(m, tuple) else m for m in markets]
    )
    result = []
    for country, status in items:
        if getattr(country, "level", None) != "country":
            raise ValidationError({"markets": _("Un marché cible doit être un pays.")})
        if status not in MarketStatus.values:
            raise ValidationError(
                {"markets": _("Statut de marché inconnu : « %(s)s ».") % {"s": status}}
            )
        result.append((country, status))
    return result


def _apply_offer_relations(offer: Offer, m2m: Mapping[str, Any], markets: Markets | None) -> None:
    for key, values in m2m.items():
        getattr(offer, key).set(list(values))
    if markets is not None:
        wanted = {c.pk: s for c, s in _normalise_markets(markets)}
        offer.markets.exclude(country_id__in=wanted).delete()
        for country_id, status in wanted.items():
            OfferMarket.objects.update_or_create(
                offer=offer, country_id=country_id, defaults={"status": status}
            )


def create_offer(
    *,
    structure: Structure,
    service: Service,
    data: Mapping[str, Any] | None = None,
    markets: Markets | None = None,
    user=None,
) -> Offer:
    """Create the offer of ``service`` by ``structure``.

    ``data`` holds the values of ``OFFER_WRITABLE`` and ``OFFER_WRITABLE_M2M``
    (``structures.fields``); ``markets`` maps country territories to a ``MarketStatus`` (or lists
    countries, all active).
    """
    fields, m2m = _split(data or {}, OFFER_FIELDS, OFFER_M2M)
    _validate_offer_m2m(m2m)
    offer = Offer(structure=structure, service=service, **fields)
    with transaction.atomic():
        offer.full_clean()
        _save(offer, user=user, reason="Création")
        _apply_offer_relations(offer, m2m, markets)
    return offer


def update_offer(
    *,
    offer: Offer,
    data: Mapping[str, Any],
    expected_version: int | None,
    markets: Markets | None = None,
    user=None,
) -> Offer:
    """Update an offer, refusing with ``StaleVersionError`` if it changed since it was loaded."""
    fields, m2m = _split(data, OFFER_FIELDS, OFFER_M2M)
    _validate_offer_m2m(m2m)
    with transaction.atomic():
        current = claim_fresh(Offer, offer.pk, expected=expected_version)
        _apply(current, fields, user=user)
        _apply_offer_relations(current, m2m, markets)
    return current
