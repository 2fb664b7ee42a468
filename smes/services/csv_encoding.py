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
written.

The file is never held in memory: the import reads it as UTF-8 (or what its BOM says) through
``open_text``; only when a byte does not decode does it rescan the file line by line
(``scan_undecodable``) to choose between refusing it and reading it again as Windows-1252.
"""

from __future__ import annotations

import codecs
import io
from typing import IO

# Bytes with no character in Windows-1252.
_UNDEFINED_IN_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Lines named in a message, at most.
MAX_LINES_SHOWN = 10


class UndecodableFile(Exception):
    """Bytes that no accepted encoding reads; ``lines`` are 1-based physical line numbers."""

    def __init__(self, encoding: str, lines: list[int]):
        super().__init__(encoding, lines)
        self.encoding = encoding
        self.lines = lines


def _is_escaped_byte(char: str) -> bool:
    # ``surrogateescape`` turns each byte UTF-8 cannot read into U+DC80..U+DCFF.
    return "\udc80" <= char <= "\udcff"


def _first_bytes(stream: IO[bytes], size: int = 4) -> bytes:
    start = stream.read(size)
    stream.seek(0)
    return start


def scan_undecodable(stream: IO[bytes]) -> UndecodableFile | None:
    """Apply rules 3 and 4 to a file that is not valid UTF-8, one line at a time.

    Returns the error to raise (mixed UTF-8, or bytes undefined in Windows-1252), ``None`` when
    the file reads as Windows-1252. Rewinds ``stream`` before and after.
    """
    stream.seek(0)
    bad_utf8: list[int] = []
    undefined: list[int] = []
    has_utf8_sequences = False
    for number, line in enumerate(stream, 1):
        if line.isascii():
            continue
        probe = line.decode("utf-8", errors="surrogateescape")
        if any(map(_is_escaped_byte, probe)):
            bad_utf8.append(number)
        if not has_utf8_sequences and any(
            char > "\x7f" and not _is_escaped_byte(char) for char in probe
        ):
            has_utf8_sequences = True
        if _UNDEFINED_IN_CP1252.intersection(line):
            undefined.append(number)
    stream.seek(0)
    if has_utf8_sequences:
        return UndecodableFile("UTF-8", bad_utf8)
    if undefined:
        return UndecodableFile("Windows-1252", undefined)
    return None


def utf8_bad_lines(stream: IO[bytes]) -> list[int]:
    """Line numbers holding bytes UTF-8 cannot read (for the message of a BOM-marked file)."""
    stream.seek(0)
    lines = [
        number
        for number, line in enumerate(stream, 1)
        if not line.isascii()
        and any(map(_is_escaped_byte, line.decode("utf-8", errors="surrogateescape")))
    ]
    stream.seek(0)
    return lines


def open_text(stream: IO[bytes], *, encoding: str) -> IO[str]:
    """A text view of the seekable binary ``stream`` from its start, for the csv module.

    ``encoding`` is a name given by ``sniff_encoding``; a BOM is consumed by the codec
    ("utf-8-sig", "utf-16"). Decoding errors surface as ``UnicodeDecodeError`` while reading.
    """
    codec = {"UTF-8": "utf-8-sig", "UTF-16": "utf-16", "Windows-1252": "cp1252"}[encoding]
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=codec, errors="strict", newline="")


def sniff_encoding(stream: IO[bytes]) -> str:
    """The encoding to try first, from the BOM: "UTF-16", else "UTF-8".

    UTF-8 without BOM is only a guess until the whole file has been read: a reader that meets a
    byte UTF-8 cannot decode calls ``scan_undecodable`` and starts again in Windows-1252.
    """
    start = _first_bytes(stream)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    return "UTF-8"


def has_utf8_bom(stream: IO[bytes]) -> bool:
    return _first_bytes(stream, 3) == codecs.BOM_UTF8
