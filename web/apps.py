from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Delivery: the public site, the staff pages and the relay endpoint of the API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "web"
    verbose_name = _("Site public")
