from django.db import models
from django.utils.translation import gettext_lazy as _

# French legal definition of an SME (recommendation 2003/361/EC as applied by décret 2008-1354):
# fewer than 250 employees and a turnover under 50 M€. Beyond, the firm is still recorded (the
# registry warns, it does not refuse).
SME_MAX_EMPLOYEES = 250
SME_MAX_TURNOVER_EUR = 50_000_000


class ExportStage(models.TextChoices):
    """How far the firm is into exporting (the more it exports, the wider it looks for help)."""

    NONE = "none", _("pas encore exportatrice")
    OCCASIONAL = "occasional", _("exportatrice occasionnelle")
    REGULAR = "regular", _("exportatrice régulière")
    ESTABLISHED = "established", _("exportatrice confirmée")


class EmployeeRange(models.TextChoices):
    """INSEE "tranche d'effectif salarié" codes, as published in the SIRENE extracts."""

    NON_EMPLOYER = "NN", _("unité non employeuse")
    ZERO = "00", _("0 salarié")
    FROM_1 = "01", _("1 ou 2 salariés")
    FROM_3 = "02", _("3 à 5 salariés")
    FROM_6 = "03", _("6 à 9 salariés")
    FROM_10 = "11", _("10 à 19 salariés")
    FROM_20 = "12", _("20 à 49 salariés")
    FROM_50 = "21", _("50 à 99 salariés")
    FROM_100 = "22", _("100 à 199 salariés")
    FROM_200 = "31", _("200 à 249 salariés")
    FROM_250 = "32", _("250 à 499 salariés")
    FROM_500 = "41", _("500 à 999 salariés")
    FROM_1000 = "42", _("1 000 à 1 999 salariés")
    FROM_2000 = "51", _("2 000 à 4 999 salariés")
    FROM_5000 = "52", _("5 000 à 9 999 salariés")
    FROM_10000 = "53", _("10 000 salariés et plus")


# Bounds of each range (inclusive; None = no upper bound). Eligibility rules and the size
# warning use the lower bound when the exact headcount is unknown.
EMPLOYEE_RANGE_BOUNDS: dict[str, tuple[int, int | None]] = {
    EmployeeRange.NON_EMPLOYER: (0, 0),
    EmployeeRange.ZERO: (0, 0),
    EmployeeRange.FROM_1: (1, 2),
    EmployeeRange.FROM_3: (3, 5),
    EmployeeRange.FROM_6: (6, 9),
    EmployeeRange.FROM_10: (10, 19),
    EmployeeRange.FROM_20: (20, 49),
    EmployeeRange.FROM_50: (50, 99),
    EmployeeRange.FROM_100: (100, 199),
    EmployeeRange.FROM_200: (200, 249),
    EmployeeRange.FROM_250: (250, 499),
    EmployeeRange.FROM_500: (500, 999),
    EmployeeRange.FROM_1000: (1000, 1999),
    EmployeeRange.FROM_2000: (2000, 4999),
    EmployeeRange.FROM_5000: (5000, 9999),
    EmployeeRange.FROM_10000: (10000, None),
}


class LocationPrecision(models.TextChoices):
    """Where the SME's point comes from (shown next to distances)."""

    ADDRESS = "address", _("adresse (géocodée)")
    COMMUNE = "commune", _("centre de la commune")
    NONE = "none", _("aucune coordonnée")


class MembershipRole(models.TextChoices):
    """The SME's role in a structure (club, pôle, export group...)."""

    MEMBER = "member", _("adhérent")
    BOARD = "board", _("membre du conseil d'administration")
    FOUNDER = "founder", _("membre fondateur")
    COORDINATOR = "coordinator", _("coordinateur / chef de file")
    PARTNER = "partner", _("partenaire")


# --- Partner finder (smes/partners.py) ------------------------------------------------------

# Size steps of the partner finder: the INSEE ranges in increasing order, "no employee" ranges
# on the same step. Two firms are "of balanced size" (Torrès 2002: "équilibre des tailles") when
# their steps differ by at most ``max_size_steps`` (1 by default: "10 à 19" with "6 à 9" or
# "20 à 49", not with "50 à 99").
EMPLOYEE_RANGE_STEPS: dict[str, int] = {
    EmployeeRange.NON_EMPLOYER: 0,
    EmployeeRange.ZERO: 0,
    EmployeeRange.FROM_1: 1,
    EmployeeRange.FROM_3: 2,
    EmployeeRange.FROM_6: 3,
    EmployeeRange.FROM_10: 4,
    EmployeeRange.FROM_20: 5,
    EmployeeRange.FROM_50: 6,
    EmployeeRange.FROM_100: 7,
    EmployeeRange.FROM_200: 8,
    EmployeeRange.FROM_250: 9,
    EmployeeRange.FROM_500: 10,
    EmployeeRange.FROM_1000: 11,
    EmployeeRange.FROM_2000: 12,
    EmployeeRange.FROM_5000: 13,
    EmployeeRange.FROM_10000: 14,
}

# Export stages that may share an export group, each with itself and its neighbours only. A
# group hires one part-time export manager (Torrès 2002): firms one stage apart share his or her
# agenda (a beginner with an occasional exporter, a regular exporter with a confirmed one), while
# a firm that does not export yet and a confirmed exporter need different work (diagnosis and
# first steps against finance and logistics) and would compete for the shared time. The relation
# is symmetric.
EXPORT_STAGE_PARTNERS: dict[str, frozenset[str]] = {
    ExportStage.NONE: frozenset({ExportStage.NONE, ExportStage.OCCASIONAL}),
    ExportStage.OCCASIONAL: frozenset(
        {ExportStage.NONE, ExportStage.OCCASIONAL, ExportStage.REGULAR}
    ),
    ExportStage.REGULAR: frozenset(
        {ExportStage.OCCASIONAL, ExportStage.REGULAR, ExportStage.ESTABLISHED}
    ),
    ExportStage.ESTABLISHED: frozenset({ExportStage.REGULAR, ExportStage.ESTABLISHED}),
}

# An export group counts 3 to 5 firms (Torrès 2002, "généralement entre 3 et 5").
EXPORT_GROUP_MIN_SIZE = 3
EXPORT_GROUP_MAX_SIZE = 5
