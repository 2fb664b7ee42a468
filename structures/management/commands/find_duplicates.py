"""Possible duplicates: of each row of a file of structures before an import, or in the registry.

``manage.py find_duplicates liste.csv`` reads a CSV with the open-data columns (``name``,
``acronym``, ``latitude``, ``longitude``, ``phone``, ``email``; others are ignored; ``,`` or ``;``)
and reports, per line, the listings already in the registry that may be the same structure.
Without a file, it lists every pair of possible duplicates in the registry.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from structures.duplicates import candidates_for_rows, duplicate_pairs

MAX_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Doublons possibles : de chaque ligne d'un fichier CSV de structures (colonnes de "
        "l'export open data : name, acronym, latitude, longitude, phone, email) avec les fiches "
        "du registre, ou, sans fichier, entre les fiches du registre."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Fichier CSV (UTF-8) à vérifier.")

    def handle(self, *args, **options):
        if options["file"]:
            self._rows(Path(options["file"]))
        else:
            self._registry()

    def _rows(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError("Fichier trop volumineux (20 Mo au plus).")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError("Le fichier doit être encodé en UTF-8.") from exc
        lines = text.splitlines()
        if not lines:
            raise CommandError("Fichier vide.")
        delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
        reader = csv.DictReader(lines, delimiter=delimiter)
        if "name" not in (reader.fieldnames or []):
            raise CommandError("Colonne « name » manquante (en-tête de l'export open data).")
        rows = list(reader)
        flagged = 0
        for line, (row, candidates) in enumerate(
            zip(rows, candidates_for_rows(rows), strict=True), start=2
        ):
            if not candidates:
                continue
            flagged += 1
            self.stdout.write(f"Ligne {line} — {row.get('name', '')} :")
            for candidate in candidates:
                self.stdout.write(
                    f"  doublon possible : {candidate.structure} (n° {candidate.structure.pk}) — "
                    + ", ".join(candidate.reasons)
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(rows)} ligne(s) lue(s), {flagged} avec doublon(s) possible(s)."
            )
        )

    def _registry(self) -> None:
        pairs = duplicate_pairs()
        for pair in pairs:
            self.stdout.write(
                f"{pair.first} (n° {pair.first.pk}) / {pair.second} (n° {pair.second.pk}) — "
                + ", ".join(pair.reasons)
            )
        self.stdout.write(self.style.SUCCESS(f"{len(pairs)} paire(s) de doublons possibles."))
