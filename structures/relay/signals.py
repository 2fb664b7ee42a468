"""Signal receivers keeping the relay index current after every write through the ORM.

Bulk writes (``bulk_create``, ``QuerySet.update``) send no signals: the loaders that use them
call ``refresh_relay_index`` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core import reference_cache
from structures.models import (
    Contact,
    Offer,
    OfferCoverage,
    OfferMarket,
    Programme,
    ProgrammeEntryPoint,
    Sector,
    Service,
    Structure,
    StructureCoverage,
)
from structures.relay import reference
from structures.relay.index import RelayIndexEntry
from structures.relay.indexing import (
    announce,
    indexed_services,
    refresh_relay_index,
    refresh_structures,
)


@receiver(post_save, sender=Offer, dispatch_uid="relay_offer_saved")
def _offer_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_relay_index(offer_ids=[instance.pk])


@receiver(post_save, sender=OfferCoverage, dispatch_uid="relay_offercov_saved")
@receiver(post_delete, sender=OfferCoverage, dispatch_uid="relay_offercov_deleted")
@receiver(post_save, sender=OfferMarket, dispatch_uid="relay_market_saved")
@receiver(post_delete, sender=OfferMarket, dispatch_uid="relay_market_deleted")
def _offer_part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_relay_index(offer_ids=[instance.offer_id])


@receiver(post_save, sender=Structure, dispatch_uid="relay_structure_saved")
def _structure_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_structures(structure_ids=[instance.pk])


@receiver(post_save, sender=StructureCoverage, dispatch_uid="relay_structcov_saved")
@receiver(post_delete, sender=StructureCoverage, dispatch_uid="relay_structcov_deleted")
def _structure_coverage_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_structures(structure_ids=[instance.structure_id])


def _m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Offer):
        refresh_relay_index(offer_ids=[instance.pk])
    elif isinstance(instance, Structure):
        refresh_structures(structure_ids=[instance.pk])
    elif reverse and pk_set:
        # Changed from the other side (a sector or territory): refresh the offers touched.
        if sender is Structure.coverage.through:
            refresh_structures(structure_ids=pk_set)
        else:
            refresh_relay_index(offer_ids=pk_set)


for _through in (
    Offer.coverage.through,
    Offer.sectors.through,
    Offer.naf_include.through,
    Offer.naf_exclude.through,
    Structure.coverage.through,
):
    m2m_changed.connect(
        _m2m_changed, sender=_through, dispatch_uid=f"relay_m2m_{_through.__name__}"
    )


# The reference tables of the lookup (structures.relay.reference): every process reloads its
# copy once the write commits. Territories (countries) are the territories app's own receivers'
# (territories.services.mark_reference_changed), which its loader calls as well.
def _service_changed(sender, **kwargs):
    reference_cache.mark_changed(reference.SERVICE_TABLE)


def _sector_changed(sender, **kwargs):
    reference_cache.mark_changed(reference.SECTOR_TABLE)


for _model, _receiver in ((Service, _service_changed), (Sector, _sector_changed)):
    post_save.connect(_receiver, sender=_model, dispatch_uid=f"relay_ref_save_{_model.__name__}")
    post_delete.connect(_receiver, sender=_model, dispatch_uid=f"relay_ref_del_{_model.__name__}")
m2m_changed.connect(
    _sector_changed, sender=Sector.naf_divisions.through, dispatch_uid="relay_ref_naf"
)


def _contact_changed(sender, **kwargs):
    reference_cache.mark_changed(reference.CONTACT_TABLE)


post_save.connect(_contact_changed, sender=Contact, dispatch_uid="relay_results_contact_save")
post_delete.connect(_contact_changed, sender=Contact, dispatch_uid="relay_results_contact_del")


def _structure_changed(sender, **kwargs):
    reference_cache.mark_changed(reference.STRUCTURE_TABLE)


post_save.connect(_structure_changed, sender=Structure, dispatch_uid="relay_doors_structure_save")
post_delete.connect(_structure_changed, sender=Structure, dispatch_uid="relay_doors_structure_del")


def _programme_changed(sender, **kwargs):
    reference_cache.mark_changed(reference.PROGRAMME_TABLE)


post_save.connect(_programme_changed, sender=Programme, dispatch_uid="relay_ref_programme_save")
post_delete.connect(_programme_changed, sender=Programme, dispatch_uid="relay_ref_programme_del")
# A programme's doors: the public copy of the doors (structures.relay.doors) holds them.
post_save.connect(
    _programme_changed, sender=ProgrammeEntryPoint, dispatch_uid="relay_ref_entry_point_save"
)
post_delete.connect(
    _programme_changed, sender=ProgrammeEntryPoint, dispatch_uid="relay_ref_entry_point_del"
)
m2m_changed.connect(
    _programme_changed, sender=Programme.services.through, dispatch_uid="relay_ref_programme_svc"
)


@receiver(post_delete, sender=Offer, dispatch_uid="relay_offer_deleted")
def _offer_deleted(sender, instance, **kwargs):
    # Cascaded coverage / market rows re-index the offer from their own post_delete while it
    # is being deleted: drop whatever they wrote once the offer itself is gone.
    _drop(RelayIndexEntry.objects.filter(offer_id=instance.pk))


@receiver(post_delete, sender=Structure, dispatch_uid="relay_structure_deleted")
def _structure_deleted(sender, instance, **kwargs):
    _drop(RelayIndexEntry.objects.filter(structure_id=instance.pk))


def _drop(rows) -> None:
    touched = indexed_services(rows)
    if rows.delete()[0]:
        reference_cache.mark_changed(reference.RELAY_INDEX_TABLE)
        announce(touched)
