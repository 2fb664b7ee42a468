from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Socle commun")

    def ready(self) -> None:
        # Data migrations write reference tables through historical models, whose saves reach
        # no receiver: every reference table's version moves once ``migrate`` (or ``flush``,
        # which empties them) is done. The signal is sent once per app with models (this one has
        # none), each time for a new token: a few writes to the shared cache per migrate.
        post_migrate.connect(_reference_tables_rewritten, dispatch_uid="core_reference_migrated")


def _reference_tables_rewritten(sender, **kwargs) -> None:
    from core import reference_cache

    reference_cache.publish_all()
