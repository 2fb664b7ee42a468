"""The search form's markup (``site/_search_form.html``) without the template engine's cost.

Its seven fields through ``site/_field.html`` cost the results page about as much as the relay
lookup (profile in issue 14). A form without errors differs from the empty one only by its
widgets' values and its open panel: the template is rendered once per language and catalogues
version (``web.page_cache``) with a slot where each widget goes, and a request renders only the
widgets. ``tests/site/test_results_markup.py`` checks it against the template.
"""

from __future__ import annotations

from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from web import page_cache
from web.forms import RelaySearchForm

SEARCH_FORM_TEMPLATE = "site/_search_form.html"
# Around a field's name where the form's skeleton has its widget (a character no markup has).
SLOT = "\x00"


class _SlotBoundField(BoundField):
    def __str__(self) -> SafeString:
        return mark_safe(f"{SLOT}{self.name}{SLOT}")

    __html__ = __str__


class _SearchFormSkeleton(RelaySearchForm):
    """The search form without values nor errors, each widget left as a slot."""

    bound_field_class = _SlotBoundField

    def __init__(self, *, refines: bool) -> None:
        super().__init__()
        self._refines = refines

    @property
    def refines(self) -> bool:
        return self._refines


def _skeleton_parts(refines: bool) -> list[str]:
    """The skeleton's markup split at its slots: text, field name, text, … text."""
    html = render_to_string(SEARCH_FORM_TEMPLATE, {"form": _SearchFormSkeleton(refines=refines)})
    return html.split(SLOT)


def search_form_html(form: RelaySearchForm) -> str:
    """``site/_search_form.html`` for ``form``: the skeleton's markup with ``form``'s widgets in
    its slots. A form with errors goes through the template (its error summary, its fields'
    messages), as does one with another prefix or ids."""
    if form.errors or form.prefix or form.auto_id != "id_%s":
        return render_to_string(SEARCH_FORM_TEMPLATE, {"form": form})
    refines = form.refines
    parts = page_cache.cached(f"search-form-slots:{refines}", lambda: _skeleton_parts(refines))
    html = [part if index % 2 == 0 else str(form[part]) for index, part in enumerate(parts)]
    return mark_safe("".join(html))
