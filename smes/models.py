from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import version_field
from smes.enums import (
    EMPLOYEE_RANGE_BOUNDS,
    SME_MAX_EMPLOYEES,
    SME_MAX_TURNOVER_EUR,
    EmployeeRange,
    ExportStage,
    LocationPrecision,
    MembershipRole,
)
from smes.validators import (
    normalize_identifier,
    normalize_naf,
    validate_naf,
    validate_siren,
    validate_siret,
)


class _NormalizedCharField(models.CharField):
    """CharField whose value is normalised before validation, in every path (form, service).

    The form field accepts a few more characters than the column so that "732 829 320 00074"
    reaches the normaliser instead of failing on length.
    """

    normalizer = staticmethod(lambda value: value)
    form_slack = 0

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalizer(value) if value else value

    def formfield(self, **kwargs):
        kwargs.setdefault("max_length", self.max_length + self.form_slack)
        return super().formfield(**kwargs)


class SirenField(_NormalizedCharField):
    normalizer = staticmethod(normalize_identifier)
    form_slack = 6


class SiretField(_NormalizedCharField):
    normalizer = staticmethod(normalize_identifier)
    form_slack = 8


class NafField(_NormalizedCharField):
    normalizer = staticmethod(normalize_naf)
    form_slack = 4


class SMEQuerySet(models.QuerySet):
    def in_territory(self, territory) -> SMEQuerySet:
        """SMEs whose commune lies in ``territory`` (any level), through the closure table."""
        return self.filter(commune__ancestor_links__ancestor=territory)

    def real(self) -> SMEQuerySet:
        return self.filter(is_demo=False)


