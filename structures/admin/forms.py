"""Forms of the structures admin: versioned (no lost update), with the staff's shortcuts."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from structures import moderation
from structures.admin.competence import CompetencePreviewFormMixin
from structures.admin.concurrency import VersionedModelForm
from structures.admin.opening_hours import OpeningHoursField
from structures.models import (
    Contact,
    Offer,
    Programme,
    Sector,
    Service,
    StaffMembership,
    Structure,
)


class StructureAdminForm(VersionedModelForm):
    confirm_up_to_date = forms.BooleanField(
        label=_("Je confirme que la fiche est à jour"),
        required=False,
        help_text=_(
            "Cochez après avoir relu la fiche : la date de vérification est mise à jour à "
            "l'enregistrement."
        ),
    )
    opening_hours = OpeningHoursField(
        label=_("Horaires d'ouverture"),
        help_text=_(
            "Horaires de la semaine type, jour par jour. Un jour laissé vide est fermé ; "
            "tout laisser vide si les horaires ne sont pas connus."
        ),
    )

    # The person editing, set by the admin (``StructureAdmin.get_form``): the network head they
    # may name depends on who they are (``structures.moderation.check_parent``).
    editor = None

    class Meta:
        model = Structure
        # The admin passes the real list (its fieldsets); listing every field here would build
        # the URL fields at import time, without the admin's ``assume_scheme`` override.
        fields = ["name"]

    def clean(self):
        cleaned_data = super().clean()
        if "parent" in self.fields and "parent" in cleaned_data:
            # ``self.instance`` still holds the stored values here (the form applies its own in
            # ``_post_clean``): the listing as published, or an unsaved one on creation.
            try:
                moderation.check_parent(
                    structure=self.instance if self.instance.pk else None,
                    parent=cleaned_data["parent"],
                    user=self.editor,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class OfferAdminForm(CompetencePreviewFormMixin, VersionedModelForm):
    class Meta:
        model = Offer
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        included = {sector.pk for sector in cleaned_data.get("naf_include") or ()}
        excluded = {sector.pk for sector in cleaned_data.get("naf_exclude") or ()}
        if included & excluded:
            self.add_error(
                "naf_exclude", _("Un code NAF ne peut pas être à la fois admis et exclu.")
            )
        self._check_one_offer_per_service(cleaned_data)
        return cleaned_data

    def _check_one_offer_per_service(self, cleaned_data) -> None:
        # The structure is read-only on an existing offer, so the form leaves it out and Django
        # skips the (structure, service) constraint: check it here rather than hit the database.
        if "structure" in self.fields:
            return
        service = cleaned_data.get("service")
        if service is None or self.instance.structure_id is None:
            return
        duplicate = (
            Offer.objects.filter(structure_id=self.instance.structure_id, service=service)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            self.add_error("service", _("Cette structure propose déjà ce service."))


class OfferInlineFormSet(BaseInlineFormSet):
    """Offers on the structure page: the contact is one of *this* structure's contacts.

    The service and contact choices are read once for the whole formset, not once per row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._service_choices = None
        self._contact_choices = None

    def _choices(self, field, attr):
        cached = getattr(self, attr)
        if cached is None:
            cached = list(field.choices)
            setattr(self, attr, cached)
        return cached

    def clean(self):
        super().clean()  # a duplicate service is said first, for the whole formset
        self._refuse_removals_from_every_search()
        for form in self.initial_forms:
            if form in self.deleted_forms or form.errors or "service" not in form.changed_data:
                continue
            # Another service moves the offer to other searches altogether: that change is made
            # on the offer's own page, which says what it does before saving
            # (structures.competence).
            form.add_error(
                "service",
                _(
                    "Pour changer le service d'une offre, ouvrez sa page (lien « Modifier ») : "
                    "l'effet du changement sur les recherches y est montré avant l'enregistrement."
                ),
            )

    def _refuse_removals_from_every_search(self) -> None:
        """Deactivating or deleting an active offer takes it out of every search: like any
        narrowing, it is done where the preview shows it and asks for a confirmation — the
        offer's own page (structures.competence), not a row of this one."""
        deleted = [f for f in self.deleted_forms if f.instance.pk and f.instance.is_active]
        for form in self.initial_forms:
            if form in self.deleted_forms or form.errors or "is_active" not in form.changed_data:
                continue
            if form.initial.get("is_active") and not form.cleaned_data.get("is_active"):
                form.add_error(
                    "is_active",
                    _(
                        "Désactiver l'offre la retire de toutes les recherches : faites-le sur "
                        "sa page (lien « Modifier »), qui vous demande de le confirmer."
                    ),
                )
        if deleted:
            raise ValidationError(
                _(
                    "Supprimer une offre active la retire de toutes les recherches : supprimez-la "
                    "depuis sa page (lien « Modifier », puis « Supprimer »), qui vous demande de "
                    "le confirmer."
                ),
                code="offer_removal_elsewhere",
            )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        contact = form.fields.get("contact")
        if contact is not None:
            # Never another structure's contact, even when the user edits several structures.
            contact.queryset = (
                Contact.objects.filter(structure=self.instance)
                if self.instance.pk
                else Contact.objects.none()
            )
            contact.choices = self._choices(contact, "_contact_choices")
        service = form.fields.get("service")
        if service is not None:
            service.choices = self._choices(service, "_service_choices")


class OfferInlineForm(VersionedModelForm):
    class Meta:
        model = Offer
        fields = "__all__"

    def clean_contact(self):
        contact = self.cleaned_data.get("contact")
        if contact is not None and self.instance.structure_id not in (None, contact.structure_id):
            raise ValidationError(
                _("Le contact doit appartenir à la structure qui propose l'offre.")
            )
        return contact


class ContactForm(VersionedModelForm):
    """A contact, on its own page or as a row of its structure's page."""

    class Meta:
        model = Contact
        fields = "__all__"


class StaffMembershipForm(VersionedModelForm):
    """Who may edit a structure, on its own page or as a row of the structure's page."""

    class Meta:
        model = StaffMembership
        fields = "__all__"


class ServiceForm(VersionedModelForm):
    class Meta:
        model = Service
        fields = "__all__"


class SectorForm(VersionedModelForm):
    class Meta:
        model = Sector
        fields = "__all__"


class ProgrammeForm(VersionedModelForm):
    class Meta:
        model = Programme
        fields = "__all__"


__all__ = [
    "ContactForm",
    "OfferAdminForm",
    "OfferInlineForm",
    "OfferInlineFormSet",
    "ProgrammeForm",
    "SectorForm",
    "ServiceForm",
    "StaffMembershipForm",
    "StructureAdminForm",
]
