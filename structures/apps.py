from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "structures"
    verbose_name = _("Structures d'appui")

    def ready(self) -> None:
        from structures.relay import signals  # noqa: F401  (keeps the relay index current)
