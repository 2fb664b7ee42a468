from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo dataset (real bodies, fictitious contacts and SMEs) and the scale generator."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = _("Données de démonstration")
