"""The search form's lists and the home page's counts, built once per catalogues version and
language (``web.page_cache``): the same markup as Django's, a change to a catalogue seen at
once, and the number of queries of the home and results pages pinned."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from structures.models import Sector, Service
from territories.models import Territory
from web import page_cache
from web.forms import (
    CachedOptionsSelect,
    DirectHiddenInput,
    DirectNumberInput,
    DirectTextInput,
    RelaySearchForm,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [None, "", "MA", ["DE"], "nowhere"])
def test_cached_select_renders_what_djangos_select_renders(value):
    choices = [
        ("", "Tous les pays"),
        ("Europe", [("DE", "Allemagne"), ("BE", "Belgique & Luxembourg <test>")]),
        ("MA", "Maroc"),
    ]
    attrs = {"id": "id_country", "aria-describedby": "id_country_helptext", "required": True}
    django_select = forms.Select(choices=choices)
    cached_select = CachedOptionsSelect(fragment="test-countries")
    cached_select.choices = choices
    expected = django_select.render("country", value, attrs=attrs)
    assert cached_select.render("country", value, attrs=attrs) == expected
    # Again, from the cache: the selection of one render does not leak into the next.
    assert cached_select.render("country", value, attrs=attrs) == expected
    assert cached_select.render("country", "BE", attrs=attrs) == django_select.render(
        "country", "BE", attrs=attrs
    )


@pytest.mark.parametrize(
    ("direct", "django_widget"),
    [
        (DirectTextInput(), forms.TextInput()),
        (DirectHiddenInput(), forms.HiddenInput()),
        (
            DirectNumberInput(attrs={"inputmode": "numeric"}),
            forms.NumberInput({"inputmode": "numeric"}),
        ),
    ],
)
@pytest.mark.parametrize("value", [None, "", "Saint-Jean-de-Védas", 'a "quoted" <b>', 2015])
def test_direct_inputs_render_what_djangos_inputs_render(direct, django_widget, value):
    attrs = {"id": "id_where", "maxlength": "120", "required": True, "disabled": False}
    assert direct.render("where", value, attrs=attrs) == django_widget.render(
        "where", value, attrs=attrs
    )


def test_the_search_form_lists_every_option_and_marks_the_choice():
    html = str(RelaySearchForm(data={"country": "ma", "sector": "C"})["country"])
    countries = Territory.objects.filter(level="country").exclude(code="FR").count()
    assert html.count("<option") == countries + 1
    assert '<option value="MA" selected>' in html
    assert html.count(" selected") == 1
    sectors = str(RelaySearchForm(data={"sector": "C"})["sector"])
    assert '<option value="C" selected>' in sectors
    assert '<optgroup label="Filières">' in sectors


def test_lists_follow_the_language():
    morocco = Territory.objects.get(level="country", code="MA")
    assert morocco.name_en and morocco.name_en != morocco.name
    french = str(RelaySearchForm()["country"])
    with translation.override("en"):
        english = str(RelaySearchForm()["country"])
    assert f">{morocco.name}</option>" in french
    assert f">{morocco.name_en}</option>" in english


def test_a_catalogue_change_is_seen_at_once(client, django_capture_on_commit_callbacks):
    assert "Maroc" in client.get("/").content.decode()
    before = page_cache.catalogues_version()
    morocco = Territory.objects.get(level="country", code="MA")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        morocco.name = "Royaume du Maroc"
        morocco.save()
    assert callbacks  # the version is drawn again once the change commits
    assert page_cache.catalogues_version() != before
    assert ">Royaume du Maroc</option>" in client.get("/").content.decode()

    Sector.objects.create(code="spatial", kind="filiere", name="Filière spatiale")
    assert '<option value="spatial">Filière spatiale</option>' in client.get("/").content.decode()

    service = Service.objects.order_by("position").first()
    service.name = "Besoin renommé"
    service.save()
    page = client.get("/").content.decode()
    assert f'<option value="{service.code}">Besoin renommé</option>' in page
    # The form validates against the same rows.
    assert RelaySearchForm(data={"service": service.code}).fields["service"].clean(service.code)

    service.delete()
    assert f'value="{service.code}"' not in client.get("/").content.decode()
    form = RelaySearchForm(data={"where": "Montpellier", "service": service.code})
    assert not form.is_valid()
    assert "service" in form.errors


def test_the_home_page_counts_follow_the_reference(client):
    from territories.services import mark_reference_changed

    communes = Territory.objects.filter(level="commune", is_current=True).count()
    assert client.get("/").context["summary"]["commune"] == communes
    # An update() sends no signal: the loader's bulk writes draw a new reference version
    # themselves, which is what invalidates the cached counts.
    Territory.objects.filter(level="commune", code="34172").update(is_current=False)
    assert client.get("/").context["summary"]["commune"] == communes
    mark_reference_changed()
    assert client.get("/").context["summary"]["commune"] == communes - 1


def test_the_home_page_queries_nothing_once_built(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get("/")
    with django_assert_max_num_queries(0):
        response = client.get("/")
    assert response.status_code == 200


def test_the_results_page_queries_do_not_grow_with_the_results(
    client, registry, territory, django_assert_max_num_queries
):
    """No query per result: more relays shown, no more queries. (The lookup's own count is
    bounded by its search radii, not by the results: on this sparse registry each of its
    searches widens to the last radius, hence the ceiling.)"""
    from tests.structures.factories import ContactFactory, OfferFactory, StructureFactory, service

    url = "/recherche/?where=Montpellier&commune=34172&service=trade-fairs"
    client.get(url)  # the catalogues, once
    with django_assert_max_num_queries(18) as sparse:
        response = client.get(url)
    shown = len(response.context["results"]) + len(response.context["fallbacks"])
    herault = territory("departement", "34")
    for n in range(6):
        structure = StructureFactory(name=f"Relais {n}", coverage=[herault])
        OfferFactory(
            structure=structure,
            service=service("trade-fairs"),
            contact=ContactFactory(structure=structure, phone="+33467000000"),
        )
    with django_assert_max_num_queries(len(sparse)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["results"]) + len(response.context["fallbacks"]) > shown
    with django_assert_max_num_queries(len(sparse) + 1):  # the sector's label
        response = client.get(url + "&country=MA&sector=agroalimentaire")
    assert response.status_code == 200
