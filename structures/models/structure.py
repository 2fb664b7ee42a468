"""Structures, their coverage, staff, contacts, member counts and network links."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import version_field
from core.text import normalize_name
from structures.enums import (
    CLUSTER_KINDS,
    GeocodingPrecision,
    LabelTier,
    StructureKind,
)
from structures.querysets import StructureQuerySet
from structures.validators import (
    coordinates_outside_departement,
    normalize_opening_hours,
    normalize_phone,
    validate_opening_hours,
    validate_phone,
)
from territories.enums import PLACE_LEVELS

validate_postal_code = RegexValidator(
    r"^\d{5}$",
    message=_("Le code postal doit comporter cinq chiffres (ex. « 34000 »)."),
    code="invalid_postal_code",
)


def normalize_website(value: str) -> str:
    """ "www.cci.fr" → "https://www.cci.fr": staff rarely type the scheme."""
    value = (value or "").strip()
    if value and "://" not in value:
        return "https://" + value
    return value


class Structure(models.Model):
    """A body that helps SMEs go international, close to them (a CCI desk, a pôle, a club…)."""

    name = models.CharField(_("nom"), max_length=255)
    acronym = models.CharField(_("sigle"), max_length=64, blank=True)
    slug = models.SlugField(
        _("identifiant d'URL"),
        max_length=255,
        unique=True,
        blank=True,
        help_text=_("Calculé à partir du nom si laissé vide."),
    )
    search_name = models.CharField(
        _("nom normalisé"), max_length=400, db_index=True, editable=False
    )
    kind = models.CharField(_("type de structure"), max_length=32, choices=StructureKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("tête de réseau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_(
            "Structure dont celle-ci dépend (CCI France → CCI régionale → CCI territoriale)."
        ),
    )
    legal_form = models.CharField(
        _("forme juridique"),
        max_length=128,
        blank=True,
        help_text=_("Ex. « établissement public administratif », « association loi 1901 »."),
    )
    address_line = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        limit_choices_to={"level__in": PLACE_LEVELS},
        help_text=_("Commune du siège ; vide pour un bureau à l'étranger."),
    )
    country = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("pays"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures_in_country",
        limit_choices_to={"level": "country"},
        help_text=_("France par défaut ; le pays d'accueil pour un bureau à l'étranger."),
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
    coordinate_precision = models.CharField(
        _("précision des coordonnées"),
        max_length=16,
        choices=GeocodingPrecision.choices,
        default=GeocodingPrecision.NONE,
    )
    coordinates_flagged = models.BooleanField(
        _("coordonnées à vérifier"),
        default=False,
        editable=False,
        help_text=_(
            "Calculé : le point tombe loin du département de la commune (coordonnées "
            "inversées ou mauvaise commune ?)."
        ),
    )
    phone = models.CharField(
        _("téléphone"),
        max_length=32,
        blank=True,
        validators=[validate_phone],
        help_text=_("Enregistré au format international (+33…)."),
    )
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site web"), max_length=500, blank=True)
    opening_hours = models.CharField(
        _("horaires d'ouverture"),
        max_length=255,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_(
            "Horaires de la semaine type, enregistrés au format OpenStreetMap, "
            "ex. « Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off »."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    label_tier = models.CharField(
        _("niveau de label"),
        max_length=24,
        choices=LabelTier.choices,
        blank=True,
        help_text=_("Pôles de compétitivité uniquement."),
    )
    coverage = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoire couvert"),
        through="StructureCoverage",
        related_name="covering_structures",
        blank=True,
        help_text=_("Territoires couverts par défaut par les offres de la structure."),
    )
    verified_at = models.DateTimeField(
        _("vérifiée le"),
        null=True,
        blank=True,
        help_text=_("Dernière confirmation que la fiche est à jour."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vérifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(
        _("source"),
        max_length=255,
        blank=True,
        help_text=_(
            "D'où viennent les données (annuaire, site officiel, saisie par la structure)."
        ),
    )
    source_url = models.URLField(_("adresse de la source"), max_length=500, blank=True)
    licence = models.CharField(
        _("licence"), max_length=128, blank=True, help_text=_("Ex. « Licence Ouverte 2.0 ».")
    )
    is_demo = models.BooleanField(
        _("donnée de démonstration"),
        default=False,
        help_text=_("Fiche fictive ou illustrative, à ne pas confondre avec une donnée réelle."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set when the listing was merged into another (structures/merging.py): it stays, inactive,
    # with its history, and its old address can lead to the listing that replaced it.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionnée dans"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_structures",
        help_text=_("Fiche qui remplace celle-ci après une fusion de doublons."),
    )
    is_validated = models.BooleanField(
        _("validée"),
        default=False,
        help_text=_(
            "Validée par un administrateur du registre : seule une fiche validée est publiée."
        ),
    )
    version = version_field()
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_name"])
    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name", "pk"]
        permissions = [
            ("manage_all_structures", _("Peut modifier toutes les structures du registre")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="structures_structure_latitude_range",
                violation_error_message=_("La latitude doit être comprise entre -90 et 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="structures_structure_longitude_range",
                violation_error_message=_("La longitude doit être comprise entre -180 et 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="structures_structure_coordinates_both_or_none",
                violation_error_message=_(
                    "Indiquez la latitude et la longitude, ou aucune des deux."
                ),
            ),
            models.CheckConstraint(
                condition=Q(label_tier="") | Q(kind=StructureKind.COMPETITIVENESS_CLUSTER),
                name="structures_structure_label_tier_for_clusters",
                violation_error_message=_("Seul un pôle de compétitivité a un niveau de label."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="structures_structure_not_own_parent",
                violation_error_message=_(
                    "Une structure ne peut pas être sa propre tête de réseau."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="structures_point_idx"),
            models.Index(fields=["kind", "is_active"], name="structures_kind_active_idx"),
            models.Index(fields=["verified_at"], name="structures_verified_idx"),
        ]

    def __str__(self) -> str:
        if self.acronym and self.acronym.lower() not in self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = normalize_name(f"{self.name} {self.acronym}")
        if not self.slug:
            self.slug = self._unique_slug()
        if self.country_id is None and self.commune_id is not None:
            from territories.models import Territory

            self.country = Territory.objects.filter(level="country", code="FR").first()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # The public page (web's "structure-detail"): shown only once the listing is published.
        return reverse("structure-detail", kwargs={"slug": self.slug})

    @property
    def freshness(self) -> str:
        """``fresh``, ``to_check`` or ``stale`` (``structures.freshness``)."""
        from structures.freshness import freshness_of

        return freshness_of(self)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def normalize(self) -> None:
        """Canonical forms of what staff typed (phone, hours, website)."""
        self.phone = normalize_phone(self.phone)
        self.opening_hours = normalize_opening_hours(self.opening_hours)
        self.website = normalize_website(self.website)
        self.name = " ".join(self.name.split())
        self.acronym = self.acronym.strip()

    def clean_fields(self, exclude=None) -> None:
        self.normalize()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.commune_id and self.commune.level not in PLACE_LEVELS:
            errors.setdefault("commune", []).append(
                _("Choisissez une commune (ou un arrondissement municipal), pas un autre niveau.")
            )
        if self.country_id and self.country.level != "country":
            errors.setdefault("country", []).append(_("Choisissez un pays."))
        if self.commune_id and self.country_id and self.country.code != "FR":
            errors.setdefault("country", []).append(
                _("Une structure située dans une commune française a pour pays la France.")
            )
        if (self.latitude is None) != (self.longitude is None):
            errors.setdefault("longitude" if self.longitude is None else "latitude", []).append(
                _("Indiquez la latitude et la longitude, ou aucune des deux.")
            )
        if self.label_tier and self.kind != StructureKind.COMPETITIVENESS_CLUSTER:
            errors.setdefault("label_tier", []).append(
                _("Seul un pôle de compétitivité a un niveau de label.")
            )
        if (
            self.pk
            and self.kind not in CLUSTER_KINDS
            and self.offers.exclude(intensity="").exists()
        ):
            # Offer.intensity is for clusters only: a kind change must not leave one behind.
            errors.setdefault("kind", []).append(
                _(
                    "Des offres de cette structure indiquent une intensité, réservée aux pôles "
                    "et aux clusters : videz-la d'abord."
                )
            )
        if self.parent_id and self.pk:
            ancestor, seen = self.parent, set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == self.pk:
                    errors.setdefault("parent", []).append(
                        _("Ce rattachement créerait une boucle dans le réseau.")
                    )
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
        if errors:
            raise ValidationError(errors)
        self.refresh_coordinates_flag()

    def refresh_coordinates_flag(self) -> None:
        """Flag a point lying outside a generous box around the commune's département."""
        self.coordinates_flagged = bool(
            self.commune_id
            and self.has_point
            and coordinates_outside_departement(self.commune, self.latitude, self.longitude)
        )

    def _unique_slug(self) -> str:
        base = slugify(self.acronym if self.acronym and len(self.acronym) > 2 else self.name)
        base = (base or "structure")[:240]
        if self.commune_id and self.acronym:
            base = slugify(f"{base}-{self.commune.name}")[:240] or base
        slug, n = base, 2
        while Structure.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class StructureCoverage(models.Model):
    """A territory a structure covers by default (its offers inherit it unless they narrow it)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.PROTECT, verbose_name=_("territoire")
    )

    class Meta:
        verbose_name = _("territoire couvert par la structure")
        verbose_name_plural = _("territoires couverts par la structure")
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "territory"], name="structures_unique_structure_coverage"
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "structure"], name="structures_coverage_terr_idx"),
        ]

    def __str__(self) -> str:
        return str(self.territory)
