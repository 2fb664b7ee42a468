"""Creating an export group from a proposal of the partner finder (``smes.partners``).

The group is a structure of kind ``export_group`` whose network head (``parent``) is the
animating structure, with its members recorded as SME memberships. The structure follows the
registry's rules for a new listing (``structures.moderation.record_creation``): created by
someone who is not a registry administrator it waits, unpublished, in the validation queue, and
its creator joins its team; its history names the creator. ``parent`` is a registry-only field
when written by hand; here it is not chosen by the writer but is the animating structure, which
the writer must be allowed to edit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smes.enums import EXPORT_GROUP_MAX_SIZE, EXPORT_GROUP_MIN_SIZE, MembershipRole
from smes.models import SME
from smes.partners import are_competitors
from smes.services.sme import set_membership
from structures import moderation
from structures.enums import StructureKind
from structures.models import Structure
from structures.permissions import caller_of, may_edit_structure


def create_export_group_from_proposal(
    *, animator: Structure, members: Sequence[SME], name: str, by_user
) -> Structure:
    """Create the export group ``name`` animated by ``animator`` with ``members``.

    ``members[0]`` is the firm the search started from (its request is its consent, and it
    becomes the group's coordinator); every other member must have consented to be proposed
    (``partner_search_consent``). Refused with ``ValidationError`` (French, by field) for fewer
    than 3 or more than 5 firms, a firm given twice, a member without consent, or two members
    of the same NAF sub-class on a common target market; with ``PermissionDenied`` when
    ``by_user`` may not edit ``animator``. Returns the new structure (unpublished unless a
    registry administrator created it and publishes it).
    """
    if not may_edit_structure(caller_of(by_user), animator):
        raise PermissionDenied(_("Vous ne pouvez pas agir pour cette structure."))
    name = (name or "").strip()
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [_("Donnez un nom au groupement.")]
    ids = [sme.pk for sme in members]
    if len(set(ids)) != len(ids):
        errors.setdefault("members", []).append(_("Une entreprise est citée deux fois."))
    if not EXPORT_GROUP_MIN_SIZE <= len(set(ids)) <= EXPORT_GROUP_MAX_SIZE:
        errors.setdefault("members", []).append(
            _("Un groupement à l'export compte de 3 à 5 entreprises.")
        )
    fresh = {
        sme.pk: sme for sme in SME.objects.filter(pk__in=ids).prefetch_related("target_markets")
    }
    markets = {pk: frozenset(m.pk for m in sme.target_markets.all()) for pk, sme in fresh.items()}
    refused = [
        fresh[pk].name for pk in ids[1:] if pk in fresh and not fresh[pk].partner_search_consent
    ]
    if refused:
        errors.setdefault("members", []).append(
            _("Sans son accord, une entreprise ne peut être proposée : %(names)s.")
            % {"names": ", ".join(refused)}
        )
    for a, b in itertools.combinations([fresh[pk] for pk in dict.fromkeys(ids) if pk in fresh], 2):
        if are_competitors(a.naf_code, markets[a.pk], b.naf_code, markets[b.pk]):
            errors.setdefault("members", []).append(
                _("%(a)s et %(b)s sont concurrentes (même activité, mêmes marchés).")
                % {"a": a.name, "b": b.name}
            )
    if errors:
        raise ValidationError(errors)
    coordinator = fresh[ids[0]]
    today = timezone.localdate()
    with transaction.atomic():
        group = Structure(
            name=name,
            kind=StructureKind.EXPORT_GROUP,
            parent=animator,
            commune=coordinator.commune,
            postal_code=coordinator.postal_code,
            country=animator.country,
        )
        group.full_clean()
        group._history_user = by_user if by_user is not None and by_user.is_authenticated else None
        group._change_reason = "Création (recherche de partenaires)"
        group.save()
        moderation.record_creation(structure=group, user=by_user)
        for position, pk in enumerate(ids):
            role = MembershipRole.COORDINATOR if position == 0 else MembershipRole.FOUNDER
            set_membership(sme=fresh[pk], structure=group, role=role, since=today, user=by_user)
    return group
