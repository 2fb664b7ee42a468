"""Model fields shared by several apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


def version_field() -> models.PositiveIntegerField:
    """The ``version`` column of every record staff edit: claimed by a conditional ``UPDATE``
    on each save so that no update is silently lost (docs/architecture.md, "No lost update")."""
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Incrémentée à chaque modification (pas de mise à jour perdue)."),
    )
