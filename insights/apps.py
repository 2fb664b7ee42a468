from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = _("Intelligence territoriale")

    def ready(self) -> None:
        from insights import jobs
        from structures.relay.index import RelayIndexEntry
        from structures.relay.indexing import relay_index_changed

        # Coverage reports are recomputed by the worker after each listing change commits.
        relay_index_changed.connect(
            jobs.relay_index_changed, sender=RelayIndexEntry, dispatch_uid="insights_precompute"
        )
