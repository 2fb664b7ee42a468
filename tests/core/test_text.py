import pytest

from core.text import compact, normalize_name, place_name_keys


@pytest.mark.parametrize(
    ("typed", "keys"),
    [
        ("Montpellier", ("montpellier",)),
        ("St Mathieu de Tréviers", ("saint mathieu de treviers", "st mathieu de treviers")),
        ("Ste-Foy", ("sainte foy", "ste foy")),
        ("ST. ÉTIENNE", ("saint etienne", "st etienne")),
        ("Sts Geosmes", ("saints geosmes", "sts geosmes")),
        ("Stes Maries de la Mer", ("saintes maries de la mer", "stes maries de la mer")),
        # Only whole words are abbreviations: "Stenay" and "Estaires" are names.
        ("Stenay", ("stenay",)),
        ("Est", ("est",)),
        ("  -' ", ()),
    ],
)
def test_place_name_keys_spell_out_abbreviations_and_keep_the_typed_form(typed, keys):
    assert place_name_keys(typed) == keys


def test_apostrophes_hyphens_and_spaces_do_not_count_once_compacted():
    assert compact(normalize_name("L'Haÿ-les-Roses")) == compact(normalize_name("Lhay les roses"))
    assert compact(normalize_name("Saint-Étienne")) == "saintetienne"
