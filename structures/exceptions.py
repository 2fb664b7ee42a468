"""Errors raised by the structures services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class StaleVersionError(Exception):
    """The listing changed since the editor loaded it: saving would silently lose an update.

    ``current_version`` is the version now stored; callers show the message and reload the form
    (the API answers 409 Conflict).
    """

    def __init__(self, *, expected_version: int | None, current_version: int, obj=None) -> None:
        self.expected_version = expected_version
        self.current_version = current_version
        self.obj = obj
        self.message = _(
            "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte "
            "(version %(current)s, vous éditiez la version %(expected)s). Rechargez la page et "
            "reportez vos changements."
        ) % {"current": current_version, "expected": expected_version}
        super().__init__(str(self.message))
