from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "smes"
    verbose_name = _("PME")

    def ready(self) -> None:
        from smes import signals  # noqa: F401  (keeps the partner finder's market index current)
