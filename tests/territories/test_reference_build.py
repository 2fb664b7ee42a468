"""Building the vendored reference from the published sources (a tiny hand-made edition)."""

from territories import reference_build


def _decoupage(*, with_tncc: bool = True) -> dict[str, list[dict]]:
    def liaison(value: int) -> dict:
        return {"typeLiaison": value} if with_tncc else {}

    return {
        "regions": [
            {"code": "76", "nom": "Occitanie", "chefLieu": "31555", "zone": "metro", **liaison(1)}
        ],
        "departements": [
            {"code": "34", "nom": "Hérault", "region": "76", "chefLieu": "34172", **liaison(5)},
        ],
        "epci": [
            {
                "code": "243400017",
                "nom": "Montpellier Méditerranée Métropole",
                "type": "METRO",
                "populationTotale": 500000,
                "membres": [{"code": "34172"}],
            }
        ],
        "communes": [
            {
                "code": "34172",
                "nom": "Montpellier",
                "type": "commune-actuelle",
                "departement": "34",
                "region": "76",
                "codesPostaux": ["34000"],
                "population": 300000,
                **liaison(0),
            },
            {
                "code": "34344",
                "nom": "La Grande-Motte",
                "type": "commune-actuelle",
                "departement": "34",
                "region": "76",
                "codesPostaux": ["34280"],
                "population": 8000,
                **liaison(3),
            },
        ],
    }


GEONAMES = {
    "34000": [("montpellier", 43.61, 3.88)],
    "34280": [("la grande motte", 43.56, 4.08)],
}
COUNTRIES = [{"code": "FR", "alpha3": "FRA", "name": "France", "name_en": "France"}]


def _build(**kwargs) -> dict:
    document, _report = reference_build.build_reference(
        decoupage=_decoupage(**kwargs), geonames=GEONAMES, countries=COUNTRIES, edition="2026"
    )
    return document


def test_the_build_keeps_the_type_de_nom_en_clair_of_each_level():
    document = _build()
    assert document["regions"][0]["tncc"] == 1
    assert document["departements"][0]["tncc"] == 5
    assert {c["code"]: c["tncc"] for c in document["communes"]} == {"34172": 0, "34344": 3}
    assert "tncc" not in document["epci"][0]


def test_a_source_without_it_gives_none():
    document = _build(with_tncc=False)
    assert document["departements"][0]["tncc"] is None


def test_the_diff_names_the_attributes_that_changed():
    before, after = _build(with_tncc=False), _build()
    for section in ("regions", "departements", "communes"):
        for row in before[section]:
            del row["tncc"]  # a file written before the attribute existed
    lines = reference_build.diff_documents(before, after)
    assert "departements: 1 (+0 ajoutés, -0 disparus, 1 modifiés)" in lines
    assert "communes: 2 (+0 ajoutés, -0 disparus, 2 modifiés)" in lines
    assert lines.count("  champs modifiés : tncc (1)") == 2  # régions, départements
    assert "  champs modifiés : tncc (2)" in lines
    assert "epci: 1 (+0 ajoutés, -0 disparus, 0 modifiés)" in lines


def test_an_identical_build_reports_no_modification():
    lines = reference_build.diff_documents(_build(), _build())
    assert not [line for line in lines if "champs modifiés" in line]
    assert all("0 modifiés" in line for line in lines[1:])


def test_several_attributes_are_counted_separately():
    before, after = _build(), _build()
    after["communes"][0]["name"] = "Montpellier-la-Neuve"
    after["communes"][0]["tncc"] = 1
    after["communes"][1]["tncc"] = 4
    lines = reference_build.diff_documents(before, after)
    assert "  champs modifiés : name (1), tncc (2)" in lines
