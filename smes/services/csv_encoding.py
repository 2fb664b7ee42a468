"""The text of an uploaded CSV file: UTF-8 (with or without BOM), else Windows-1252.

Why not a detector (charset-normalizer, chardet): SME files come from two places, a SIRENE
extract or a data.gouv download (UTF-8) and a spreadsheet saved as CSV (UTF-8 with a BOM, or
Windows-1252 from Excel in French). A statistical detector answers on short files with whatever
single-byte code page scores best (cp1250, MacRoman, ...), a different answer for a file one row
longer, and the import would write wrong accents without a word. A strict rule is predictable
and explains itself:

1. a UTF-16 BOM (Excel's "Texte Unicode") → UTF-16; a UTF-8 BOM → UTF-8, strictly;
2. the whole file decodes as UTF-8 → UTF-8 (ASCII included);
3. otherwise, if the file holds valid multi-byte UTF-8 sequences too, it is a damaged UTF-8
   file (two encodings mixed): rejected, naming the lines of the bad bytes — reading it as
   Windows-1252 would turn every "é" of the good lines into "Ã©";
4. otherwise Windows-1252, which Latin-1 (ISO-8859-1) files are read as too: the two agree on
   every printable character, Windows-1252 adds €, œ, ’ … where Latin-1 has control codes. The
   five bytes Windows-1252 leaves undefined reject the file, naming their lines.

A rejected file is rejected whole, with line numbers (never byte offsets), before any row is
read.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# Bytes with no character in Windows-1252.
_UNDEFINED_IN_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Lines named in a message, at most.
MAX_LINES_SHOWN = 10


@dataclass(frozen=True)
class DecodedFile:
    text: str
    encoding: str  # the name shown to users: "UTF-8", "UTF-16", "Windows-1252"


class UndecodableFile(Exception):
    """Bytes that no accepted encoding reads; ``lines`` are 1-based physical line numbers."""

    def __init__(self, encoding: str, lines: list[int]):
        super().__init__(encoding, lines)
        self.encoding = encoding
        self.lines = lines


def _lines_with(text: str, bad) -> list[int]:
    return [number for number, line in enumerate(text.split("\n"), 1) if any(map(bad, line))]


def _is_escaped_byte(char: str) -> bool:
    # ``surrogateescape`` turns each byte UTF-8 cannot read into U+DC80..U+DCFF.
    return "\udc80" <= char <= "\udcff"


def _strict_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        probe = data.decode("utf-8", errors="surrogateescape")
        raise UndecodableFile("UTF-8", _lines_with(probe, _is_escaped_byte)) from None


def decode_csv(data: bytes) -> DecodedFile:
    """The text of ``data`` under the rule of the module docstring.

    Raises ``UndecodableFile`` (with the line numbers of the bad bytes) when the file is neither
    valid UTF-8 nor Windows-1252, or is UTF-8 with stray bytes of another encoding.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedFile(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError:
            raise UndecodableFile("UTF-16", []) from None
    if data.startswith(codecs.BOM_UTF8):
        return DecodedFile(_strict_utf8(data[len(codecs.BOM_UTF8) :]), "UTF-8")
    try:
        return DecodedFile(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    probe = data.decode("utf-8", errors="surrogateescape")
    if any(char > "\x7f" and not _is_escaped_byte(char) for char in probe):
        raise UndecodableFile("UTF-8", _lines_with(probe, _is_escaped_byte))
    try:
        return DecodedFile(data.decode("cp1252"), "Windows-1252")
    except UnicodeDecodeError:
        bad = [
            number
            for number, line in enumerate(data.split(b"\n"), 1)
            if _UNDEFINED_IN_CP1252.intersection(line)
        ]
        raise UndecodableFile("Windows-1252", bad) from None
