import pytest

pytestmark = pytest.mark.django_db


def test_commune_detail_gives_ancestors_and_postal_codes(client):
    response = client.get("/api/v1/territories/commune/34172/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Montpellier"
    assert [(a["level"], a["code"]) for a in body["ancestors"]] == [
        ("epci", "243400017"),
        ("departement", "34"),
        ("region", "76"),
        ("country", "FR"),
    ]
    assert "34000" in body["postal_codes"]
    assert body["latitude"] == pytest.approx(43.61, abs=0.05)


def test_ancestors_endpoint(client):
    response = client.get("/api/v1/territories/commune/13001/ancestors/")
    assert response.status_code == 200
    assert {a["code"] for a in response.json()} >= {"13", "93", "FR"}


def test_list_filters_by_level_and_searches_names(client):
    response = client.get("/api/v1/territories/", {"level": "commune", "q": "montpel"})
    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "34172"
    response = client.get("/api/v1/territories/", {"level": "departement", "q": "herault"})
    assert [r["code"] for r in response.json()["results"]] == ["34"]


def test_list_within_a_territory(client):
    response = client.get("/api/v1/territories/", {"level": "epci", "within": "departement:34"})
    codes = {r["code"] for r in response.json()["results"]}
    assert "243400017" in codes
    assert response.json()["count"] >= 10


def test_page_size_is_bounded(client):
    response = client.get("/api/v1/territories/", {"page_size": 5000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_postal_code_endpoint_flags_ambiguity(client):
    body = client.get("/api/v1/postal-codes/13100/").json()
    assert body["ambiguous"] is True
    assert len(body["communes"]) == 5
    body = client.get("/api/v1/postal-codes/34000/").json()
    assert body["ambiguous"] is False


def test_commune_endpoint_resolves_old_codes(client):
    body = client.get("/api/v1/communes/91182/").json()
    assert body["resolved_from_alias"] is True
    assert body["commune"]["code"] == "91228"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territories/commune/ABC/",
        "/api/v1/territories/region/7/",
        "/api/v1/territories/planet/01/",
        "/api/v1/postal-codes/1310/",
        "/api/v1/communes/12/",
        "/api/v1/territories/?level=planet",
        "/api/v1/territories/?within=departement:345",
    ],
)
def test_malformed_input_is_a_json_400_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert body["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territories/commune/99999/",
        "/api/v1/territories/country/ZZ/",
        "/api/v1/postal-codes/00000/",
        "/api/v1/communes/99999/",
        "/api/v1/does-not-exist/",
        "/api/v1/territories/?page=999999",
    ],
)
def test_unknown_things_are_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_schema_and_offline_docs(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/postal-codes/{code}/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()


def test_autocomplete_query_offers_ranked_suggestions_for_a_typo(client):
    params = {"level": ["commune", "arrondissement"], "page_size": 8, "q": "monpel"}
    body = client.get("/api/v1/territories/", params).json()
    first = body["results"][0]
    assert (first["code"], first["match"]) == ("34172", "approximate")
    assert len(body["results"]) == 8 and body["count"] == 10  # FUZZY_LIMIT suggestions at most
    assert all(r["match"] == "approximate" for r in body["results"])


def test_list_says_how_each_name_matched(client):
    results = client.get("/api/v1/territories/", {"level": "commune", "q": "Montpel"}).json()
    assert [r["match"] for r in results["results"]][:1] == ["prefix"]
    exact = client.get("/api/v1/territories/", {"level": "commune", "q": "St Mathieu de Treviers"})
    assert [(r["code"], r["match"]) for r in exact.json()["results"]] == [("34276", "exact")]
    plain = client.get("/api/v1/territories/", {"level": "departement"}).json()
    assert plain["results"][0]["match"] is None


def test_suggestions_respect_the_other_filters(client):
    params = {"level": "commune", "q": "monpelier", "parent": "34"}
    results = client.get("/api/v1/territories/", params).json()["results"]
    assert results[0]["code"] == "34172"
    assert {r["parent"]["code"] for r in results} == {"34"}
    elsewhere = client.get("/api/v1/territories/", {**params, "parent": "13"}).json()
    assert all(r["code"] != "34172" for r in elsewhere["results"])


def test_broad_name_search_is_still_paginated_completely(client):
    first = client.get("/api/v1/territories/", {"level": "commune", "q": "saint", "page_size": 100})
    body = first.json()
    assert body["count"] > 100
    assert body["next"]
    assert all(r["match"] in ("exact", "prefix", "word") for r in body["results"])
