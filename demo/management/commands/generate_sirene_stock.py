"""``manage.py generate_sirene_stock sortie.csv --rows N [--bad K] [--closed-share F] [--seed S]``.

Writes a fictitious establishment file in the shape of INSEE's SIRENE stock
(``StockEtablissement``: same columns, same order, UTF-8, comma-separated, ISO dates), plus the
legal unit's ``denominationUniteLegale`` as an extract joined with ``StockUniteLegale`` carries
it. It is the input of the ``import_smes`` benchmark (docs/data-exchange.md):

* SIRETs are generated with valid Luhn keys (``demo.fiction``), distinct within the file;
* communes are real current communes of the loaded reference, drawn by population, with one of
  their real postal codes; NAF codes are real NAF rév. 2 sub-classes (``demo.smes.NAF_CODES``);
* a share of establishments is closed (``etatAdministratifEtablissement = F``), as in the stock;
* ``--bad K`` spreads K deliberately wrong rows over the file (checksum, unknown commune, NAF
  division, size code, date, missing name, in turn), to time the refusal of a bad file.

Needs ``load_territories`` (and ``load_catalogues``) first. Deterministic for a seed.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import random
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo.fiction import fiction_siret
from demo.places import Places
from demo.smes import NAF_CODES

# The columns of StockEtablissement (SIRENE v3.11 description), in the file's order.
SIRENE_COLUMNS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
)
HEADER = (*SIRENE_COLUMNS, "denominationUniteLegale")
_INDEX = {name: position for position, name in enumerate(HEADER)}

# Size codes with rough weights of the stock (most establishments have no or few employees).
TRANCHES = (("NN", 30), ("00", 15), ("01", 20), ("02", 12), ("03", 8), ("11", 6), ("12", 5))
TRANCHES += (("21", 2), ("22", 1), ("31", 1))
STREET_TYPES = ("RUE", "AV", "BD", "CHE", "IMP", "PL", "RTE", "ALL", "ZA")
STREETS = ("DE LA REPUBLIQUE", "VICTOR HUGO", "DES ARTISANS", "DU MOULIN", "JEAN JAURES")
STREETS += ("DE LA GARE", "DES CHENES", "PASTEUR", "DU 8 MAI 1945", "DE L'INDUSTRIE")
WORDS = ("Atelier", "Maison", "Comptoir", "Ateliers", "Fabrique", "Cabinet", "Société")
WORDS2 = ("du Lez", "des Garrigues", "Occitane", "du Littoral", "des Cévennes", "Martin")
WORDS2 += ("Dupont", "Numérique", "& Fils", "Export", "Industrie", "Conseil")
# Wrong values written by ``--bad``, one kind after the other.
BAD_KINDS = ("siret", "commune", "naf", "tranche", "date", "name")


def _date(rng: random.Random) -> str:
    start = datetime.date(1960, 1, 1).toordinal()
    end = datetime.date(2024, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end)).isoformat()


class Command(BaseCommand):
    help = "Écrit un fichier fictif au format du stock SIRENE des établissements (banc d'essai)."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="Fichier CSV à écrire.")
        parser.add_argument(
            "--rows", type=int, default=1_000_000, help="Lignes (défaut 1 000 000)."
        )
        parser.add_argument(
            "--bad", type=int, default=0, help="Lignes volontairement fausses, réparties."
        )
        parser.add_argument(
            "--closed-share",
            type=float,
            default=0.1,
            help="Part d'établissements fermés (état F), ignorés par l'import (défaut 0,1).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--serial-base",
            type=int,
            default=1_000_000,
            help="Premier numéro de SIREN fictif (les SIRET générés en découlent).",
        )

    def handle(self, *args, **options):
        rows, bad = options["rows"], options["bad"]
        if rows < 0 or bad < 0 or bad > rows:
            raise CommandError("--rows et --bad doivent être positifs, --bad ≤ --rows.")
        if not 0 <= options["closed_share"] < 1:
            raise CommandError("--closed-share doit être compris entre 0 et 1.")
        started = time.monotonic()
        places = Places()
        if not len(places):
            raise CommandError("Aucune commune : lancez d'abord manage.py load_territories.")
        rng = random.Random(options["seed"])
        naf_codes = [code for code, _weight in NAF_CODES]
        naf_weights = list(itertools.accumulate(weight for _code, weight in NAF_CODES))
        tranche_codes = [code for code, _weight in TRANCHES]
        tranche_weights = list(itertools.accumulate(weight for _code, weight in TRANCHES))
        # Bad rows at regular intervals, so that the first one is not at the end of the file.
        bad_at = {
            (index + 1) * rows // (bad + 1): kind
            for index, kind in zip(range(bad), itertools.cycle(BAD_KINDS), strict=False)
        }
        base = options["serial_base"]
        if base + rows // 3 + 1 >= 10_000_000:
            raise CommandError("--serial-base trop grand pour ce nombre de lignes.")
        empty = [""] * len(HEADER)
        with options["output"].open("w", encoding="utf-8", newline="") as output:
            writer = csv.writer(output, lineterminator="\n")
            writer.writerow(HEADER)
            for index, place in enumerate(places.draw(rng, rows)):
                # Up to three establishments per firm, as in the stock (head office first).
                serial, establishment = base + index // 3, index % 3 + 1
                siret = fiction_siret(serial, establishment=establishment)
                cells = empty.copy()
                cells[_INDEX["siren"]] = siret[:9]
                cells[_INDEX["nic"]] = siret[9:]
                cells[_INDEX["siret"]] = siret
                cells[_INDEX["statutDiffusionEtablissement"]] = "O"
                cells[_INDEX["dateCreationEtablissement"]] = _date(rng)
                cells[_INDEX["trancheEffectifsEtablissement"]] = rng.choices(
                    tranche_codes, cum_weights=tranche_weights
                )[0]
                cells[_INDEX["etablissementSiege"]] = "true" if establishment == 1 else "false"
                cells[_INDEX["numeroVoieEtablissement"]] = str(rng.randint(1, 250))
                cells[_INDEX["typeVoieEtablissement"]] = rng.choice(STREET_TYPES)
                cells[_INDEX["libelleVoieEtablissement"]] = rng.choice(STREETS)
                cells[_INDEX["codePostalEtablissement"]] = place.postal_code
                cells[_INDEX["libelleCommuneEtablissement"]] = place.name.upper()
                cells[_INDEX["codeCommuneEtablissement"]] = place.code
                cells[_INDEX["dateDebut"]] = cells[_INDEX["dateCreationEtablissement"]]
                closed = rng.random() < options["closed_share"]
                cells[_INDEX["etatAdministratifEtablissement"]] = "F" if closed else "A"
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS2)} (fictif)"
                if rng.random() < 0.4:
                    cells[_INDEX["enseigne1Etablissement"]] = name.upper()
                elif rng.random() < 0.3:
                    cells[_INDEX["denominationUsuelleEtablissement"]] = name
                cells[_INDEX["denominationUniteLegale"]] = name.upper()
                cells[_INDEX["activitePrincipaleEtablissement"]] = rng.choices(
                    naf_codes, cum_weights=naf_weights
                )[0]
                cells[_INDEX["nomenclatureActivitePrincipaleEtablissement"]] = "NAFv2"
                cells[_INDEX["caractereEmployeurEtablissement"]] = "O"
                if (kind := bad_at.get(index + 1)) is not None:
                    self._spoil(cells, kind)
                writer.writerow(cells)
        self.stdout.write(
            f"{rows} lignes écrites dans {options['output']} ({bad} fausses) "
            f"en {time.monotonic() - started:.1f} s."
        )

    @staticmethod
    def _spoil(cells: list[str], kind: str) -> None:
        cells[_INDEX["etatAdministratifEtablissement"]] = "A"  # a closed row would be skipped
        if kind == "siret":
            siret = cells[_INDEX["siret"]]
            cells[_INDEX["siret"]] = siret[:-1] + str((int(siret[-1]) + 1) % 10)
        elif kind == "commune":
            cells[_INDEX["codeCommuneEtablissement"]] = "99999"
        elif kind == "naf":
            cells[_INDEX["activitePrincipaleEtablissement"]] = "04.11Z"
        elif kind == "tranche":
            cells[_INDEX["trancheEffectifsEtablissement"]] = "99"
        elif kind == "date":
            cells[_INDEX["dateCreationEtablissement"]] = "2015-13-45"
        else:
            for column in (
                "enseigne1Etablissement",
                "denominationUsuelleEtablissement",
                "denominationUniteLegale",
            ):
                cells[_INDEX[column]] = ""
