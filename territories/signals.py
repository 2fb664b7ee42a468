"""Any change to a territory outside the loader (admin, shell, tests) changes the reference's
version token, so that the per-process place-name indexes rebuild (the loader's bulk writes send
no signals: it draws the token itself)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from territories.models import Territory
from territories.services import mark_reference_changed


@receiver(post_save, sender=Territory, dispatch_uid="territories_reference_changed_on_save")
@receiver(post_delete, sender=Territory, dispatch_uid="territories_reference_changed_on_delete")
def _reference_changed(sender, **kwargs) -> None:
    mark_reference_changed()
