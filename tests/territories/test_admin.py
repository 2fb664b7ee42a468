import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-123456!")
    client.force_login(user)
    return client


def test_territory_changelist_searches_without_accents(admin_client):
    response = admin_client.get("/admin/territories/territory/", {"q": "evry courcouronnes"})
    assert response.status_code == 200
    assert "Évry-Courcouronnes" in response.content.decode()


def test_territory_changelist_filters_by_level(admin_client):
    response = admin_client.get("/admin/territories/territory/", {"level__exact": "region"})
    html = response.content.decode()
    assert "Occitanie" in html
    assert "Montpellier" not in html


def test_commune_change_page_shows_postal_codes(admin_client, territory):
    montpellier = territory("commune", "34172")
    response = admin_client.get(f"/admin/territories/territory/{montpellier.pk}/change/")
    assert response.status_code == 200
    assert "34000" in response.content.decode()


def test_territory_autocomplete_does_not_render_every_commune(admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "territories",
            "model_name": "communealias",
            "field_name": "commune",
            "term": "montp",
        },
    )
    assert response.status_code == 200
    assert any("Montpellier" in r["text"] for r in response.json()["results"])
