"""Reads on SMEs. SME data is private: every selector starts from ``SME.objects.visible_to``."""

from __future__ import annotations

from smes.models import SME, SMEQuerySet


def smes_visible_to(*, user) -> SMEQuerySet:
    """The SMEs ``user`` may read (all for registry administrators and ``smes.view_sme``)."""
    return SME.objects.visible_to(user).select_related("commune", "sector")


def smes_in_territory(*, user, territory) -> SMEQuerySet:
    """The SMEs ``user`` may read located in ``territory`` (commune, EPCI, département...)."""
    return smes_visible_to(user=user).in_territory(territory)


def sme_by_siret(*, user, siret: str) -> SME | None:
    """The SME of ``siret`` (spaces tolerated) if ``user`` may read it, else None."""
    from smes.validators import normalize_identifier

    return smes_visible_to(user=user).filter(siret=normalize_identifier(siret)).first()
