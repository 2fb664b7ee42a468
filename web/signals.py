"""The one hook that invalidates ``web.page_cache``: any change to the services, the sectors or
the territory reference (``ReferenceVersion`` is rewritten by the loader and on every save or
deletion of a territory, countries included) draws a new catalogues version."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from structures.models import Sector, Service
from territories.models import ReferenceVersion
from web import page_cache


def _catalogues_changed(sender, **kwargs) -> None:
    page_cache.catalogues_changed()


for _model in (Service, Sector, ReferenceVersion):
    post_save.connect(
        _catalogues_changed, sender=_model, dispatch_uid=f"web_catalogues_save_{_model.__name__}"
    )
    post_delete.connect(
        _catalogues_changed, sender=_model, dispatch_uid=f"web_catalogues_del_{_model.__name__}"
    )
m2m_changed.connect(
    _catalogues_changed, sender=Sector.naf_divisions.through, dispatch_uid="web_catalogues_naf"
)
