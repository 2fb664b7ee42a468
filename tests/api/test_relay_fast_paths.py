"""The relay API's cheaper paths give what the general ones gave: the answer built as plain dicts
renders as the serializers that document it would, the query serializer's shallow field copies
validate as DRF's deep copies, and the local doors' single query (contacts joined, then hidden
when unreadable) gives the rows and contacts of the query and prefetch it replaced."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from smes.relay import resolve_relay_query
from structures.models import Programme, ProgrammeEntryPoint
from structures.permissions import PRIVATE_CONTACTS_PERMISSION, Caller
from structures.programmes import _door_rows, _entry_point_rows
from structures.relay.engine import find_relays
from structures.relay.query import RelayRequest
from tests.api.conftest import grant
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)
from web.api.relay import (
    RelayQueryInvalid,
    RelayQuerySerializer,
    RelayResponseSerializer,
    response_payload,
)

pytestmark = pytest.mark.django_db


class Proxy:
    """``value`` with a few more attributes, as a serializer reads it."""

    def __init__(self, value, **extra) -> None:
        self.value = value
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self.value, name)


def ranked_result(result, rank: int) -> Proxy:
    # The engine's value types carry ``pk``; the documented objects show it as ``id``.
    return Proxy(
        result,
        rank=rank,
        offer=Proxy(result.offer, id=result.offer.pk),
        structure=Proxy(result.structure, id=result.structure.pk),
    )


def documented(response) -> dict:
    """The answer through the serializers that document it (field by field, nested)."""
    ranked = [
        ranked_result(r, i) for i, r in enumerate([*response.results, *response.fallbacks], 1)
    ]
    competent = len(response.results)
    answer = {
        "location": response.location,
        "service": response.service,
        "country": response.country,
        "sectors": list(response.sectors),
        "results": ranked[:competent],
        "fallbacks": ranked[competent:],
        "hint": response.hint,
        "empty_message": response.empty_message,
        "local_doors": [],
    }
    return RelayResponseSerializer(answer).data


@pytest.fixture
def relay_world():
    def relay(commune_code, *, covers, service_code="trade-fairs", **offer):
        structure = StructureFactory(commune=territory("commune", commune_code), coverage=covers)
        return OfferFactory(structure=structure, service=service(service_code), **offer)

    herault = relay(
        "34172", covers=[territory("departement", "34")], markets=[territory("country", "MA")]
    )
    ContactFactory(structure=herault.structure, name="Service international")
    private = ContactFactory(structure=herault.structure, private=True, name="Agent privé")
    # Its offer's contact is private (an offer's contact is one of its structure's: Offer.clean).
    herault.contact = private
    herault.save()
    relay("34172", covers=[territory("departement", "34")], min_employees=10)
    relay("30189", covers=[territory("region", "76")])
    relay("69123", covers=[territory("departement", "69")], delivery="remote")
    relay("69123", covers=[territory("departement", "69")], service_code="public-aid")
    return {"herault": herault}


LOOKUPS = [
    {"commune": "34172", "service": "trade-fairs"},
    {"commune": "34172", "service": "trade-fairs", "country": "MA", "k": 5},
    {"commune": "34172", "service": "trade-fairs", "employees": 5, "include_remote": False},
    {"commune": "30189", "service": "trade-fairs", "k": 1},
    {"commune": "69123", "service": "trade-fairs", "country": "JP", "sector": "10"},
    {"commune": "34172", "service": "public-aid"},
    {"commune": "34172", "service": "export-insurance"},
    {"latitude": 43.61, "longitude": 3.87, "service": "trade-fairs"},
]


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_the_plain_answer_renders_as_its_serializers(relay_world, lookup):
    member = StaffMembershipFactory(structure=relay_world["herault"].structure).user
    for caller, private in ((Caller.anonymous(), False), (Caller(user=member), True)):
        query = resolve_relay_query(
            caller=caller,
            request=RelayRequest(**lookup, include_private_contacts=private),
            siret="",
        )
        response = find_relays(query)
        fast = {**response_payload(response), "local_doors": []}
        assert JSONRenderer().render(fast) == JSONRenderer().render(documented(response))


def test_the_lookups_cover_results_fallbacks_conditions_and_private_contacts(relay_world):
    member = StaffMembershipFactory(structure=relay_world["herault"].structure).user
    seen = set()
    for lookup in LOOKUPS:
        for caller, private in ((Caller.anonymous(), False), (Caller(user=member), True)):
            query = resolve_relay_query(
                caller=caller,
                request=RelayRequest(**lookup, include_private_contacts=private),
                siret="",
            )
            body = response_payload(find_relays(query))
            ranked = [*body["results"], *body["fallbacks"]]
            seen |= {"results"} if body["results"] else {"no result"}
            seen |= {"fallbacks"} if body["fallbacks"] else set()
            seen |= {"conditions"} if any(r["conditions"] for r in ranked) else set()
            seen |= {"notes"} if any(r["notes"] for r in ranked) else set()
            seen |= {"country"} if body["country"] else set()
            seen |= {
                "private contact"
                for r in ranked
                if r["contact"] and r["contact"]["name"] == "Agent privé"
            }
    assert seen == {
        "results",
        "no result",
        "fallbacks",
        "conditions",
        "notes",
        "country",
        "private contact",
    }


class DeepCopiedRelayQuerySerializer(RelayQuerySerializer):
    """The same serializer with DRF's own field copies (what it did before)."""

    def get_fields(self):
        return serializers.Serializer.get_fields(self)


