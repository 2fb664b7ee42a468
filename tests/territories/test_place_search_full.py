"""The forgiving commune search on the whole French reference (≈35,000 communes)."""

import pytest

from territories.enums import NAME_MATCH_QUALITY, PLACE_LEVELS, NameMatch
from territories.selectors import search_territories
from territories.services import load_vendored_reference
from tests.site.data import build_registry

pytestmark = [pytest.mark.django_db, pytest.mark.full_reference]

APPROXIMATE = NAME_MATCH_QUALITY[NameMatch.APPROXIMATE]


def first(query: str, n: int = 12) -> list:
    return list(search_territories(query=query, levels=PLACE_LEVELS)[:n])


def test_full_reference_forgives_abbreviations_apostrophes_and_typos(client):
    load_vendored_reference()
    build_registry()

    # "St Etienne": Saint-Étienne (42218) first, then the Saint-Étienne-… communes.
    found = first("St Etienne")
    assert found[0].code == "42218"
    assert found[0].match_quality == NAME_MATCH_QUALITY[NameMatch.EXACT]
    assert all(p.name.startswith("Saint-Étienne") for p in found)
    api = client.get("/api/v1/territories/", {"level": "commune", "q": "St Etienne"}).json()
    assert api["results"][0]["code"] == "42218"
    page = client.get("/recherche/", {"where": "St Etienne", "service": "trade-fairs"})
    assert page.context["response"].location.commune.code == "42218"

    # "Ste Foy": the Sainte-Foy communes to choose from, the four named exactly so first.
    page = client.get("/recherche/", {"where": "Ste Foy", "service": "trade-fairs"})
    assert page.context["state"] == "choose"
    candidates = [c["place"] for c in page.context["candidates"]]
    assert all(p.name.startswith("Sainte-Foy") for p in candidates)
    assert {p.code for p in candidates[:4]} == {"40258", "71415", "76577", "85214"}
    assert {"69202", "33402"} <= {p.code for p in candidates}  # -lès-Lyon, -la-Grande

    # "Sts": Saints-Geosmes; apostrophes and the diaeresis of L'Haÿ-les-Roses.
    assert first("Sts Geosmes")[0].code == "52449"
    for typed in ("Lhay les Roses", "L'Hay-les-Roses", "l hay les roses", "LHAY LES ROSES"):
        assert first(typed)[0].code == "94038", typed

    # Typos, against the whole country: the large commune comes first.
    for typed, code in [
        ("Monpelier", "34172"),
        ("Marsielle", "13055"),
        ("Tolouse", "31555"),
        ("Bordaux", "33063"),
        ("Strasbourgh", "67482"),
        ("Saint Etiene", "42218"),
        ("Aix en Provance", "13001"),
        ("Villeneuve les Avignom", "30351"),
        ("le harve", "76351"),
    ]:
        found = first(typed)
        assert found[0].code == code, (typed, [p.name for p in found[:5]])
        assert found[0].match_quality == APPROXIMATE
    page = client.get("/recherche/", {"where": "Monpelier", "service": "trade-fairs"})
    assert page.context["state"] == "suggest"
    assert page.context["candidates"][0]["place"].code == "34172"
    autocomplete = client.get(
        "/api/v1/territories/",
        {"level": ["commune", "arrondissement"], "page_size": 8, "q": "monpel"},
    ).json()
    assert autocomplete["results"][0]["code"] == "34172"
