"""``/api/v1/smes/``: private data, agencies limited to their token's territory."""

from __future__ import annotations

import pytest

from smes.models import SME
from tests.api.conftest import body_of
from tests.smes.factories import SMEFactory, make_siret
from tests.structures.factories import UserFactory, service, territory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/smes/"
VIEW = ["smes.view_sme"]
WRITE = ["smes.view_sme", "smes.add_sme", "smes.change_sme"]


def sirets(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(r["siret"] for r in response.json()["results"])


@pytest.fixture
def two_smes():
    montpellier = SMEFactory(name="Vignobles du Pic")
    lyon = SMEFactory(
        name="Soieries Lyonnaises",
        commune=territory("commune", "69123"),
        naf_code="13.20Z",
        export_stage="regular",
        employees=40,
    )
    return montpellier, lyon


def test_anonymous_and_plain_users_get_no_sme(api, staff_client, two_smes):
    from tests.structures.factories import StructureFactory

    assert api.get(LIST).status_code == 401
    response = staff_client(StructureFactory()).get(LIST)
    assert response.status_code == 403
    assert "pas publiques" in response.json()["detail"]


def test_agency_sees_the_smes_of_its_territory_only(token_client, two_smes):
    montpellier, lyon = two_smes
    agency = token_client(scope=[territory("region", "76")], perms=VIEW)
    assert sirets(agency.get(LIST)) == [montpellier.siret]
    assert agency.get(f"{LIST}{montpellier.siret}/").status_code == 200
    assert agency.get(f"{LIST}{lyon.siret}/").status_code == 404


def test_agency_token_without_scope_is_refused(token_client, two_smes):
    response = token_client(perms=VIEW).get(LIST)
    assert response.status_code == 403


def test_registry_admin_sees_all(admin_client_api, two_smes):
    assert len(sirets(admin_client_api.get(LIST))) == 2


def test_the_account_scope_limits_sessions_as_it_limits_tokens(api, token_client, two_smes):
    """Issue 10: an agency logged in by session read every SME in France where its token saw
    its département only. The scope now lives with the account; a token may narrow it."""
    from tests.api.conftest import grant

    montpellier, lyon = two_smes
    viewer = grant(
        UserFactory(is_staff=False, scope=[territory("departement", "34")]), "smes.view_sme"
    )
    api.force_login(viewer)
    assert sirets(api.get(LIST)) == [montpellier.siret]
    assert api.get(f"{LIST}{lyon.siret}/").status_code == 404
    # Through a token of the same account: the same scope, and a token cannot widen it.
    assert sirets(token_client(user=viewer).get(LIST)) == [montpellier.siret]
    wider = token_client(user=viewer, scope=[territory("region", "84")])
    assert sirets(wider.get(LIST)) == []
    narrower = token_client(user=viewer, scope=[territory("commune", "34172")])
    assert sirets(narrower.get(LIST)) == sorted(
        s.siret for s in SME.objects.filter(commune__code="34172")
    )


def test_a_right_without_a_scope_is_exercised_nowhere(api, two_smes):
    from tests.api.conftest import grant

    viewer = grant(UserFactory(is_staff=False), "smes.view_sme")
    api.force_login(viewer)
    response = api.get(LIST)
    assert response.status_code == 403


def test_sme_filters(admin_client_api, two_smes):
    montpellier, lyon = two_smes
    lyon.target_markets.set([territory("country", "JP")])
    lyon.needs.set([service("trade-fairs")])
    get = admin_client_api.get
    assert sirets(get(LIST, {"in": "69"})) == [lyon.siret]
    assert sirets(get(LIST, {"in": "region:76"})) == [montpellier.siret]
    assert sirets(get(LIST, {"sector": "C"})) == [lyon.siret]
    assert sirets(get(LIST, {"sector": "62"})) == [montpellier.siret]
    assert sirets(get(LIST, {"market": "jp"})) == [lyon.siret]
    assert sirets(get(LIST, {"need": "trade-fairs"})) == [lyon.siret]
    assert sirets(get(LIST, {"export_stage": "regular"})) == [lyon.siret]
    assert sirets(get(LIST, {"min_employees": 10})) == [lyon.siret]
    assert sirets(get(LIST, {"q": "soieries"})) == [lyon.siret]
    assert sirets(get(LIST, {"q": montpellier.siret[:9]})) == [montpellier.siret]
    assert sirets(get(LIST, {"bbox": "3.7,43.5,4.0,43.7"})) == [montpellier.siret]
    for bad in ({"in": "x"}, {"market": "ZZ"}, {"need": "x"}, {"is_innovative": "x"}):
        response = get(LIST, bad)
        assert response.status_code == 400, bad
        assert set(bad) <= set(response.json()["errors"])


def test_sme_list_of_100_bounded_queries(admin_client_api, django_assert_max_num_queries):
    for n in range(100):
        SMEFactory(siret=make_siret(5000 + n), target_markets=[territory("country", "MA")])
    with django_assert_max_num_queries(8):
        response = admin_client_api.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == 100
    csv_response = admin_client_api.get(LIST, {"format": "csv", "page_size": 100})
    assert body_of(csv_response).decode().count("\n") == 101


def test_agency_creates_an_sme_in_its_territory(token_client):
    agency = token_client(scope=[territory("departement", "34")], perms=WRITE)
    siret = make_siret(7001)
    payload = {
        "siret": siret,
        "name": "Olivades",
        "commune": "34172",
        "naf_code": "10.41A",
        "target_markets": ["MA"],
        "needs": ["trade-fairs"],
    }
    response = agency.post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sector"] == "10" and body["target_markets"] == ["MA"]
    assert response["ETag"]
    assert agency.post(LIST, payload, format="json").status_code == 400  # same SIRET
    outside = {**payload, "siret": make_siret(7002), "commune": "69123"}
    assert agency.post(LIST, outside, format="json").status_code == 403


def test_sme_create_needs_the_add_permission(token_client):
    reader = token_client(scope=[territory("departement", "34")], perms=VIEW)
    response = reader.post(LIST, {"siret": make_siret(7003), "name": "X"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"siret": "12345678901234", "name": "X"}, "siret"),
        ({"siret": make_siret(7010), "name": "X", "naf_code": "ZZZ"}, "naf_code"),
        ({"siret": make_siret(7011), "name": "X", "export_share": 140}, "export_share"),
        ({"siret": make_siret(7012), "name": "X", "commune": "99999"}, "commune"),
        ({"siret": make_siret(7013), "name": "X", "target_markets": ["FR34"]}, "target_markets"),
        ({"siret": make_siret(7014)}, "name"),
    ],
)
def test_invalid_sme_is_400(admin_client_api, payload, field):
    response = admin_client_api.post(LIST, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


def test_sme_update_with_if_match_and_stale_write(token_client):
    sme = SMEFactory(employees=12)
    agency = token_client(scope=[territory("region", "76")], perms=WRITE)
    url = f"{LIST}{sme.siret}/"
    etag = agency.get(url)["ETag"]
    assert agency.patch(url, {"employees": 15}, format="json").status_code == 428
    response = agency.patch(url, {"employees": 15}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["employees"] == 15
    stale = agency.patch(url, {"employees": 99}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert SME.objects.get(pk=sme.pk).employees == 15
    moved = agency.patch(url, {"commune": "69123"}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert moved.status_code == 403


def test_sme_update_needs_the_change_permission(token_client):
    sme = SMEFactory()
    reader = token_client(scope=[territory("region", "76")], perms=VIEW)
    url = f"{LIST}{sme.siret}/"
    assert reader.patch(url, {"employees": 3}, format="json", HTTP_IF_MATCH="*").status_code == 403
