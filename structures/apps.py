from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "structures"
    verbose_name = _("Structures d'appui")