def outcome(serializer_class, data: dict) -> tuple:
    serializer = serializer_class(data=data, context={"caller": Caller.anonymous()})
    try:
        valid = serializer.is_valid()
    except RelayQueryInvalid as exc:
        return ("refused", exc.status_code, exc.payload)
    if not valid:
        return (
            "invalid",
            serializer.errors,
            {k: [e.code for e in v] for k, v in serializer.errors.items()},
        )
    return ("valid", serializer.validated_data)


QUERIES = [
    {"commune": "34172", "service": "trade-fairs"},
    {"commune": "34172", "service": "trade-fairs", "k": "3", "include_remote": "false"},
    {"commune": " 34172 ", "service": "trade-fairs", "country": "MA", "sector": "10"},
    {"commune": "34172", "service": "trade-fairs", "employees": "12", "created_on": "2020-02-03"},
    {"commune": "34172", "service": "trade-fairs", "export_stage": "occasional"},
    {"commune": "34172", "service": "trade-fairs", "member_of": "a, b,,c"},
    {"lat": "43.61", "lon": "3.87", "service": "trade-fairs"},
    {"service": "trade-fairs"},
    {"commune": "34172"},
    {"commune": "34172", "service": ""},
    {"commune": "34172", "service": "   "},
    {"commune": "34172", "service": "x" * 65},
    {"commune": "34172", "service": "trade\x00fairs"},
    {"commune": "34172", "service": "trade-fairs", "k": "0"},
    {"commune": "34172", "service": "trade-fairs", "k": "21"},
    {"commune": "34172", "service": "trade-fairs", "k": "deux"},
    {"commune": "34172", "service": "trade-fairs", "k": ""},
    {"commune": "34172", "service": "trade-fairs", "include_remote": "peut-être"},
    {"commune": "34172", "service": "trade-fairs", "employees": "-1"},
    {"commune": "34172", "service": "trade-fairs", "created_on": "03/02/2020"},
    {"commune": "34172", "service": "trade-fairs", "export_stage": "astronaut"},
    {"lat": "43.61", "service": "trade-fairs"},
    {"lat": "91", "lon": "3.87", "service": "trade-fairs"},
    {"lat": "nan", "lon": "3.87", "service": "trade-fairs"},
    {"commune": "99999", "service": "trade-fairs"},
    {"commune": "34172", "service": "no-such-need"},
]


@pytest.mark.parametrize("data", QUERIES)
def test_shallow_fields_validate_as_deep_copies(data):
    expected = outcome(DeepCopiedRelayQuerySerializer, data)
    assert outcome(RelayQuerySerializer, data) == expected
    # And again, after other queries: nothing of one validation stays in the shared fields.
    for other in QUERIES[:3]:
        outcome(RelayQuerySerializer, other)
    assert outcome(RelayQuerySerializer, data) == expected


