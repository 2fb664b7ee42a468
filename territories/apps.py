from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "territories"
    verbose_name = _("Territoires")

    def ready(self) -> None:
        from territories import signals  # noqa: F401  (connects the receivers)
