from django.db import models
from django.utils.translation import gettext_lazy as _


class FallbackKind(models.TextChoices):
    PLANNED_MARKET = "planned_market", _("marché en projet")
    OUT_OF_AREA = "out_of_area", _("hors zone")
    REMOTE = "remote", _("à distance")


class MarketMatch(models.TextChoices):
    EXPLICIT = "explicit", _("marché visé explicitement")
    GENERALIST = "generalist", _("généraliste (tous marchés)")
    RESTRICTED = "restricted", _("réservé à certains marchés")
    PLANNED = "planned", _("marché en projet")
    NOT_ASKED = "not_asked", _("aucun pays cible demandé")
