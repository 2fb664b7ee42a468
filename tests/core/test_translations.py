"""The English catalogue is complete, consistent with the French source strings, and compiled.

Read in pure Python (no gettext tools needed on a reuser's CI). `make messages` refreshes the
catalogue from the code and compiles it; these tests say when that was forgotten or left
entries untranslated.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|%%|\{[a-z_]+\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.parts.get("msgid", "")


def _entries() -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    key = None
    for number, raw in enumerate(PO.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, key = None, None
            continue
        if line.startswith("#~"):  # obsolete entries are ignored by gettext
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current.parts[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current.parts[key] = ast.literal_eval(value)
    return [entry for entry in entries if entry.parts]


ENTRIES = _entries()
MESSAGES = [entry for entry in ENTRIES if entry.msgid]


def test_the_catalogue_has_messages():
    assert len(MESSAGES) > 1000


def test_every_message_is_translated_and_none_is_fuzzy():
    fuzzy = [f"line {e.line}: {e.msgid[:60]}" for e in MESSAGES if "fuzzy" in e.flags]
    untranslated = [
        f"line {e.line}: {e.msgid[:60]}"
        for e in MESSAGES
        if any(not value for key, value in e.parts.items() if key.startswith("msgstr"))
    ]
    assert fuzzy == [], "fuzzy entries: review them, then `make messages`"
    assert untranslated == [], "untranslated entries: translate them, then `make messages`"


def test_translations_keep_every_placeholder():
    mismatched = []
    for entry in MESSAGES:
        sources = [entry.msgid, entry.parts.get("msgid_plural", entry.msgid)]
        for key, value in entry.parts.items():
            if not key.startswith("msgstr"):
                continue
            source = sources[1] if key == "msgstr[1]" else sources[0]
            if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(value)):
                mismatched.append(f"line {entry.line}: {source[:50]!r} → {value[:50]!r}")
    assert mismatched == []


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in MESSAGES:
        context = entry.parts.get("msgctxt")
        if "msgid_plural" in entry.parts:
            got = [
                catalogue.npgettext(context, entry.msgid, entry.parts["msgid_plural"], n)
                if context
                else catalogue.ngettext(entry.msgid, entry.parts["msgid_plural"], n)
                for n in (1, 2)
            ]
            expected = [entry.parts["msgstr[0]"], entry.parts["msgstr[1]"]]
        else:
            got = [
                catalogue.pgettext(context, entry.msgid)
                if context
                else catalogue.gettext(entry.msgid)
            ]
            expected = [entry.parts["msgstr"]]
        if got != expected:
            stale.append(f"line {entry.line}: {entry.msgid[:60]}")
    assert stale == [], "the .mo is older than the .po: run `make messages`"


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("Signaler une erreur", "Report an error"),
        ("Les relais compétents les plus proches", "The nearest competent relays"),
    ],
)
def test_django_serves_the_english_catalogue(french, english):
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext(french) == english
