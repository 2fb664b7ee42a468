"""Errors the apps raise on bad input, which every delivery layer knows how to show.

The apps subclass them (``territories.selectors.MalformedCode`` is a ``MalformedInput``): the API
answers 400 / 404 with the message, pages show it next to the field, and ``core`` never needs to
know which app raised it.
"""

from __future__ import annotations


class InputError(Exception):
    """Base: ``message`` is French text fit to show a user, ``code`` a machine code."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class MalformedInput(InputError):
    """Input of the wrong shape (a six-digit commune code): a 400."""


class UnknownObject(InputError):
    """Well-formed input naming nothing (no commune has this code): a 404 where it is the
    object asked for."""
