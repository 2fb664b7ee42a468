"""The partner finder's doors: the staff page and the API, their scope and their bad input.

Staff A animates export groups in the Hérault (an export group among its structure's children)
with the right to read SMEs in département 34; staff B does the same in the Rhône (69). Neither
sees the other's SMEs; staff without an animating structure get a 404; an agency with SME rights
uses the API within its token's territories.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from smes.enums import MembershipRole
from smes.models import SMEMembership
from structures.enums import StructureKind
from structures.models import Sector, Structure
from territories.models import Territory
from tests.api.conftest import grant
from tests.smes.factories import SMEFactory, make_siret
from tests.structures.factories import StaffMembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db

CANDIDATES = "/api/v1/smes/partners/candidates/"
GROUPS = "/api/v1/smes/partners/groups/"


def _consenting(n: int, *, naf: str, markets, commune=None, **extra):
    kwargs = {"commune": commune} if commune is not None else {}
    sme = SMEFactory(
        siret=make_siret(7000 + n),
        name=f"Partenaire {n}",
        naf_code=naf,
        employee_range="11",
        target_markets=markets,
        partner_search_consent=True,
        partner_search_consent_at=timezone.now(),
        **kwargs,
        **extra,
    )
    sme.sector = Sector.objects.get(kind="naf_division", code=naf[:2])
    sme.save()
    return sme


@pytest.fixture
def world(territory):
    de = Territory.objects.get(level="country", code="DE")
    ma = Territory.objects.get(level="country", code="MA")
    lattes = territory("commune", "34129")
    origin = _consenting(0, naf="10.89Z", markets=[de, ma])
    partners = [
        _consenting(1, naf="11.02B", markets=[de], commune=lattes),
        _consenting(2, naf="25.62B", markets=[de, ma]),
        _consenting(3, naf="10.13B", markets=[ma], commune=lattes),
        _consenting(4, naf="62.01Z", markets=[de]),
    ]
    lyon_sme = _consenting(
        5,
        naf="25.62B",
        markets=[de],
        commune=territory("commune", "69123"),
    )
    animator_a = StructureFactory(name="CCI Hérault international")
    StructureFactory(name="Groupement existant", kind=StructureKind.EXPORT_GROUP, parent=animator_a)
    animator_b = StructureFactory(name="CCI Lyon", commune=territory("commune", "69123"))
    StructureFactory(name="Groupement lyonnais", kind=StructureKind.EXPORT_GROUP, parent=animator_b)
    staff_a = UserFactory(scope=[territory("departement", "34")])
    grant(staff_a, "smes.view_sme")
    StaffMembershipFactory(user=staff_a, structure=animator_a)
    staff_b = UserFactory(scope=[territory("departement", "69")])
    grant(staff_b, "smes.view_sme")
    StaffMembershipFactory(user=staff_b, structure=animator_b)
    plain = StaffMembershipFactory(structure=StructureFactory(name="Club sans groupement")).user
    grant(plain, "smes.view_sme")
    return {
        "origin": origin,
        "partners": partners,
        "lyon_sme": lyon_sme,
        "animator_a": animator_a,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "plain": plain,
    }


@pytest.fixture
def agency():
    """``agency(departement, perms=[...])``: an API client with a token of an agency account
    scoped to ``departement``."""
    from rest_framework.test import APIClient

    from structures.models import ApiToken

    def make(departement: str, *, perms=("smes.view_sme",)) -> APIClient:
        scope = [Territory.objects.get(level="departement", code=departement)]
        user = grant(UserFactory(is_staff=False, scope=scope), *perms)
        _token, key = ApiToken.issue(user=user, name="Agence de test", scope=scope)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Page ---------------------------------------------------------------------------------------


def test_page_lists_candidates_and_groups_within_scope(world):
    response = _client(world["staff_a"]).get(
        reverse("staff-partners"), {"siret": world["origin"].siret}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for partner in world["partners"]:
        assert partner.name in html
    assert world["lyon_sme"].name not in html
    assert "Proposition 1" in html
    assert "csrfmiddlewaretoken" in html


def test_my_listings_link_to_the_finder_for_animators_only(world):
    link = reverse("staff-partners")
    assert link in _client(world["staff_a"]).get(reverse("staff-listings")).content.decode()
    assert link not in _client(world["plain"]).get(reverse("staff-listings")).content.decode()


def test_page_empty_form_and_empty_state(world):
    client = _client(world["staff_a"])
    assert client.get(reverse("staff-partners")).status_code == 200
    response = client.get(
        reverse("staff-partners"),
        {
            "commune": "34172",
            "naf_code": "10.89Z",
            "employee_range": "53",
            "export_stage": "none",
            "markets": "JP",
        },
    )
    assert response.status_code == 200
    assert "Aucune entreprise consentante" in response.content.decode()


def test_page_refuses_bad_input_with_form_errors(world):
    client = _client(world["staff_a"])
    response = client.get(reverse("staff-partners"), {"commune": "99999", "markets": "XX"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Commune inconnue" in html and "Pays inconnus" in html
    response = client.get(reverse("staff-partners"), {"siret": "1", "radius_km": "900"})
    assert "error-summary" in response.content.decode()


def test_other_staff_do_not_see_out_of_scope_smes(world):
    """Staff B (Rhône) cannot start from a Hérault SME, nor see it as a candidate."""
    client = _client(world["staff_b"])
    response = client.get(reverse("staff-partners"), {"siret": world["origin"].siret})
    assert "Aucune PME visible" in response.content.decode()


def test_staff_without_animating_structure_or_anonymous_are_refused(world):
    assert _client(world["plain"]).get(reverse("staff-partners")).status_code == 404
    response = Client().get(reverse("staff-partners"))
    assert (response.status_code == 302 and "/connexion" in response["Location"]) or (
        response.status_code == 302
    )
    post = _client(world["plain"]).post(reverse("staff-partners-create-group"), {})
    assert post.status_code == 404


def test_create_group_from_a_proposal(world):
    origin, partners = world["origin"], world["partners"]
    members = [partners[0], partners[1]]
    response = _client(world["staff_a"]).post(
        reverse("staff-partners-create-group"),
        {
            "prefix": "g0",
            "g0-name": "Groupement Saveurs d'Oc",
            "g0-animator": world["animator_a"].pk,
            "g0-origin": origin.siret,
            "g0-members": ",".join(m.siret for m in members),
        },
    )
    assert response.status_code == 302
    group = Structure.objects.get(name="Groupement Saveurs d'Oc")
    assert group.kind == StructureKind.EXPORT_GROUP
    assert group.parent == world["animator_a"]
    assert not group.is_validated  # waits in the validation queue
    assert group.staff_memberships.filter(user=world["staff_a"]).exists()
    roles = dict(SMEMembership.objects.filter(structure=group).values_list("sme_id", "role"))
    assert roles == {
        origin.pk: MembershipRole.COORDINATOR,
        partners[0].pk: MembershipRole.FOUNDER,
        partners[1].pk: MembershipRole.FOUNDER,
    }
    history = get_history_model_for_model(Structure).objects.filter(id=group.pk)
    assert history.get().history_user == world["staff_a"]


def test_create_group_refuses_out_of_scope_or_non_consenting_members(world):
    origin, partners = world["origin"], world["partners"]
    client = _client(world["staff_a"])
    post = {
        "prefix": "g0",
        "g0-name": "Groupement impossible",
        "g0-animator": world["animator_a"].pk,
        "g0-origin": origin.siret,
    }
    response = client.post(
        reverse("staff-partners-create-group"),
        {**post, "g0-members": f"{partners[0].siret},{world['lyon_sme'].siret}"},
        follow=True,
    )
    assert "plus) visible" in response.content.decode()
    partners[1].partner_search_consent = False
    partners[1].save()
    response = client.post(
        reverse("staff-partners-create-group"),
        {**post, "g0-members": f"{partners[0].siret},{partners[1].siret}"},
        follow=True,
    )
    assert "Sans son accord" in response.content.decode()
    assert not Structure.objects.filter(name="Groupement impossible").exists()


def test_create_group_refuses_competitors(world):
    from smes.services.export_groups import create_export_group_from_proposal

    origin, partners = world["origin"], world["partners"]
    rival = _consenting(9, naf="10.89Z", markets=list(origin.target_markets.all()))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        create_export_group_from_proposal(
            animator=world["animator_a"],
            members=[origin, partners[0], rival],
            name="Avec un concurrent",
            by_user=world["staff_a"],
        )
    assert "concurrentes" in str(info.value)


# --- API ----------------------------------------------------------------------------------------


def test_api_candidates_and_groups_for_an_agency(world, agency):
    client = agency("34")
    response = client.get(CANDIDATES, {"siret": world["origin"].siret})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {r["siret"] for r in body["results"]} == {p.siret for p in world["partners"]}
    assert all(r["why"] for r in body["results"])
    response = client.get(GROUPS, {"siret": world["origin"].siret, "limit": 3})
    assert response.status_code == 200
    groups = response.json()["results"]
    assert groups and all(3 <= g["size"] <= 5 for g in groups)


def test_api_profile_search(world, agency):
    client = agency("34")
    response = client.get(
        CANDIDATES,
        {
            "commune": "34172",
            "naf_code": "1089Z",
            "employee_range": "11",
            "export_stage": "occasional",
            "markets": "DE",
        },
    )
    assert response.status_code == 200, response.json()
    found = {r["siret"] for r in response.json()["results"]}
    # The registered firm of the same sub-class on the same market is a competitor: left out.
    assert world["origin"].siret not in found
    assert {world["partners"][0].siret, world["partners"][1].siret} <= found


def test_api_scope_is_respected(world, agency):
    lyon = agency("69")
    response = lyon.get(CANDIDATES, {"siret": world["origin"].siret})
    assert response.status_code == 400
    assert "siret" in response.json()["errors"]
    no_rights = agency("34", perms=())
    assert no_rights.get(CANDIDATES, {"siret": world["origin"].siret}).status_code == 403
    from rest_framework.test import APIClient

    assert APIClient().get(GROUPS, {"siret": world["origin"].siret}).status_code in (401, 403)


@pytest.mark.parametrize(
    "params",
    [
        {"siret": "x", "colour": "red"},
        {"commune": "34172"},
        {"commune": "34172", "naf_code": "10.89Z", "employee_range": "11",
         "export_stage": "regular", "siret": "123"},
        {"commune": "34172", "naf_code": "74.1A", "employee_range": "11",
         "export_stage": "regular"},
        {"commune": "34172", "naf_code": "10.89Z", "employee_range": "77",
         "export_stage": "regular"},
        {"commune": "34172", "naf_code": "10.89Z", "employee_range": "11",
         "export_stage": "regular", "markets": "ZZ"},
        {"commune": "34172", "naf_code": "10.89Z", "employee_range": "11",
         "export_stage": "regular", "radius_km": "0"},
        {"commune": "34172", "naf_code": "10.89Z", "employee_range": "11",
         "export_stage": "regular", "radius_km": "abc"},
        {},
    ],
)  # fmt: skip
def test_api_bad_input_is_a_400(world, agency, params):
    client = agency("34")
    response = client.get(CANDIDATES, params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]


def test_api_groups_bad_sizes_are_a_400(world, agency):
    client = agency("34")
    siret = world["origin"].siret
    assert client.get(GROUPS, {"siret": siret, "min_size": 5, "max_size": 3}).status_code == 400
    assert client.get(GROUPS, {"siret": siret, "max_size": 6}).status_code == 400


# --- Firms already in an export group -----------------------------------------------------------


def _group_with(world, *members) -> Structure:
    group = StructureFactory(
        name="Groupement des Garrigues", kind=StructureKind.EXPORT_GROUP, parent=world["animator_a"]
    )
    for sme in members:
        SMEMembership.objects.create(sme=sme, structure=group, role=MembershipRole.MEMBER)
    return group


def test_page_leaves_grouped_firms_out_unless_asked(world):
    grouped = world["partners"][1]
    _group_with(world, grouped)
    client = _client(world["staff_a"])
    response = client.get(reverse("staff-partners"), {"siret": world["origin"].siret})
    html = response.content.decode()
    assert grouped.name not in html
    assert world["partners"][0].name in html
    assert 'name="include_grouped"' in html
    response = client.get(
        reverse("staff-partners"), {"siret": world["origin"].siret, "include_grouped": "on"}
    )
    html = response.content.decode()
    assert grouped.name in html
    assert "Groupement des Garrigues" in html


def test_api_include_grouped_flags_and_names_the_group(world, agency):
    grouped = world["partners"][1]
    _group_with(world, grouped)
    client = agency("34")
    siret = world["origin"].siret
    results = client.get(CANDIDATES, {"siret": siret}).json()["results"]
    assert grouped.siret not in {r["siret"] for r in results}
    assert not any(r["in_export_group"] for r in results)
    response = client.get(CANDIDATES, {"siret": siret, "include_grouped": "true"})
    assert response.status_code == 200, response.json()
    by_siret = {r["siret"]: r for r in response.json()["results"]}
    assert by_siret[grouped.siret]["in_export_group"] is True
    assert by_siret[grouped.siret]["export_groups"] == ["Groupement des Garrigues"]
    assert "« Groupement des Garrigues »" in by_siret[grouped.siret]["why"]
    others = [r for s, r in by_siret.items() if s != grouped.siret]
    assert others and not any(r["in_export_group"] or r["export_groups"] for r in others)
    groups = client.get(GROUPS, {"siret": siret, "limit": 20}).json()["results"]
    assert all(grouped.siret not in {m["siret"] for m in g["members"]} for g in groups)
    groups = client.get(GROUPS, {"siret": siret, "limit": 20, "include_grouped": "true"})
    members = {m["siret"] for g in groups.json()["results"] for m in g["members"]}
    assert grouped.siret in members


def test_an_inactive_group_does_not_count(world, agency):
    grouped = world["partners"][1]
    group = _group_with(world, grouped)
    group.is_active = False
    group.save()
    results = agency("34").get(CANDIDATES, {"siret": world["origin"].siret}).json()["results"]
    assert grouped.siret in {r["siret"] for r in results}
