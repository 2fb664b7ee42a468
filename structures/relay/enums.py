from django.db import models
from django.utils.translation import gettext_lazy as _


class FallbackKind(models.TextChoices):
    """Why a result that is not a competent relay is still shown (docs/relay.md §5), in order."""

    PLANNED_MARKET = "planned_market", _("marché en projet")
    NEAR_MISS = "near_miss", _("à une condition près")
    OUT_OF_AREA = "out_of_area", _("hors zone")
    REMOTE = "remote", _("à distance")
    GENERALIST = "generalist", _("premier contact")


class ConditionKind(models.TextChoices):
    """A condition an offer sets, stated with every result that has it (docs/relay.md §3)."""

    SECTORS = "sectors", _("secteurs")
    MARKETS = "markets", _("marchés")
    EMPLOYEES = "employees", _("effectif")
    MIN_AGE = "min_age", _("ancienneté")
    NAF_INCLUDE = "naf_include", _("codes NAF admis")
    NAF_EXCLUDE = "naf_exclude", _("codes NAF exclus")
    MEMBERS_ONLY = "members_only", _("adhérents")
    APPLICATION = "application_required", _("candidature")


class MarketMatch(models.TextChoices):
    EXPLICIT = "explicit", _("marché visé explicitement")
    GENERALIST = "generalist", _("généraliste (tous marchés)")
    RESTRICTED = "restricted", _("réservé à certains marchés")
    PLANNED = "planned", _("marché en projet")
    NOT_ASKED = "not_asked", _("aucun pays cible demandé")
