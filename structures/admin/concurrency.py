"""No lost update in the admin: optimistic concurrency on ``version``.

The change form carries the version the editor loaded in a hidden field (``loaded_version``).
Validation refuses a submission whose version is no longer the stored one (someone saved in between), with a French
message naming who changed the listing and when. Validation alone cannot close the race between
two submissions validated at the same instant, so the write itself is conditional: one
``UPDATE … SET version = version + 1 WHERE pk = … AND version = <loaded>``. The loser of the race
updates no row, ``StaleVersionError`` rolls its transaction back, and the form is shown again
with the refusal (its validation now sees the winner's version).

Inlines. The parent's version is claimed on *every* save of its page, whether its own fields or
only its inline rows changed: rows that are only ever edited inside their parent (coverage,
markets, member counts, links, SME memberships) are thereby covered by the parent's version, as
every other path writing them (the services) claims it too. Rows that also have a page or an
endpoint of their own (offers, contacts, staff memberships: ``versioned_inline_models``) may
change without their parent's version moving, so each such row carries its own loaded version,
checked by its form and claimed when the row is saved or deleted.

Deletion. Django's confirmation page has no form of ours to carry a version, so the version it
showed is kept in the user's session (one key per record) and claimed when the deletion is
confirmed: a record changed by someone else meanwhile is not deleted, and the page is shown
again, with its current contents and who changed it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from structures.exceptions import StaleVersionError
from structures.versioning import bump_version, claim_version, describe_last_change

DELETE_CONFLICT_MESSAGE = _(
    "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous avez demandé sa "
    "suppression %(who)s; elle n'a pas été supprimée. Relisez-la ci-dessous, puis confirmez à "
    "nouveau si elle doit l'être."
)

CONFLICT_MESSAGE = _(
    "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte "
    "%(who)s; vos modifications n'ont pas été enregistrées pour ne pas écraser les siennes. "
    "Copiez vos changements, rechargez la page, puis reportez-les."
)


def conflict_error(instance: Model) -> ValidationError:
    return ValidationError(
        CONFLICT_MESSAGE, code="stale_version", params={"who": describe_last_change(instance)}
    )


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a model with a ``version`` field, refusing stale submissions."""

    # Not named ``version``: the model field is not editable, and the admin refuses to list a
    # non-editable model field in a form's fields.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    @property
    def is_update(self) -> bool:
        return self.instance.pk is not None and not self.instance._state.adding

    def clean(self):
        cleaned_data = super().clean()
        # ``self.instance`` was read from the database by this very request: its version is the
        # stored one, to compare with the version the editor loaded.
        if self.is_update and cleaned_data.get("loaded_version") != self.instance.version:
            raise conflict_error(self.instance)
        return cleaned_data


class VersionedAdminMixin:
    """For a ModelAdmin whose model (and possibly inline models) carry a ``version``.

    ``versioned_inline_models`` lists the inline models whose rows are claimed the same way.
    """

    versioned_inline_models: tuple[type[Model], ...] = ()

    def save_model(self, request, obj, form, change):
        if change and "loaded_version" not in form.fields:
            # A change list's inline edit (``list_editable``) carries no loaded version: it
            # still moves the version, so that a change form opened before it is refused.
            bump_version(type(obj), obj.pk)
            obj.version = (
                type(obj)._default_manager.values_list("version", flat=True).get(pk=obj.pk)
            )
        elif change:
            claim_version(obj, expected=form.cleaned_data.get("loaded_version"))
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model in self.versioned_inline_models:
            for inline_form in formset.initial_forms:
                # A deleted row is claimed too: deleting a row someone just edited loses the edit.
                # (The formset ignores the validation errors of rows marked for deletion.)
                deleted = inline_form in formset.deleted_forms
                if not deleted and not inline_form.has_changed():
                    continue
                claim_version(
                    inline_form.instance, expected=inline_form.cleaned_data.get("loaded_version")
                )
        super().save_formset(request, form, formset, change)

    def _seen_key(self, object_id) -> str:
        return f"admin-delete-version:{self.opts.label_lower}:{object_id}"

    def seen_version(self, request, obj) -> int:
        """The version of ``obj`` its deletion page showed this user (the stored one if they
        confirmed without seeing it, e.g. from a script)."""
        return request.session.get(self._seen_key(obj.pk), obj.version)

    def delete_model(self, request, obj):
        claim_version(obj, expected=self.seen_version(request, obj))
        super().delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            response = super().delete_view(request, object_id, extra_context)
        except StaleVersionError as error:
            # The deletion's transaction was rolled back: show the page again, as it now is.
            request.session.pop(self._seen_key(error.obj.pk), None)
            self.message_user(
                request, DELETE_CONFLICT_MESSAGE % {"who": error.who}, level=messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        shown = getattr(response, "context_data", None) or {}
        if request.method == "GET" and getattr(shown.get("object"), "version", None) is not None:
            request.session[self._seen_key(shown["object"].pk)] = shown["object"].version
        elif request.method == "POST" and response.status_code == 302:
            request.session.pop(self._seen_key(unquote(object_id)), None)
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersionError:
            # Lost the race after validation: the admin's transaction was rolled back. Showing
            # the form again re-runs validation, which now sees the newer version and explains.
            pass
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersionError as error:  # yet another writer slipped in: stop retrying
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
