"""A network head's offers as CSV: export, and all-or-nothing re-import (structures.network_offers).

    manage.py network_offers export cci-occitanie --user alice [--output offres.csv]
    manage.py network_offers import cci-occitanie --user alice offres.csv

The user's rights apply as on the staff page: only the offers of the network's structures the
user may edit are exported, and an imported row naming another structure is refused.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from structures.models import Structure
from structures.network_offers import export_network_offers, import_network_offers, read_csv


class Command(BaseCommand):
    help = (
        "Offres d'un réseau (tête de réseau et structures qui en dépendent) en CSV : export, ou "
        "réimport tout ou rien (chaque ligne refusée signalée avec son numéro)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("head", help="Identifiant d'URL (slug) de la tête de réseau.")
        parser.add_argument("file", nargs="?", help="Fichier CSV à importer.")
        parser.add_argument(
            "--user", required=True, help="Compte au nom duquel agir (ses droits s'appliquent)."
        )
        parser.add_argument("--output", help="Fichier où écrire l'export (sinon la sortie).")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Compte actif introuvable : {options['user']}")
        head = Structure.objects.filter(slug=options["head"]).first()
        if head is None:
            raise CommandError(f"Structure introuvable : {options['head']}")
        if options["action"] == "export":
            text = export_network_offers(head=head, user=user)
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        if not options["file"]:
            raise CommandError("Indiquez le fichier CSV à importer.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            rows = read_csv(path.read_bytes())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        report = import_network_offers(head=head, rows=rows, user=user)
        if not report.ok:
            for line, reason in report.errors:
                self.stderr.write(f"Ligne {line} : {reason}")
            raise CommandError(
                f"Import refusé : {len(report.errors)} ligne(s) en erreur, rien n'a été enregistré."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Import réussi : {report.created} offre(s) créée(s), "
                f"{report.updated} mise(s) à jour, {report.unchanged} inchangée(s)."
            )
        )
