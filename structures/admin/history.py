"""History pages (django-simple-history) limited to what the user may see.

``SimpleHistoryAdmin.history_view`` falls back to the last historical record when the object is
not in ``get_queryset`` (to show the history of deleted objects), and its per-version page reads
the history table directly: both would let a staff member read another chamber's listing by
URL. Here a staff member gets a 404 for anything outside their structures; registry
administrators keep the history of deleted objects. Reverting from a past version is disabled:
it would bypass the version check of the change form (a past version carries a past ``version``).
"""

from __future__ import annotations

import dataclasses

from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from structures.permissions import is_registry_admin

# Bookkeeping columns whose change says nothing to a reader of the history.
HIDDEN_HISTORY_FIELDS = frozenset({"version", "updated_at", "search_name", "coordinates_flagged"})
ADMIN_LOG_LENGTH = 50


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    """Changes as a person reads them: choice labels, « oui » / « non », « (vide) »."""

    def context_for_delta_changes(self, delta):
        kept = [c for c in delta.changes if c.field not in HIDDEN_HISTORY_FIELDS]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=kept))

    def prepare_delta_change_value(self, change, value):
        try:
            field = self.model._meta.get_field(change.field)
        except FieldDoesNotExist:  # pragma: no cover - a column dropped since
            return value
        if value is None or value == "":
            return _("(vide)")
        if isinstance(value, bool):
            return _("oui") if value else _("non")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    history_list_per_page = 50
    object_history_template = "admin/structures/object_history.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryContextHelper(self.model, historical_record)

    def history_view_title(self, request, obj):
        return _("Historique des modifications : %s") % obj

    def history_form_view_title(self, request, obj):
        return _("Version passée de « %s » (lecture seule)") % obj

    def _ensure_visible(self, request, object_id) -> None:
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404 from error
        if is_registry_admin(request.user):
            return
        if not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        # The admin's own journal also names changes the field history cannot see: rows added
        # or removed in the inlines (coverage, markets, contacts…).
        admin_log = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=str(unquote(object_id)),
            )
            .select_related("user")
            .order_by("-action_time")[:ADMIN_LOG_LENGTH]
        )
        context = {"admin_log": admin_log, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_visible(request, object_id)
        if request.method != "GET":
            raise PermissionDenied
        try:
            int(version_id)
        except ValueError as error:
            raise Http404 from error
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True
