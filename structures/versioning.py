"""No lost update, for every record staff edit: one ``version`` column, one check.

Every record with its own edit page or API endpoint (structures, offers, contacts, staff
memberships, services, sectors, API tokens, SMEs) carries a ``version``. A write names the version its editor loaded and
*claims* the next one with a conditional ``UPDATE … SET version = version + 1 WHERE pk = … AND
version = <loaded>``: the row lock that UPDATE takes settles a race between two writers on both
databases (PostgreSQL row lock; SQLite's ``IMMEDIATE`` transactions serialise writers), and the
loser, whose UPDATE matched no row, gets ``StaleVersionError`` naming who changed the record and
when. Rows edited only inside their parent's page (coverage, markets, member counts, links, SME
memberships) have no version of their own: every path that writes them claims the parent's (see
``docs/architecture.md``, "No lost update").

The admin (``structures.admin.concurrency``), the API (``core.api.etag``) and the services all
go through ``claim_version``.
"""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Model
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from structures.exceptions import StaleVersionError


def _describe(user, when) -> str:
    when_text = date_format(localtime(when), "j F Y à H:i")
    if user is not None:
        who = user.get_full_name() or user.get_username()
        return str(_("(par %(who)s, le %(when)s)") % {"who": who, "when": when_text})
    return str(_("(le %(when)s)") % {"when": when_text})


def describe_last_change(instance: Model) -> str:
    """ " (par Alice, le 3 mars 2026 à 10:02)" for the last change of ``instance``, or "".

    Read from the model's history when it keeps one, else from its ``updated_by`` /
    ``updated_at`` columns (SMEs: an import writes too many rows to keep a history), else from
    the admin's journal.
    """
    model = type(instance)
    if instance.pk is None:
        return ""
    history = getattr(model, "history", None)
    if history is not None:
        last = (
            history.filter(**{model._meta.pk.attname: instance.pk})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )
        if last is not None:
            return _describe(last.history_user, last.history_date)
    if hasattr(instance, "updated_by_id") and hasattr(instance, "updated_at"):
        stored = (
            model._default_manager.filter(pk=instance.pk)
            .select_related("updated_by")
            .only("updated_at", "updated_by")
            .first()
        )
        return _describe(stored.updated_by, stored.updated_at) if stored is not None else ""
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(instance.pk)
        )
        .select_related("user")
        .order_by("-action_time")
        .first()
    )
    return _describe(entry.user, entry.action_time) if entry is not None else ""


def stale_version(obj: Model, *, expected: int | None) -> StaleVersionError:
    """The refusal of a write that loaded ``expected`` while the stored version moved on."""
    current = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    return StaleVersionError(
        expected_version=expected,
        current_version=current or 0,
        obj=obj,
        who=describe_last_change(obj),
    )


def claim_version(instance: Model, *, expected: int | None) -> None:
    """Atomically move ``instance`` from version ``expected`` to the next one, or refuse.

    Must run inside the transaction that then saves ``instance`` (or its child rows); the
    conditional UPDATE takes the row lock, so a concurrent claim waits and then finds the version
    already moved. ``expected=None`` (the editor sent no version) is refused too.
    """
    model = type(instance)
    claimed = (
        model._default_manager.filter(pk=instance.pk, version=expected).update(
            version=F("version") + 1
        )
        if expected is not None
        else 0
    )
    if not claimed:
        raise stale_version(instance, expected=expected)
    instance.version = expected + 1


def claim_fresh(model: type[Model], pk, *, expected: int | None):
    """Claim the next version of row ``pk`` and return the row as now stored (locked, fresh).

    For services: the write then applies its changes to this instance and saves it.
    """
    row = model(pk=pk)
    claim_version(row, expected=expected)
    return model._default_manager.get(pk=pk)


def bump_version(model: type[Model], pk) -> None:
    """Move row ``pk`` to its next version whatever it was: a write with no loaded version
    (an import, a confirmation) still makes every form opened before it stale."""
    model._default_manager.filter(pk=pk).update(version=F("version") + 1)
