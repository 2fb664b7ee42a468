"""CSV and GeoJSON exports: whole filtered sets streamed, formula injection, demo open data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse

from core.api.renderers import CSVRenderer, spreadsheet_safe
from core.api.streaming import StreamedExportMixin
from smes.models import SME
from smes.services import import_smes_from_csv
from structures.models import Structure
from tests.api.conftest import body_of
from tests.smes.factories import SMEFactory, make_siret
from tests.structures.factories import StructureFactory, territory

pytestmark = pytest.mark.django_db

STRUCTURES = "/api/v1/structures/"
SMES = "/api/v1/smes/"
OPEN_CSV = "/api/v1/opendata/structures.csv"
OPEN_GEOJSON = "/api/v1/opendata/structures.geojson"
FORMULA = '=HYPERLINK("http://x","y")'


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body_of(response).decode())))


# --- Whole filtered sets, streamed --------------------------------------------------------------


@pytest.fixture
def thirty_structures():
    """27 CCIs and 3 clubs: more than a page (20) of the filtered set."""
    StructureFactory.create_batch(27, cci=True)
    StructureFactory.create_batch(3, club=True)


def test_csv_streams_every_row_of_the_filtered_set(api, thirty_structures, monkeypatch):
    monkeypatch.setattr(StreamedExportMixin, "export_chunk_size", 10)
    response = api.get(STRUCTURES, {"format": "csv", "kind": "cci"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["X-Total-Count"] == "27"
    assert response["Content-Disposition"] == 'attachment; filename="structures.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # 10 + 10 + 7 rows: one serialized chunk at a time
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == 27
    assert {row["kind"] for row in rows} == {"cci"}
    # Same order as the JSON list (name, then id).
    names = [s.name for s in Structure.objects.filter(kind="cci").order_by("name", "pk")]
    assert [row["name"] for row in rows] == names


def test_geojson_streams_every_row_with_its_count(api, thirty_structures):
    response = api.get(STRUCTURES, {"format": "geojson"})
    assert response.streaming
    assert response["X-Total-Count"] == "30"
    assert response["Content-Disposition"] == 'attachment; filename="structures.geojson"'
    body = json.loads(body_of(response))
    assert body["type"] == "FeatureCollection" and body["count"] == 30
    assert len(body["features"]) == 30
    assert all(f["geometry"]["type"] == "Point" for f in body["features"])


def test_json_keeps_its_pages(api, thirty_structures):
    body = api.get(STRUCTURES).json()
    assert body["count"] == 30 and len(body["results"]) == 20 and body["next"]


def test_page_parameters_do_not_cut_an_export(api, thirty_structures):
    response = api.get(STRUCTURES, {"format": "csv", "page": 2, "page_size": 5})
    assert len(csv_rows(response)) == 30


def test_an_empty_set_is_a_header_and_no_row(api):
    response = api.get(STRUCTURES, {"format": "csv"})
    assert response["X-Total-Count"] == "0"
    text = body_of(response).decode()
    assert text.startswith("id,slug,url,name,") and text.count("\r\n") == 1
    geo = json.loads(body_of(api.get(STRUCTURES, {"format": "geojson"})))
    assert geo == {"type": "FeatureCollection", "count": 0, "features": []}


def test_an_export_shows_what_the_caller_sees(api, admin_client_api):
    StructureFactory.create_batch(25)
    hidden = StructureFactory(unvalidated=True, slug="brouillon")
    public = csv_rows(api.get(STRUCTURES, {"format": "csv"}))
    assert len(public) == 25 and hidden.slug not in {r["slug"] for r in public}
    response = admin_client_api.get(STRUCTURES, {"format": "csv"})
    assert response["X-Total-Count"] == "26"
    assert hidden.slug in {r["slug"] for r in csv_rows(response)}


def test_a_bad_filter_is_still_a_json_400(api):
    response = api.get(STRUCTURES, {"format": "csv", "kind": "nope"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "kind" in response.json()["errors"]


def test_nested_objects_keep_their_columns_when_null(api):
    StructureFactory(slug="sans-commune", commune=None, latitude=None, longitude=None)
    StructureFactory(slug="montpellier")
    rows = {r["slug"]: r for r in csv_rows(api.get(STRUCTURES, {"format": "csv"}))}
    assert rows["sans-commune"]["commune.code"] == ""
    assert rows["montpellier"]["commune.code"] == "34172"


def test_export_queries_do_not_grow_with_the_rows(api, django_assert_max_num_queries):
    for _ in range(120):
        StructureFactory(coverage=[territory("departement", "34")])
    with django_assert_max_num_queries(5):
        rows = csv_rows(api.get(STRUCTURES, {"format": "csv"}))
    assert len(rows) == 120 and {r["coverage"] for r in rows} == {"34"}


def test_sme_export_streams_the_agency_s_filtered_smes(token_client):
    for n in range(26):
        SMEFactory(siret=make_siret(100 + n), export_stage="regular" if n % 2 else "occasional")
    SMEFactory(siret=make_siret(300), commune=territory("commune", "69123"))  # out of scope
    agency = token_client(scope=[territory("region", "76")], perms=["smes.view_sme"])
    response = agency.get(SMES, {"format": "csv", "export_stage": "regular"})
    assert response.streaming
    assert response["X-Total-Count"] == "13"
    assert response["Content-Disposition"] == 'attachment; filename="pme.csv"'
    rows = csv_rows(response)
    assert len(rows) == 13 and {r["export_stage"] for r in rows} == {"regular"}
    everything = agency.get(SMES, {"format": "geojson"})
    assert everything["X-Total-Count"] == "26"
    assert len(json.loads(body_of(everything))["features"]) == 26


def test_sme_export_is_refused_to_whom_may_not_read_smes(api):
    SMEFactory()
    assert api.get(SMES, {"format": "csv"}).status_code == 401


# --- Formula injection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("Club = export", "Club = export"),
        # Number literals cannot call anything: they stay numbers.
        ("-1.5", "-1.5"),
        ("+33467000000", "+33467000000"),
        ("-0,25", "-0,25"),
        ("1e-05", "1e-05"),
    ],
)
def test_spreadsheet_safe(text, written):
    assert spreadsheet_safe(text) == written


def test_a_formula_name_is_stored_as_is_and_exported_escaped(admin_client_api, api):
    response = admin_client_api.post(
        STRUCTURES,
        {
            "name": FORMULA,
            "kind": "cci",
            "commune": "34172",
            "latitude": -1.5,
            "longitude": -0.25,
            "phone": "+33 4 67 00 00 00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    structure = Structure.objects.get(pk=response.json()["id"])
    assert structure.name == FORMULA  # a legitimate value in the database
    structure.is_validated = True
    structure.save(update_fields=["is_validated"])

    (row,) = csv_rows(api.get(STRUCTURES, {"format": "csv"}))
    assert row["name"] == "'" + FORMULA
    assert (row["latitude"], row["longitude"]) == ("-1.5", "-0.25")
    assert row["phone"] == "+33467000000"
    (opened,) = csv_rows(api.get(OPEN_CSV))
    assert opened["name"] == "'" + FORMULA
    assert (opened["latitude"], opened["longitude"]) == ("-1.5", "-0.25")
    # JSON and GeoJSON are not spreadsheets: the value travels as it is.
    assert api.get(STRUCTURES).json()["results"][0]["name"] == FORMULA
    geo = json.loads(body_of(api.get(STRUCTURES, {"format": "geojson"})))
    assert geo["features"][0]["properties"]["name"] == FORMULA
    assert geo["features"][0]["geometry"]["coordinates"] == [-0.25, -1.5]


def test_a_formula_sme_name_imports_and_is_exported_escaped(admin_client_api):
    siret = make_siret(4242)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["siret", "denominationUniteLegale", "codeCommuneEtablissement"])
    writer.writerow([siret, FORMULA, "34172"])
    report = import_smes_from_csv(stream=io.BytesIO(buffer.getvalue().encode()), source="t")
    assert report.ok and report.written, report.lines()
    assert SME.objects.get(siret=siret).name == FORMULA
    (row,) = csv_rows(admin_client_api.get(SMES, {"format": "csv"}))
    assert row["name"] == "'" + FORMULA and row["siret"] == siret


def test_the_relay_csv_escapes_too():
    data = {"results": [{"name": FORMULA, "distance_km": -0.0, "structure": {"name": "@x"}}]}
    text = CSVRenderer().render(data).decode()
    (row,) = csv.DictReader(io.StringIO(text))
    assert row == {"name": "'" + FORMULA, "distance_km": "-0.0", "structure.name": "'@x"}


# --- Open data on a demo install ----------------------------------------------------------------


@pytest.fixture
def development(settings):
    settings.IS_PRODUCTION = False
    settings.OPEN_DATA_INCLUDE_DEMO = None
    return settings


def test_a_demo_install_publishes_its_demo_rows_marked_as_demo(api, development):
    StructureFactory(slug="fictive", demo=True)
    StructureFactory(slug="fictive-brouillon", demo=True, unvalidated=True)
    response = api.get(OPEN_CSV)
    assert response["X-Demo-Data"] == "true" and response["X-Total-Count"] == "1"
    assert "fictives" in response["X-Data-Notice"]
    (row,) = csv_rows(response)
    assert row["slug"] == "fictive" and row["is_demo"] == "true"

    geo = api.get(OPEN_GEOJSON).json()
    assert geo["metadata"]["demo"] is True and geo["metadata"]["count"] == 1
    assert "données fictives de démonstration" in geo["metadata"]["notice"]
    (feature,) = geo["features"]
    assert feature["properties"]["is_demo"] is True


def test_real_rows_exclude_the_demo_rows(api, development):
    StructureFactory(slug="reelle")
    StructureFactory(slug="fictive", demo=True)
    response = api.get(OPEN_CSV)
    assert [r["slug"] for r in csv_rows(response)] == ["reelle"]
    assert csv_rows(response)[0]["is_demo"] == "false"
    assert response["X-Demo-Data"] == "false" and "X-Data-Notice" not in response
    geo = api.get(OPEN_GEOJSON).json()
    assert geo["metadata"]["demo"] is False and geo["metadata"]["notice"] == ""


def test_production_publishes_no_demo_row_and_says_why(api, development):
    development.IS_PRODUCTION = True
    StructureFactory(slug="fictive", demo=True)
    response = api.get(OPEN_CSV)
    assert csv_rows(response) == [] and response["X-Total-Count"] == "0"
    assert "OPEN_DATA_INCLUDE_DEMO" in response["X-Data-Notice"]
    geo = api.get(OPEN_GEOJSON).json()
    assert geo["features"] == [] and "exclues" in geo["metadata"]["notice"]


def test_the_setting_overrides_the_rule(api, development):
    StructureFactory(slug="reelle")
    StructureFactory(slug="fictive", demo=True)
    development.OPEN_DATA_INCLUDE_DEMO = True
    response = api.get(OPEN_CSV)
    assert {r["slug"]: r["is_demo"] for r in csv_rows(response)} == {
        "reelle": "false",
        "fictive": "true",
    }
    assert response["X-Demo-Data"] == "true" and "signalees" in response["X-Data-Notice"]
    development.OPEN_DATA_INCLUDE_DEMO = False
    development.IS_PRODUCTION = False
    Structure.objects.filter(slug="reelle").delete()
    assert csv_rows(api.get(OPEN_CSV)) == []


def test_the_sources_page_says_the_open_data_is_fictitious(client, development):
    StructureFactory(slug="fictive", demo=True)
    page = client.get("/sources/").content.decode()
    assert "/api/v1/opendata/structures.csv" in page
    assert "données fictives de démonstration" in page


def test_the_sources_page_of_a_real_registry_has_no_demo_notice(client, development):
    StructureFactory(slug="reelle")
    page = client.get("/sources/").content.decode()
    assert "1 structure publiée" in page and "fictives" not in page
