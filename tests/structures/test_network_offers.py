"""A network head's offers as CSV (issue 13, point 7): round trip, all or nothing with every
rejected line, version per row, never outside the user's scope; the staff page and command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from structures.models import Offer
from structures.network_offers import (
    COLUMNS,
    export_network_offers,
    import_network_offers,
    read_csv,
)
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    """A CCI régionale, two CCI territoriales under it, one a level deeper, and an outsider.
    The régionale's staff member also belongs to Hérault, not to Gard."""
    region = StructureFactory(name="CCI Occitanie", slug="cci-occitanie")
    herault = StructureFactory(name="CCI Hérault", slug="cci-herault", parent=region)
    sete = StructureFactory(name="Antenne de Sète", slug="antenne-sete", parent=herault)
    gard = StructureFactory(name="CCI Gard", slug="cci-gard", parent=region)
    outsider = StructureFactory(name="CCI Lyon", slug="cci-lyon")
    user = UserFactory(username="regionale")
    for structure in (region, herault, sete):
        StaffMembershipFactory(user=user, structure=structure)
    offers = {
        "region_offer": OfferFactory(structure=region, service=service("trade-fairs")),
        "herault_offer": OfferFactory(
            structure=herault,
            service=service("prospecting-missions"),
            coverage=[territory("departement", "34")],
            markets=[territory("country", "MA")],
        ),
        "gard_offer": OfferFactory(structure=gard, service=service("trade-fairs")),
        "outsider_offer": OfferFactory(structure=outsider),
    }
    return {"region": region, "herault": herault, "sete": sete, "user": user, **offers}


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_export_holds_the_editable_offers_of_the_whole_network(network):
    rows = _rows(export_network_offers(head=network["region"], user=network["user"]))
    assert {row["id"] for row in rows} == {
        str(network["region_offer"].pk),
        str(network["herault_offer"].pk),
    }
    herault = next(row for row in rows if row["structure"] == "cci-herault")
    assert herault["coverage"] == "departement:34"
    assert herault["markets"] == "MA:active"
    assert herault["version"] == str(network["herault_offer"].version)


def test_round_trip_updates_and_creates_in_one_go(network):
    user = network["user"]
    rows = _rows(export_network_offers(head=network["region"], user=user))
    for row in rows:
        row["description"] = f"Mis à jour : {row['service']}"
    rows.append({**rows[0], "id": "", "version": "", "structure": "antenne-sete",
                 "service": "trade-fairs", "markets": "MA:planned | ES"})  # fmt: skip
    report = import_network_offers(head=network["region"], rows=read_csv(_csv(rows)), user=user)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 2)
    herault = Offer.objects.get(pk=network["herault_offer"].pk)
    assert herault.description == "Mis à jour : prospecting-missions"
    assert herault.version == network["herault_offer"].version + 1
    assert herault.history.first().history_user == user
    created = Offer.objects.get(structure=network["sete"])
    assert dict(created.markets.values_list("country__code", "status")) == {
        "MA": "planned",
        "ES": "active",
    }
    # Exported again and imported as it is: nothing is written, no version moves.
    again = export_network_offers(head=network["region"], user=user)
    report = import_network_offers(head=network["region"], rows=read_csv(again.encode()), user=user)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Offer.objects.get(pk=network["herault_offer"].pk).version == herault.version


def test_one_bad_row_rejects_the_whole_file_with_every_line(network):
    user = network["user"]
    rows = _rows(export_network_offers(head=network["region"], user=user))
    rows[0]["description"] = "Changement qui ne doit pas rester"
    rows[1]["cost"] = "hors de prix"
    stale = dict(rows[0], version=str(int(rows[0]["version"]) - 1))
    rows.append(stale)
    report = import_network_offers(head=network["region"], rows=read_csv(_csv(rows)), user=user)
    assert not report.ok
    lines = dict(report.errors)
    assert set(lines) == {3, 4}
    assert "cost" in lines[3] and "hors de prix" in lines[3]
    assert "a été modifiée par quelqu'un d'autre" in lines[4]
    assert not Offer.objects.filter(description="Changement qui ne doit pas rester").exists()


def test_rows_outside_the_users_scope_are_refused(network):
    user = network["user"]
    gard, outsider = network["gard_offer"], network["outsider_offer"]
    rows = [
        {"id": str(gard.pk), "version": str(gard.version), "structure": "cci-gard",
         "service": "trade-fairs"},
        {"id": "", "version": "", "structure": "cci-lyon", "service": "trade-fairs"},
        {"id": str(outsider.pk), "version": str(outsider.version), "structure": "cci-herault",
         "service": outsider.service.code},
    ]  # fmt: skip
    report = import_network_offers(head=network["region"], rows=read_csv(_csv(rows)), user=user)
    assert [line for line, _reason in report.errors] == [2, 3, 4]
    assert "hors de votre réseau" in report.errors[0][1]
    assert not Offer.objects.filter(
        structure__slug="cci-lyon", service__code="trade-fairs"
    ).exists()


def test_a_file_without_the_columns_is_refused_as_a_whole():
    with pytest.raises(Exception, match="Colonne"):
        read_csv(b"nom;description\nx;y\n")


def test_the_staff_page_imports_and_reports(network, client):
    client.force_login(network["user"])
    url = reverse("network-offers", args=["cci-occitanie"])
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("network-offers-csv", args=["cci-occitanie"]) in page.content.decode()
    exported = client.get(reverse("network-offers-csv", args=["cci-occitanie"]))
    rows = _rows(exported.content.decode())
    rows[0]["delivery"] = "par pigeon"
    upload = SimpleUploadedFile("offres.csv", _csv(rows), content_type="text/csv")
    result = client.post(url, {"file": upload})
    assert result.status_code == 200
    body = result.content.decode()
    assert "Import refusé" in body and "par pigeon" in body
    # Someone who edits no structure of the network gets a 404; a listing without children too.
    client.force_login(UserFactory(username="ailleurs"))
    assert client.get(url).status_code == 404
    client.force_login(network["user"])
    assert client.get(reverse("network-offers", args=["antenne-sete"])).status_code == 404


def test_the_command_exports_and_refuses_a_bad_file(network, tmp_path):
    out = tmp_path / "offres.csv"
    call_command("network_offers", "export", "cci-occitanie", user="regionale", output=str(out))
    rows = _rows(out.read_text(encoding="utf-8"))
    assert len(rows) == 2
    rows[0]["min_employees"] = "beaucoup"
    out.write_bytes(_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command(
            "network_offers", "import", "cci-occitanie", str(out), user="regionale", stderr=err
        )
    assert "Ligne 2" in err.getvalue()