def test_the_declared_fields_are_never_bound():
    serializer = RelayQuerySerializer(
        data={"commune": "34172", "service": "trade-fairs"},
        context={"caller": Caller.anonymous()},
    )
    assert serializer.is_valid()
    assert serializer.fields["k"].parent is serializer
    assert all(
        field.parent is None and field.field_name is None
        for field in RelayQuerySerializer._declared_fields.values()
    )


@pytest.fixture
def doors():
    """A national programme with doors at France, the région and the Hérault: a private contact
    at the Hérault, a public one at the région, none at France."""
    herault = StructureFactory(name="CCI Hérault", coverage=[territory("departement", "34")])
    region = StructureFactory(name="AD Occitanie", coverage=[territory("region", "76")])
    national = StructureFactory(name="Siège", coverage=[territory("country", "FR")])
    programme = Programme.objects.create(
        name="Assurance prospection", level="national", operator_name="Bpifrance"
    )
    programme.services.set([service("export-insurance")])
    private = ContactFactory(structure=herault, private=True, name="Agent privé")
    public = ContactFactory(structure=region, name="Guichet export")
    for structure, level, code, contact in (
        (herault, "departement", "34", private),
        (region, "region", "76", public),
        (national, "country", "FR", None),
    ):
        row = ProgrammeEntryPoint(
            programme=programme,
            territory=territory(level, code),
            structure=structure,
            contact=contact,
        )
        row.full_clean()
        row.save()
    OfferFactory(structure=herault, service=service("export-insurance"))
    return {"programme": programme, "herault": herault, "region": region}


def shown(rows) -> list[tuple]:
    return sorted(
        (
            row.pk,
            row.contact_id,
            row.contact.pk if row.contact else None,
            row.structure.name,
            row.territory.code,
        )
        for row in rows
    )


def callers(doors) -> dict[str, Caller | None]:
    member = StaffMembershipFactory(structure=doors["herault"]).user
    reader = grant(UserFactory(), PRIVATE_CONTACTS_PERMISSION)
    return {
        "none": None,
        "anonymous": Caller(user=AnonymousUser()),
        "stranger": Caller(user=UserFactory()),
        "member": Caller(user=member),
        "reader in scope": Caller(user=reader, scopes=(frozenset({territory("region", "76").pk}),)),
        "reader elsewhere": Caller(
            user=reader, scopes=(frozenset({territory("region", "84").pk}),)
        ),
        "reader": Caller(user=reader),
        "administrator": Caller(user=UserFactory(is_superuser=True)),
        "operator": Caller.operator(),
    }


def test_door_rows_show_what_the_query_and_its_prefetch_showed(doors):
    montpellier = territory("commune", "34172")
    ids = tuple(montpellier.ancestor_links.values_list("ancestor_id", flat=True))
    assert len(ids) >= 4
    programme_ids = [doors["programme"].pk]
    hidden_somewhere = shown_somewhere = False
    for name, caller in callers(doors).items():
        expected = shown(
            _entry_point_rows(caller=caller).filter(
                programme__in=programme_ids, territory_id__in=ids
            )
        )
        got = shown(_door_rows(caller=caller, programme_ids=programme_ids, territory_ids=ids))
        assert got == expected, name
        hidden_somewhere |= any(row[1] and row[2] is None for row in got)
        shown_somewhere |= any(row[1] and row[2] == row[1] for row in got)
    # The comparison covered both: a contact hidden from one caller, shown to another.
    assert hidden_somewhere and shown_somewhere


def test_the_relay_answer_shows_a_private_door_contact_to_its_structures_staff(doors):
    from rest_framework.test import APIClient

    member = StaffMembershipFactory(structure=doors["herault"]).user
    params = {"commune": "34172", "service": "export-insurance"}
    anonymous = APIClient().get("/api/v1/relays/", params).json()
    [entry] = anonymous["local_doors"][0]["entry_points"]
    assert entry["contact"] is None
    staff = APIClient()
    staff.force_login(member)
    [entry] = staff.get("/api/v1/relays/", params).json()["local_doors"][0]["entry_points"]
    assert entry["contact"]["name"] == "Agent privé"
