"""Errors raised by the structures services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class StaleVersionError(Exception):
    """The record changed since the editor loaded it: saving would silently lose an update.

    ``current_version`` is the version now stored, ``who`` names the last change (" (par Alice,
    le 3 mars 2026 à 10:02)", built by ``structures.versioning.describe_last_change``); callers
    show the message and reload the form (the API answers 412 Precondition Failed).
    """

    def __init__(
        self, *, expected_version: int | None, current_version: int, obj=None, who: str = ""
    ) -> None:
        self.expected_version = expected_version
        self.current_version = current_version
        self.obj = obj
        self.who = who
        self.message = _(
            "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte"
            "%(who)s (version %(current)s, vous éditiez la version %(expected)s) : vos "
            "modifications n'ont pas été enregistrées. Rechargez la page et reportez vos "
            "changements."
        ) % {
            "who": f" {who}" if who else "",
            "current": current_version,
            "expected": expected_version if expected_version is not None else _("inconnue"),
        }
        super().__init__(str(self.message))


class PendingChangeConflict(Exception):
    """A proposed change can no longer be approved as it stands: since it was proposed, the
    published listing changed on the very fields it changes (``structures.moderation``).

    ``fields`` are the verbose names of those fields, ``who`` names the last change of the
    listing (as ``StaleVersionError.who``).
    """

    def __init__(self, *, fields: list[str], who: str = "") -> None:
        self.fields = fields
        self.who = who
        self.message = _(
            "La fiche publiée a changé depuis cette proposition%(who)s (champs : %(fields)s) : "
            "la valider écraserait cette modification. Refusez la proposition en indiquant le "
            "motif, et invitez son auteur à la refaire à partir de la fiche actuelle."
        ) % {"who": f" {who}" if who else "", "fields": ", ".join(fields)}
        super().__init__(str(self.message))
