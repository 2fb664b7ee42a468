"""Reads on SMEs. SME data is private: every read starts from ``smes.access.visible_smes``."""

from __future__ import annotations

from django.db.models import QuerySet

from smes.access import visible_smes
from structures.permissions import Caller


def smes_visible_to(*, caller: Caller) -> QuerySet:
    """The SMEs ``caller`` may read, with what their representation shows."""
    return (
        visible_smes(caller)
        .select_related("commune", "sector")
        .prefetch_related("target_markets", "needs")
    )
