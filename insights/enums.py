"""Choices of the territorial-intelligence app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.enums import TerritoryLevel


class EventKind(models.TextChoices):
    """What a territorial coordinator records as the territory's dynamics (Torrès 2002)."""

    COLLECTIVE_ACTION = "collective_action", _("action collective")
    TRADE_MISSION = "trade_mission", _("mission de prospection à l'étranger")
    EXPORT_GROUP_CREATION = "export_group_creation", _("création d'un groupement à l'export")
    OTHER = "other", _("autre")


class PriorityKind(models.TextChoices):
    """A territory's strategic priority: a target market (a country) or a filière (a sector)."""

    MARKET = "market", _("marché cible")
    SECTOR = "sector", _("filière")


# The territories a coordinator works on and whose "4 D" are computed.
INSIGHT_LEVELS: tuple[str, ...] = (
    TerritoryLevel.REGION.value,
    TerritoryLevel.DEPARTEMENT.value,
    TerritoryLevel.EPCI.value,
)
