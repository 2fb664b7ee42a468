"""The people behind a structure: contacts to call and staff who keep the listing current."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import version_field
from structures.enums import ContactKind, StaffRole
from structures.models.structure import Structure
from structures.validators import (
    normalize_languages,
    normalize_phone,
    validate_languages,
    validate_phone,
)


class Contact(models.Model):
    """A desk or a person to call (rule R3: give a name, not only an organisation)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(
        _("nature"), max_length=8, choices=ContactKind.choices, default=ContactKind.DESK
    )
    name = models.CharField(
        _("nom"), max_length=200, help_text=_("Nom du service ou de la personne.")
    )
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=32, blank=True, validators=[validate_phone])
    languages = models.CharField(
        _("langues"),
        max_length=100,
        blank=True,
        validators=[validate_languages],
        help_text=_(
            "Langues parlées, en codes à deux lettres séparés par des virgules, ex. « fr,en,es »."
        ),
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Affiché aux visiteurs et dans l'API publique.")
    )
    is_demo = models.BooleanField(_("donnée de démonstration"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)
    version = version_field()
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["structure", "position", "name", "pk"]
        # Distinct from ``view_contact``, which structures' staff hold to manage their own
        # contacts in the admin: this one reaches other structures' private contacts, within the
        # holder's territorial scope (structures.permissions).
        permissions = [
            (
                "view_private_contacts",
                _("Peut voir les contacts non publics des structures de son périmètre"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.role}" if self.role else self.name

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def clean_fields(self, exclude=None) -> None:
        self.phone = normalize_phone(self.phone)
        self.languages = normalize_languages(self.languages)
        self.name = " ".join(self.name.split())
        super().clean_fields(exclude=exclude)


class StaffMembership(models.Model):
    """A staff user belongs to a structure and may edit its listing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="structure_memberships",
        verbose_name=_("utilisateur"),
    )
    structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        related_name="staff_memberships",
        verbose_name=_("structure"),
    )
    role = models.CharField(
        _("rôle"), max_length=16, choices=StaffRole.choices, default=StaffRole.EDITOR
    )
    version = version_field()
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    # Who granted or changed an access, and when: also what a refused concurrent edit names.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres des équipes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"], name="structures_unique_staff_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.structure}"
