"""Signal receivers keeping the partner finder's market index current after every ORM write.

Bulk writes (``QuerySet.update``, raw SQL) send no signals: the CSV import and the generator
call ``smes.services.partner_index.refresh_partner_index`` themselves. A deleted SME's entries
go with it (``CASCADE``).
"""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from smes.models import SME
from smes.services.partner_index import refresh_partner_index


@receiver(post_save, sender=SME, dispatch_uid="partner_index_sme_saved")
def _sme_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_partner_index(sme_ids=[instance.pk])


@receiver(m2m_changed, sender=SME.target_markets.through, dispatch_uid="partner_index_markets")
def _markets_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        refresh_partner_index(sme_ids=[instance.pk])
    elif pk_set:  # a territory's targeting SMEs changed
        refresh_partner_index(sme_ids=pk_set)
    # A reverse clear names no SME: the country is being deleted, and its entries go with it.