class SME(models.Model):
    """A small or medium firm (one establishment, identified by its SIRET).

    Private data: never exposed on public pages or the anonymous API.
    """

    siren = SirenField(
        _("SIREN"),
        max_length=9,
        db_index=True,
        validators=[validate_siren],
        help_text=_("9 chiffres ; déduit du SIRET s'il est laissé vide."),
        blank=True,
    )
    siret = SiretField(
        _("SIRET"),
        max_length=14,
        unique=True,
        validators=[validate_siret],
        help_text=_(
            "14 chiffres (SIREN + NIC), contrôlés par leur clé ; les espaces sont ignorés."
        ),
    )
    name = models.CharField(_("raison sociale ou enseigne"), max_length=255)
    naf_code = NafField(
        _("code NAF"),
        max_length=6,
        blank=True,
        validators=[validate_naf],
        help_text=_("Activité principale, NAF rév. 2 (ex. « 62.01Z » ; « 6201Z » est accepté)."),
    )
    sector = models.ForeignKey(
        "structures.Sector",
        verbose_name=_("division NAF"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="smes",
        editable=False,
        help_text=_("Déduite du code NAF à l'enregistrement."),
    )
    legal_form = models.CharField(
        _("forme juridique"),
        max_length=100,
        blank=True,
        help_text=_("Catégorie juridique INSEE (ex. « 5710 ») ou libellé (« SAS »)."),
    )
    employees = models.PositiveIntegerField(
        _("effectif salarié"),
        null=True,
        blank=True,
        help_text=_("Effectif exact s'il est connu."),
    )
    employee_range = models.CharField(
        _("tranche d'effectif INSEE"),
        max_length=2,
        choices=EmployeeRange.choices,
        blank=True,
        help_text=_("Tranche publiée par SIRENE, utilisée quand l'effectif exact est inconnu."),
    )
    turnover_eur = models.PositiveBigIntegerField(
        _("chiffre d'affaires (€)"), null=True, blank=True
    )
    created_on = models.DateField(_("date de création"), null=True, blank=True)
    address_line = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="smes",
        limit_choices_to={"level__in": ["commune", "arrondissement"]},
        help_text=_("Commune (ou arrondissement municipal) de l'établissement."),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    location_precision = models.CharField(
        _("précision de la localisation"),
        max_length=8,
        choices=LocationPrecision.choices,
        default=LocationPrecision.NONE,
    )
    export_stage = models.CharField(
        _("stade d'exportation"),
        max_length=12,
        choices=ExportStage.choices,
        default=ExportStage.NONE,
    )
    export_share = models.PositiveSmallIntegerField(
        _("part du chiffre d'affaires à l'export (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("De 0 à 100."),
    )
    target_markets = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("marchés visés"),
        related_name="targeting_smes",
        blank=True,
        limit_choices_to={"level": "country"},
        help_text=_("Pays visés à l'export."),
    )
    needs = models.ManyToManyField(
        "structures.Service",
        verbose_name=_("besoins"),
        related_name="smes_in_need",
        blank=True,
        help_text=_("Services d'accompagnement recherchés."),
    )
    is_innovative = models.BooleanField(_("innovante"), default=False)
    source = models.CharField(
        _("provenance"),
        max_length=200,
        blank=True,
        help_text=_("Origine de la fiche (ex. « SIRENE 2025-01 », « saisie manuelle »)."),
    )
    # The partner finder (smes/partners.py) proposes an SME to other firms' advisers only with
    # its consent, recorded with its date (constraint ``smes_partner_consent_dated``).
    partner_search_consent = models.BooleanField(
        _("accepte d'être proposée comme partenaire"),
        default=False,
        help_text=_(
            "L'entreprise accepte d'être proposée à d'autres PME pour former un groupement à "
            "l'export. Sans cet accord, elle n'est jamais proposée."
        ),
    )
    partner_search_consent_at = models.DateTimeField(
        _("accord donné le"),
        null=True,
        blank=True,
        help_text=_("Date de l'accord ; renseignée automatiquement si elle est laissée vide."),
    )
    is_demo = models.BooleanField(
        _("donnée de démonstration"),
        default=False,
        help_text=_("Fiche fictive, hors statistiques."),
    )
    version = version_field()
    # The last writer, named when a concurrent edit is refused. No full history here: an import
    # writes SIRENE-size files, and a history row per record would halve its speed.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    objects = SMEQuerySet.as_manager()

    class Meta:
        verbose_name = _("PME")
        verbose_name_plural = _("PME")
        ordering = ["name", "siret"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren=Substr("siret", 1, 9)),
                name="smes_siren_is_siret_prefix",
                violation_error_message=_(
                    "Le SIREN doit être égal aux 9 premiers chiffres du SIRET."
                ),
            ),
            models.CheckConstraint(
                condition=Q(export_share__isnull=True)
                | Q(export_share__gte=0, export_share__lte=100),
                name="smes_export_share_range",
                violation_error_message=_(
                    "La part à l'export doit être comprise entre 0 et 100 %."
                ),
            ),
            models.CheckConstraint(
                condition=Q(employees__isnull=True) | Q(employees__gte=0),
                name="smes_employees_non_negative",
                violation_error_message=_("L'effectif ne peut pas être négatif."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="smes_coordinates_both_or_none",
                violation_error_message=_("Latitude et longitude vont ensemble."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="smes_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="smes_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(partner_search_consent=False)
                | Q(partner_search_consent_at__isnull=False),
                name="smes_partner_consent_dated",
                violation_error_message=_(
                    "L'accord pour être proposée comme partenaire doit être daté."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["naf_code"], name="smes_naf_code_idx"),
            models.Index(fields=["latitude", "longitude"], name="smes_lat_lon_idx"),
            # The partner finder's box: consenting SMEs only (a partial index, portable to
            # SQLite and PostgreSQL), with the size and stage it filters on inside the index.
            models.Index(
                fields=["latitude", "longitude", "employee_range", "export_stage"],
                condition=Q(partner_search_consent=True),
                name="smes_partner_search_idx",
            ),
            # Its filière side: the consenting firms of some NAF divisions in the box, found
            # without reading every consenting firm of a dense area (docs/partners.md).
            models.Index(
                fields=["sector", "latitude", "longitude", "employee_range", "export_stage"],
                condition=Q(partner_search_consent=True),
                name="smes_partner_sector_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.siret})"

    def clean(self) -> None:
        # The SIREN is redundant with the SIRET; filling it here lets callers give only the SIRET.
        if self.siret and not self.siren:
            self.siren = self.siret[:9]
        if self.partner_search_consent and self.partner_search_consent_at is None:
            self.partner_search_consent_at = timezone.now()

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def employee_floor(self) -> int | None:
        """Exact headcount if known, else the lower bound of the INSEE range, else None."""
        if self.employees is not None:
            return self.employees
        bounds = EMPLOYEE_RANGE_BOUNDS.get(self.employee_range)
        return bounds[0] if bounds else None

    def size_warnings(self) -> list[str]:
        """French warnings when the firm is larger than an SME (recorded anyway)."""
        warnings: list[str] = []
        if self.employees is not None and self.employees >= SME_MAX_EMPLOYEES:
            warnings.append(
                str(
                    _(
                        "Effectif de %(count)s salariés : au-delà du seuil des PME "
                        "(moins de %(limit)s salariés). La fiche est enregistrée, "
                        "mais cette entreprise n'est pas une PME."
                    )
                )
                % {
                    "count": f"{self.employees:,}".replace(",", "\u202f"),
                    "limit": SME_MAX_EMPLOYEES,
                }
            )
        elif self.employees is None and (self.employee_floor or 0) >= SME_MAX_EMPLOYEES:
            warnings.append(
                str(
                    _(
                        "Tranche d'effectif « %(range)s » : au-delà du seuil des PME "
                        "(moins de %(limit)s salariés). La fiche est enregistrée, "
                        "mais cette entreprise n'est pas une PME."
                    )
                )
                % {"range": self.get_employee_range_display(), "limit": SME_MAX_EMPLOYEES}
            )
        if self.turnover_eur is not None and self.turnover_eur >= SME_MAX_TURNOVER_EUR:
            warnings.append(
                str(
                    _(
                        "Chiffre d'affaires de %(amount)s € : au-delà du seuil des PME "
                        "(moins de 50 M€). La fiche est enregistrée, "
                        "mais cette entreprise n'est pas une PME."
                    )
                )
                % {"amount": f"{self.turnover_eur:,}".replace(",", "\u202f")}
            )
        return warnings

    @property
    def is_larger_than_sme(self) -> bool:
        return bool(self.size_warnings())


class SMEMembership(models.Model):
    """Membership of an SME in a structure (exporters' club, pôle, export group...)."""

    sme = models.ForeignKey(
        SME, verbose_name=_("PME"), on_delete=models.CASCADE, related_name="memberships"
    )
    # PROTECT: deleting a structure must not silently erase SME data; deactivate it instead.
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="sme_memberships",
    )
    role = models.CharField(
        _("rôle"), max_length=12, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    since = models.DateField(_("depuis le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ["sme", "structure"]
        constraints = [
            models.UniqueConstraint(
                fields=["sme", "structure"],
                name="smes_unique_membership",
                violation_error_message=_("Cette PME est déjà rattachée à cette structure."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sme} → {self.structure} ({self.get_role_display()})"


class PartnerMarketEntry(models.Model):
    """One target market of one consenting SME, where it is: the partner finder's index.

    A denormalised copy (``smes.services.partner_index``) so that the firms sharing a market
    with a profile are found by (market, grid cell, stage, size range) instead of reading every
    consenting firm of a dense area (docs/partners.md). Only SMEs with
    ``partner_search_consent``, a point and a known size range have entries; kept in step by
    signals on ``SME`` and its target markets, and by the bulk writers (import, generator).
    """

    sme = models.ForeignKey(SME, on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="+")
    cell = models.IntegerField()  # smes.partner_cells.cell_of
    export_stage = models.CharField(max_length=12)
    employee_range = models.CharField(max_length=2)  # the range, or the one of the headcount
    latitude = models.FloatField()
    longitude = models.FloatField()
    naf_code = models.CharField(max_length=6)
    sector_id = models.BigIntegerField(null=True)  # the SME's NAF division (no constraint)

    class Meta:
        verbose_name = _("entrée de l'index des partenaires")
        verbose_name_plural = _("entrées de l'index des partenaires")
        constraints = [
            models.UniqueConstraint(
                fields=["sme", "market"], name="smes_partner_market_entry_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["market", "cell", "export_stage", "employee_range"],
                name="smes_partner_market_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sme_id} → {self.market_id} ({self.cell})"
