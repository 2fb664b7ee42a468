"""Admin: private section, search by identifiers, département filter, size warnings on save."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from smes.models import SME
from tests.smes.factories import SMEFactory
from tests.structures.factories import StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def test_staff_without_sme_permissions_cannot_see_smes(client):
    SMEFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("admin:smes_sme_changelist")).status_code == 403


def test_changelist_search_and_departement_filter(root_client, territory):
    montpellier = SMEFactory(name="Atelier du Lez", commune=territory("commune", "34172"))
    SMEFactory(name="Mas de Nîmes", commune=territory("commune", "30189"))
    url = reverse("admin:smes_sme_changelist")
    response = root_client.get(url)
    assert response.status_code == 200
    assert "34 — Hérault" in response.content.decode()

    spaced = f"{montpellier.siret[:3]} {montpellier.siret[3:6]} {montpellier.siret[6:9]} {montpellier.siret[9:]}"
    response = root_client.get(url, {"q": spaced})
    assert list(response.context["cl"].result_list) == [montpellier]
    response = root_client.get(url, {"q": "lez"})
    assert list(response.context["cl"].result_list) == [montpellier]
    response = root_client.get(url, {"departement": "34"})
    assert list(response.context["cl"].result_list) == [montpellier]


def test_add_form_normalises_derives_and_warns_about_size(root_client, territory):
    club = StructureFactory(club=True)
    data = {
        "siret": "732 829 320 00074",
        "name": "Grande Entreprise",
        "legal_form": "",
        "naf_code": "6201Z",
        "created_on": "",
        "employees": "400",
        "employee_range": "",
        "turnover_eur": "",
        "address_line": "",
        "postal_code": "34000",
        "commune": territory("commune", "34172").pk,
        "latitude": "",
        "longitude": "",
        "export_stage": "regular",
        "export_share": "20",
        "target_markets": [territory("country", "MA").pk],
        "source": "saisie",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-structure": club.pk,
        "memberships-0-role": "founder",
        "memberships-0-since": "2020-01-01",
    }
    response = root_client.post(reverse("admin:smes_sme_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    sme = SME.objects.get()
    assert sme.siret == "73282932000074" and sme.siren == "732829320"
    assert sme.naf_code == "62.01Z" and sme.sector.code == "62"
    assert sme.location_precision == "commune"
    assert sme.memberships.get().structure == club
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("seuil des PME" in w for w in warnings)

    response = root_client.get(reverse("admin:smes_sme_change", args=[sme.pk]))
    assert response.status_code == 200
    assert "seuil des PME" in response.content.decode()


def test_add_form_rejects_a_bad_siret_with_a_french_message(root_client):
    response = root_client.post(
        reverse("admin:smes_sme_add"),
        {
            "siret": "73282932000075",
            "name": "X",
            "export_stage": "none",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "clé de contrôle" in str(response.context["adminform"].form.errors["siret"])
    assert not SME.objects.exists()


def test_an_agency_sees_and_writes_the_smes_of_its_account_scope_only(client, territory):
    """Issue 10: the SME scope applied to tokens only; the admin (a session) showed every SME."""
    from tests.api.conftest import grant

    montpellier = SMEFactory(name="Atelier du Lez", commune=territory("commune", "34172"))
    nimes = SMEFactory(name="Mas de Nîmes", commune=territory("commune", "30189"))
    agent = grant(
        UserFactory(scope=[territory("departement", "34")]),
        "smes.view_sme",
        "smes.change_sme",
    )
    client.force_login(agent)
    response = client.get(reverse("admin:smes_sme_changelist"))
    assert list(response.context["cl"].result_list) == [montpellier]
    outside = client.get(reverse("admin:smes_sme_change", args=[nimes.pk]))
    assert outside.status_code == 302  # Django's "does not exist" redirect, no data shown
    # The commune field offers the scope's communes only: a crafted POST elsewhere is refused.
    form = (
        client.get(reverse("admin:smes_sme_change", args=[montpellier.pk]))
        .context["adminform"]
        .form
    )
    assert not form.fields["commune"].queryset.filter(code="30189").exists()
    assert form.fields["commune"].queryset.filter(code="34172").exists()
    # Without a scope, the right is exercised nowhere.
    unscoped = grant(UserFactory(), "smes.view_sme")
    client.force_login(unscoped)
    response = client.get(reverse("admin:smes_sme_changelist"))
    assert list(response.context["cl"].result_list) == []


def test_the_departement_filter_lists_the_scope_only(client, territory):
    from tests.api.conftest import grant

    SMEFactory(commune=territory("commune", "34172"))
    SMEFactory(commune=territory("commune", "30189"))
    agent = grant(UserFactory(scope=[territory("departement", "34")]), "smes.view_sme")
    client.force_login(agent)
    page = client.get(reverse("admin:smes_sme_changelist")).content.decode()
    assert "34 — Hérault" in page
    assert "30 — Gard" not in page
