"""Offers: a structure's service, the unit the relay lookup matches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import version_field
from structures.enums import (
    CLUSTER_KINDS,
    MarketStatus,
    OfferCost,
    OfferDelivery,
    SectorKind,
    ServiceIntensity,
)
from structures.querysets import OfferQuerySet

NAF_KINDS = (SectorKind.NAF_SECTION, SectorKind.NAF_DIVISION)


class Offer(models.Model):
    """A service offered by a structure, with its competence: coverage, sectors, markets, eligibility.

    Empty coverage means "the structure's coverage"; empty sectors and markets mean generalist.
    """

    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("structure"),
    )
    service = models.ForeignKey(
        "structures.Service",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("service"),
    )
    description = models.TextField(_("description"), blank=True)
    coverage = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoire couvert"),
        through="OfferCoverage",
        related_name="covering_offers",
        blank=True,
        help_text=_("Vide : la couverture de la structure s'applique."),
    )
    sectors = models.ManyToManyField(
        "structures.Sector",
        verbose_name=_("secteurs"),
        blank=True,
        related_name="offers",
        help_text=_("Vide : offre ouverte à tous les secteurs."),
    )
    min_employees = models.PositiveIntegerField(
        _("effectif minimum"),
        null=True,
        blank=True,
        help_text=_("Nombre de salariés, ce nombre compris."),
    )
    max_employees = models.PositiveIntegerField(
        _("effectif maximum"),
        null=True,
        blank=True,
        help_text=_("Nombre de salariés, ce nombre compris."),
    )
    min_age_years = models.PositiveSmallIntegerField(
        _("ancienneté minimale (ans)"), null=True, blank=True
    )
    naf_include = models.ManyToManyField(
        "structures.Sector",
        verbose_name=_("codes NAF admis"),
        blank=True,
        related_name="offers_including",
        limit_choices_to={"kind__in": NAF_KINDS},
        help_text=_("Sections ou divisions NAF admises ; vide : toutes."),
    )
    naf_exclude = models.ManyToManyField(
        "structures.Sector",
        verbose_name=_("codes NAF exclus"),
        blank=True,
        related_name="offers_excluding",
        limit_choices_to={"kind__in": NAF_KINDS},
    )
    members_only = models.BooleanField(
        _("réservé aux adhérents"),
        default=False,
        help_text=_(
            "Réservée aux adhérents, l'offre reste proposée aux autres entreprises : "
            "elles peuvent adhérer pour en bénéficier."
        ),
    )
    application_required = models.BooleanField(
        _("sur candidature"),
        default=False,
        help_text=_("L'entreprise doit déposer un dossier, ex. missions subventionnées d'un pôle."),
    )
    delivery = models.CharField(
        _("modalité"), max_length=16, choices=OfferDelivery.choices, default=OfferDelivery.IN_PERSON
    )
    cost = models.CharField(
        _("coût"), max_length=16, choices=OfferCost.choices, default=OfferCost.FREE
    )
    intensity = models.CharField(
        _("intensité"),
        max_length=16,
        choices=ServiceIntensity.choices,
        blank=True,
        default="",
        help_text=_(
            "Pôles et clusters seulement : la place de ce service dans ce que la structure fait "
            "pour ses membres (occasionnel, régulier, central) ; vide : non précisée."
        ),
    )
    contact = models.ForeignKey(
        "structures.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        help_text=_("Le service ou la personne à appeler (de la même structure)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = version_field()
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    history = HistoricalRecords()
    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offre de service")
        verbose_name_plural = _("offres de service")
        ordering = ["structure", "service", "pk"]
        constraints = [
            # One offer per service and structure: markets, sectors and coverage are facets of it.
            models.UniqueConstraint(
                fields=["structure", "service"],
                name="structures_unique_offer_per_service",
                violation_error_message=_("Cette structure propose déjà ce service."),
            ),
            models.CheckConstraint(
                condition=Q(min_employees__isnull=True)
                | Q(max_employees__isnull=True)
                | Q(min_employees__lte=F("max_employees")),
                name="structures_offer_employee_range",
                violation_error_message=_(
                    "L'effectif minimum doit être inférieur ou égal à l'effectif maximum."
                ),
            ),
            # The kind rule (clusters only) spans two tables: ``clean`` checks it.
            models.CheckConstraint(
                condition=Q(intensity="") | Q(intensity__in=ServiceIntensity.values),
                name="structures_offer_intensity_valid",
                violation_error_message=_("Intensité inconnue."),
            ),
        ]
        indexes = [
            models.Index(fields=["service", "is_active"], name="structures_offer_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.structure} — {self.service}"

    def clean(self) -> None:
        if self.contact_id and self.structure_id and self.contact.structure_id != self.structure_id:
            raise ValidationError(
                {"contact": _("Le contact doit appartenir à la structure qui propose l'offre.")}
            )
        if self.intensity and self.structure_id and self.structure.kind not in CLUSTER_KINDS:
            raise ValidationError(
                {
                    "intensity": _(
                        "Seuls les pôles de compétitivité et les clusters indiquent l'intensité "
                        "d'un service."
                    )
                }
            )


class OfferCoverage(models.Model):
    """A territory an offer covers (overrides the structure's coverage when any is set)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.PROTECT, verbose_name=_("territoire")
    )

    class Meta:
        verbose_name = _("territoire couvert par l'offre")
        verbose_name_plural = _("territoires couverts par l'offre")
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "territory"], name="structures_unique_offer_coverage"
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "offer"], name="structures_offercov_terr_idx"),
        ]

    def __str__(self) -> str:
        # Shown in the admin journal: the territory says more than ids.
        return str(self.territory)


class OfferMarket(models.Model):
    """A target country an offer serves; only ``active`` is competence for it (rule R10)."""

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="markets", verbose_name=_("offre")
    )
    country = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="offer_markets",
        verbose_name=_("pays"),
        limit_choices_to={"level": "country"},
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=MarketStatus.choices, default=MarketStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("marché cible")
        verbose_name_plural = _("marchés cibles")
        ordering = ["offer", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "country"],
                name="structures_unique_offer_market",
                violation_error_message=_("Ce pays figure déjà parmi les marchés de l'offre."),
            ),
        ]
        indexes = [
            models.Index(fields=["country", "status"], name="structures_market_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.country.name} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.country_id and self.country.level != "country":
            raise ValidationError({"country": _("Choisissez un pays.")})
