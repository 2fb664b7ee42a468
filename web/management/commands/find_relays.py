from django.core.management.base import BaseCommand, CommandError

from smes.relay import resolve_relay_query
from structures.permissions import Caller
from structures.relay.engine import find_relays
from structures.relay.query import DEFAULT_K, RelayRequest
from structures.relay.types import RelayQueryError


class Command(BaseCommand):
    help = (
        "Cherche les relais compétents les plus proches (le même moteur et le même résolveur que "
        "le site et l'API ; la commande lit les PME avec les droits de l'exploitant)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--service", required=True, help="Code du service (ex. prospecting-missions)."
        )
        parser.add_argument("--commune", help="Code INSEE de la commune (actuel ou ancien).")
        parser.add_argument("--postal-code", help="Code postal (avec --commune s'il est partagé).")
        parser.add_argument(
            "--siret",
            help="SIRET de l'établissement (entreprise du registre, sinon lu dans SIRENE).",
        )
        parser.add_argument("--lat", type=float, help="Latitude (avec --lon).")
        parser.add_argument("--lon", type=float, help="Longitude (avec --lat).")
        parser.add_argument("--sector", help="Code NAF (ex. 10.71C), section, division ou filière.")
        parser.add_argument("--country", help="Pays cible, code ISO 3166 (ex. MA).")
        parser.add_argument("--employees", type=int, help="Effectif de l'entreprise.")
        parser.add_argument("--k", type=int, default=DEFAULT_K, help="Nombre de relais (défaut 5).")
        parser.add_argument("--no-remote", action="store_true", help="Sans offres à distance.")
        parser.add_argument("--english", action="store_true", help="Explications en anglais.")

    def handle(self, *args, **o):
        request = RelayRequest(
            service=o["service"],
            commune=o["commune"] or "",
            postal_code=o["postal_code"] or "",
            latitude=o["lat"],
            longitude=o["lon"],
            sector=o["sector"] or "",
            country=o["country"] or "",
            employees=o["employees"],
            k=o["k"],
            include_remote=not o["no_remote"],
        )
        try:
            query = resolve_relay_query(
                caller=Caller.operator(), request=request, siret=o["siret"] or ""
            )
        except RelayQueryError as exc:
            lines = [exc.error.message]
            lines += [f"  - {c.name} ({c.code})" for c in exc.error.candidates]
            raise CommandError("\n".join(lines)) from None
        response = find_relays(query)
        place = response.location.commune
        self.stdout.write(f"Depuis {place.name} ({place.code}) — {response.service.name}")
        if response.location.note:
            self.stdout.write(response.location.note)
        for label, results in (
            ("Relais compétents", response.results),
            ("Autres pistes", response.fallbacks),
        ):
            if not results:
                continue
            self.stdout.write(f"\n{label} :")
            for rank, r in enumerate(results, 1):
                contact = r.contact
                who = (
                    f"{contact.name} {contact.phone} {contact.email}".strip()
                    if contact
                    else "aucun contact nommé"
                )
                tag = f" [{r.fallback_label}]" if r.fallback else ""
                self.stdout.write(
                    f"{rank}. {r.structure.name}{tag} — {r.distance_km:.1f} km — {who}"
                )
                self.stdout.write(f"   {r.why_en if o['english'] else r.why_fr}")
        if response.empty_message:
            self.stdout.write(response.empty_message)
