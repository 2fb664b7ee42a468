"""Tabular inlines whose fields have an accessible name.

A tabular inline shows each field's label once, in the column header, and renders the row's
inputs without a ``<label>``: a screen reader announces "liste déroulante" or "case à cocher"
with no name, and axe-core reports it (WCAG 4.1.2). Each visible input of a row, the "Supprimer"
box included (added by the formset, not the form), is given its column's label as
``aria-label``.
"""

from __future__ import annotations

from django.contrib import admin


def _labelled(formset_class):
    class LabelledFormSet(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            for field in form.fields.values():
                # The admin wraps related fields (the "+" and pencil links); the wrapper's attrs
                # are shared with the class's own widget, the wrapped one's are this form's.
                widget = getattr(field.widget, "widget", field.widget)
                if not widget.is_hidden and field.label:
                    widget.attrs.setdefault("aria-label", str(field.label))

    LabelledFormSet.__name__ = formset_class.__name__
    LabelledFormSet.__qualname__ = formset_class.__qualname__
    return LabelledFormSet


class LabelledTabularInline(admin.TabularInline):
    """``admin.TabularInline`` whose row inputs are named by their column's label."""

    def get_formset(self, request, obj=None, **kwargs):
        return _labelled(super().get_formset(request, obj, **kwargs))
