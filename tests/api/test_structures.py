"""``/api/v1/structures/``: reads, filters, formats, permissions and concurrent writes."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from structures.models import Structure
from tests.api.conftest import body_of
from tests.structures.factories import (
    OfferFactory,
    SectorFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/structures/"


def detail(structure) -> str:
    return f"/api/v1/structures/{structure.pk}/"


def slugs(response) -> list[str]:
    """The slugs of a page, sorted (order is tested on its own)."""
    assert response.status_code == 200, response.content
    return sorted(r["slug"] for r in response.json()["results"])


# --- Reads --------------------------------------------------------------------------------------


def test_list_shows_published_structures_only_to_anonymous(api):
    shown = StructureFactory(slug="cci-herault")
    StructureFactory(slug="brouillon", unvalidated=True)
    StructureFactory(slug="fermee", inactive=True)
    assert slugs(api.get(LIST)) == ["cci-herault"]
    body = api.get(LIST).json()["results"][0]
    assert body["commune"] == {"level": "commune", "code": "34172", "name": "Montpellier"}
    assert body["country"]["code"] == "FR"
    assert body["id"] == shown.pk


def test_detail_by_id_and_by_slug_with_etag(api):
    structure = StructureFactory(slug="cci-herault", coverage=[territory("departement", "34")])
    OfferFactory(structure=structure, with_contact=True)
    by_id = api.get(detail(structure))
    by_slug = api.get("/api/v1/structures/cci-herault/")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json() == by_slug.json()
    assert by_id["ETag"] == f'"{structure.pk}.v{structure.version}"'
    body = by_id.json()
    assert [c["code"] for c in body["coverage"]] == ["34"]
    assert body["offers"][0]["service"]["code"] == "information-orientation"
    assert body["offers"][0]["contact"]["name"] == "Service international"
    assert body["contacts"][0]["name"] == "Service international"


def test_unpublished_structure_is_404_for_anonymous_but_visible_to_its_staff(api, staff_client):
    structure = StructureFactory(unvalidated=True)
    assert api.get(detail(structure)).status_code == 404
    assert api.get(detail(structure)).json()["code"] == "not_found"
    assert staff_client(structure).get(detail(structure)).status_code == 200


def test_unknown_structure_is_json_404(api):
    response = api.get("/api/v1/structures/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get("/api/v1/structures/pas-de-fiche/").status_code == 404


# --- Filters ------------------------------------------------------------------------------------


def test_filter_by_kind_and_free_text(api):
    StructureFactory(slug="cci", cci=True, name="CCI de l'Hérault")
    StructureFactory(slug="pole", pole=True, name="Pôle Aqua-Valley")
    assert slugs(api.get(LIST, {"kind": "competitiveness_cluster"})) == ["pole"]
    assert slugs(api.get(LIST, {"kind": ["cci", "competitiveness_cluster"]})) == ["cci", "pole"]
    assert slugs(api.get(LIST, {"q": "herault"})) == ["cci"]
    assert slugs(api.get(LIST, {"q": "POLE aqua"})) == ["pole"]


def test_filter_by_service_sector_and_market_on_the_same_offer(api):
    agro = SectorFactory(code="agroalimentaire")
    both = StructureFactory(slug="both")
    OfferFactory(
        structure=both,
        service=service("trade-fairs"),
        sectors=[agro],
        markets=[territory("country", "MA")],
    )
    split = StructureFactory(slug="split")
    OfferFactory(structure=split, service=service("trade-fairs"))
    OfferFactory(
        structure=split, service=service("export-diagnosis"), markets=[territory("country", "MA")]
    )
    planned = StructureFactory(slug="planned")
    OfferFactory(
        structure=planned,
        service=service("trade-fairs"),
        markets={territory("country", "MA"): "planned"},
    )
    assert slugs(api.get(LIST, {"service": "trade-fairs"})) == ["both", "planned", "split"]
    assert slugs(api.get(LIST, {"service": "trade-fairs", "market": "MA"})) == ["both"]
    assert slugs(api.get(LIST, {"market": "ma"})) == ["both", "split"]
    assert slugs(api.get(LIST, {"sector": "agroalimentaire"})) == ["both"]


def test_filter_by_network(api):
    head = StructureFactory(slug="cci-france", kind="cci_national")
    regional = StructureFactory(slug="cci-occitanie", kind="cci_regional", parent=head)
    StructureFactory(slug="cci-herault", parent=regional)
    StructureFactory(slug="autre")
    assert slugs(api.get(LIST, {"network": "cci-france"})) == ["cci-herault", "cci-occitanie"]
    assert slugs(api.get(LIST, {"network": "cci-occitanie"})) == ["cci-herault"]


def test_filter_covers_goes_through_the_closure(api):
    StructureFactory(slug="herault", coverage=[territory("departement", "34")])
    StructureFactory(slug="occitanie", coverage=[territory("region", "76")])
    StructureFactory(slug="rhone", coverage=[territory("departement", "69")])
    assert slugs(api.get(LIST, {"covers": "34172"})) == ["herault", "occitanie"]
    assert slugs(api.get(LIST, {"covers": "69123"})) == ["rhone"]


def test_filter_in_a_territory(api):
    lyon = territory("commune", "69123")
    StructureFactory(slug="montpellier")
    StructureFactory(slug="lyon", commune=lyon, postal_code="69001")
    assert slugs(api.get(LIST, {"in": "34"})) == ["montpellier"]
    assert slugs(api.get(LIST, {"in": "departement:69"})) == ["lyon"]
    assert slugs(api.get(LIST, {"in": "region:76"})) == ["montpellier"]
    assert slugs(api.get(LIST, {"in": "epci:243400017"})) == ["montpellier"]
    assert slugs(api.get(LIST, {"in": "FR"})) == ["lyon", "montpellier"]


def test_filter_by_bounding_box(api):
    StructureFactory(slug="montpellier")
    StructureFactory(slug="abroad", office_abroad=True)
    assert slugs(api.get(LIST, {"bbox": "3.7,43.5,4.0,43.7"})) == ["montpellier"]
    assert slugs(api.get(LIST, {"bbox": "-8,33,-7,34"})) == ["abroad"]


def test_filter_stale_active_and_updated_since(api, admin_client_api):
    StructureFactory(slug="fresh")
    StructureFactory(slug="stale", stale=True)
    StructureFactory(slug="never", never_verified=True)
    StructureFactory(slug="closed", inactive=True)
    cutoff = (timezone.now() - datetime.timedelta(days=365)).date().isoformat()
    assert slugs(api.get(LIST, {"verified_before": cutoff})) == ["never", "stale"]
    assert slugs(admin_client_api.get(LIST, {"is_active": "false"})) == ["closed"]
    old = timezone.now() - datetime.timedelta(days=3)
    Structure.objects.filter(slug="stale").update(updated_at=old)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert "stale" not in slugs(api.get(LIST, {"updated_since": since}))
    assert "fresh" in slugs(api.get(LIST, {"updated_since": since}))


def test_ordering_is_stable_and_pages_do_not_overlap(api):
    for _ in range(7):
        StructureFactory(name="Même nom")
    first = api.get(LIST, {"page_size": 3, "ordering": "name"}).json()
    second = api.get(LIST, {"page_size": 3, "ordering": "name", "page": 2}).json()
    third = api.get(LIST, {"page_size": 3, "ordering": "name", "page": 3}).json()
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 7
    newest = api.get(LIST, {"ordering": "-updated_at"}).json()["results"]
    assert len(newest) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"covers": "99999"}, "covers"),
        ({"covers": "abc"}, "covers"),
        ({"in": "region:7"}, "in"),
        ({"in": "planete:1"}, "in"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "5,44,4,43"}, "bbox"),
        ({"market": "ZZ"}, "market"),
        ({"service": "pas-un-service"}, "service"),
        ({"sector": "zz"}, "sector"),
        ({"kind": "ovni"}, "kind"),
        ({"is_active": "peut-etre"}, "is_active"),
        ({"updated_since": "hier"}, "updated_since"),
        ({"verified_before": "99999-01-01"}, "verified_before"),
        ({"ordering": "password"}, "ordering"),
        ({"page_size": "abc"}, "page_size"),
        ({"page": "0x1"}, "page"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(api, params, field):
    response = api.get(LIST, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"]
    assert body["detail"] and body["code"] == "invalid"


def test_page_size_is_bounded(api):
    StructureFactory.create_batch(3)
    assert len(api.get(LIST, {"page_size": 10_000}).json()["results"]) == 3


def test_list_of_100_structures_runs_a_bounded_number_of_queries(
    api, django_assert_max_num_queries
):
    hérault = territory("departement", "34")
    head = StructureFactory()
    for _ in range(100):
        StructureFactory(parent=head, coverage=[hérault])
    with django_assert_max_num_queries(6):
        response = api.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == 100
    with django_assert_max_num_queries(6):
        # The whole set streams within the block: count, rows, coverage (one chunk).
        body = json.loads(body_of(api.get(LIST, {"format": "geojson"})))
    assert len(body["features"]) == 101


def test_detail_runs_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    structure = StructureFactory(coverage=[territory("departement", "34")])
    for code in ("trade-fairs", "export-diagnosis", "export-finance", "prospecting-missions"):
        OfferFactory(structure=structure, service=service(code), with_contact=True)
    with django_assert_max_num_queries(16):
        assert api.get(detail(structure)).status_code == 200


# --- Formats ------------------------------------------------------------------------------------


def test_csv_format(api):
    StructureFactory(slug="cci-herault", coverage=[territory("departement", "34")])
    response = api.get(LIST, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, row = body_of(response).decode().splitlines()[:2]
    assert "commune.code" in header.split(",") and "slug" in header.split(",")
    assert "cci-herault" in row and "34172" in row


def test_geojson_format_uses_stored_coordinates(api):
    StructureFactory(slug="point", latitude=43.6, longitude=3.87)
    StructureFactory(slug="no-point", latitude=None, longitude=None)
    response = api.get(LIST, {"format": "geojson"})
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(body_of(response))
    assert body["type"] == "FeatureCollection" and body["count"] == 2
    features = {f["properties"]["slug"]: f for f in body["features"]}
    assert features["point"]["geometry"] == {"type": "Point", "coordinates": [3.87, 43.6]}
    assert features["no-point"]["geometry"] is None


def test_errors_stay_json_whatever_the_format(api):
    response = api.get(LIST, {"format": "csv", "covers": "00000"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "covers" in response.json()["errors"]


# --- Writes -------------------------------------------------------------------------------------


def test_staff_updates_their_structure_with_if_match(staff_client):
    structure = StructureFactory(coverage=[territory("departement", "34")])
    client = staff_client(structure)
    etag = client.get(detail(structure))["ETag"]
    response = client.patch(
        detail(structure),
        # (A coverage widened to a région would wait for validation: tests/api/test_moderation.)
        {"phone": "04 67 00 00 00", "coverage": ["departement:34", "departement:30"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "+33467000000"
    assert {c["code"] for c in body["coverage"]} == {"34", "30"}
    assert body["version"] == structure.version + 1
    assert response["ETag"] == f'"{structure.pk}.v{structure.version + 1}"'
    structure.refresh_from_db()
    assert structure.history.first().history_user == client.user


def test_update_by_slug_and_put(staff_client):
    # Same name and kind: a rename by staff would wait for validation (test_moderation).
    structure = StructureFactory(slug="cci-herault", name="CCI Hérault", kind="cci")
    client = staff_client(structure)
    url = "/api/v1/structures/cci-herault/"
    etag = client.get(url)["ETag"]
    response = client.put(
        url,
        {"name": "CCI Hérault", "kind": "cci", "acronym": "CCI"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["acronym"] == "CCI"
    response = client.put(url, {"acronym": "X"}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 400
    assert {"name", "kind"} <= set(response.json()["errors"])


def test_stale_write_is_412_and_changes_nothing(staff_client):
    structure = StructureFactory(phone="")
    alice, bob = staff_client(structure), staff_client(structure)
    etag = alice.get(detail(structure))["ETag"]
    assert bob.get(detail(structure))["ETag"] == etag
    first = alice.patch(
        detail(structure), {"phone": "0467000001"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    second = bob.patch(
        detail(structure), {"phone": "0467000002"}, format="json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert second.json()["code"] == "stale_version"
    structure.refresh_from_db()
    assert structure.phone == "+33467000001"


def test_write_without_if_match_is_428(staff_client):
    structure = StructureFactory()
    response = staff_client(structure).patch(
        detail(structure), {"phone": "0467000001"}, format="json"
    )
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"


def test_malformed_or_foreign_if_match_is_412(staff_client):
    structure = StructureFactory()
    client = staff_client(structure)
    for header in ('"999999.v1"', "pas-un-etag", f'"{structure.pk}.v99"'):
        response = client.patch(
            detail(structure), {"phone": "0467"}, format="json", HTTP_IF_MATCH=header
        )
        assert response.status_code == 412, header


def test_if_match_star_means_current_version(staff_client):
    structure = StructureFactory()
    response = staff_client(structure).patch(
        detail(structure), {"acronym": "CCI"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_anonymous_cannot_write(api):
    structure = StructureFactory()
    response = api.patch(detail(structure), {"phone": "0467"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_staff_of_another_structure_gets_403(staff_client):
    mine, theirs = StructureFactory(), StructureFactory()
    client = staff_client(mine)
    etag = client.get(detail(theirs))["ETag"]
    response = client.patch(detail(theirs), {"phone": "0467"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 403
    assert "structures dont vous faites partie" in response.json()["detail"]


def test_agency_token_out_of_scope_cannot_write(token_client):
    structure = StructureFactory()  # Montpellier
    user = UserFactory()
    StaffMembershipFactory(structure=structure, user=user)
    out = token_client(user=user, scope=[territory("departement", "69")])
    etag = out.get(detail(structure))["ETag"]
    response = out.patch(detail(structure), {"phone": "0467"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 403
    inside = token_client(user=user, scope=[territory("region", "76")])
    response = inside.patch(
        detail(structure), {"phone": "0467000000"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "ovni"}, "kind"),
        ({"commune": "99999"}, "commune"),
        ({"commune": "departement:34"}, "commune"),
        ({"country": "ZZ"}, "country"),
        ({"latitude": 95}, "latitude"),
        ({"latitude": 43.6, "longitude": None}, "longitude"),
        ({"opening_hours": "tous les jours"}, "opening_hours"),
        ({"phone": "abc"}, "phone"),
        ({"label_tier": "mondial"}, "label_tier"),
        ({"parent": "inconnue"}, "parent"),
        ({"coverage": ["planete:1"]}, "coverage"),
        ({"email": "pas-un-courriel"}, "email"),
    ],
)
def test_invalid_structure_data_is_400_with_field_details(staff_client, payload, field):
    structure = StructureFactory()
    client = staff_client(structure)
    etag = client.get(detail(structure))["ETag"]
    response = client.patch(detail(structure), payload, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    structure.refresh_from_db()
    assert structure.version == 1


def test_malformed_json_body_is_400(staff_client):
    structure = StructureFactory()
    response = staff_client(structure).generic(
        "PATCH",
        detail(structure),
        "{pas du json",
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_registry_admins_create_any_structure_staff_only_in_their_network(
    staff_client, admin_client_api
):
    mine = StructureFactory()
    payload = {"name": "Club export du Gard", "kind": "exporters_club", "commune": "30189"}
    # Staff create antennas of their own structures only (tests/api/test_moderation.py).
    refused = staff_client(mine).post(LIST, payload, format="json")
    assert refused.status_code == 400 and "parent" in refused.json()["errors"]
    response = admin_client_api.post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["commune"]["code"] == "30189" and body["is_validated"] is False
    assert response["ETag"] == f'"{body["id"]}.v1"'
