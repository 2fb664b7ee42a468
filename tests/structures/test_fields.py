"""``structures/fields.py``: every list names real model fields, and every place that writes or
shows a structure, an offer or a contact follows the lists — including a field added to them."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from structures import fields, services
from structures.api import opendata
from structures.api.inputs import (
    ContactInputSerializer,
    OfferInputSerializer,
    StructureInputSerializer,
)
from structures.api.serializers import (
    ContactSerializer,
    OfferSerializer,
    StructureDetailSerializer,
    StructureSerializer,
)
from structures.models import Contact, Offer, Structure
from structures.relay import results
from structures.relay.engine import find_relays
from structures.relay.query import RelayRequest, resolve_query
from structures.relay.types import RelayStructure, TerritoryRef
from territories.models import Territory
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    territory,
)
from web.api.relay import RelayStructureSerializer, response_payload

ROOT = Path(__file__).resolve().parents[2]
# Fields the read serializers compute rather than read from the model.
COMPUTED = {"url", "kind_label", "label_tier_label", "inherits_coverage", "freshness", "alliances"}

LISTS = {
    Structure: [
        "STRUCTURE_WRITABLE",
        "STRUCTURE_WRITABLE_M2M",
        "STRUCTURE_WRITABLE_INTERNAL",
        "STRUCTURE_PUBLIC",
        "STRUCTURE_PUBLIC_RELATED",
        "STRUCTURE_OPEN_DATA",
        "STRUCTURE_RELAY",
        "STRUCTURE_RELAY_API",
    ],
    Offer: ["OFFER_WRITABLE", "OFFER_WRITABLE_M2M", "OFFER_PUBLIC"],
    Contact: ["CONTACT_WRITABLE", "CONTACT_WRITABLE_INTERNAL", "CONTACT_PUBLIC"],
}


# --- The lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "name"), [(model, name) for model, names in LISTS.items() for name in names]
)
def test_lists_name_fields_of_the_model_once(model, name):
    names = getattr(fields, name)
    assert len(set(names)) == len(names), f"{name} repeats a field"
    for field_name in names:
        model._meta.get_field(field_name)  # raises FieldDoesNotExist


@pytest.mark.parametrize(
    ("model", "plain", "m2m", "internal"),
    [
        (
            Structure,
            fields.STRUCTURE_WRITABLE,
            fields.STRUCTURE_WRITABLE_M2M,
            fields.STRUCTURE_WRITABLE_INTERNAL,
        ),
        (Offer, fields.OFFER_WRITABLE, fields.OFFER_WRITABLE_M2M, ()),
        (Contact, fields.CONTACT_WRITABLE, (), fields.CONTACT_WRITABLE_INTERNAL),
    ],
)
def test_writable_fields_are_editable_and_sorted_by_kind(model, plain, m2m, internal):
    assert not set(plain) & set(m2m) and not set(plain) & set(internal)
    for name in (*plain, *m2m, *internal):
        field = model._meta.get_field(name)
        assert field.editable and field.concrete and not field.primary_key, name
        assert bool(field.many_to_many) == (name in m2m), name


def test_exports_show_public_fields_only():
    public = {*fields.STRUCTURE_PUBLIC, *fields.STRUCTURE_PUBLIC_RELATED}
    assert set(fields.STRUCTURE_OPEN_DATA) <= public
    assert set(fields.STRUCTURE_RELAY_API) <= set(fields.STRUCTURE_RELAY) & public


def test_a_relay_structure_refers_to_territories_only():
    for name in fields.STRUCTURE_RELAY:
        field = Structure._meta.get_field(name)
        assert not field.many_to_many, name
        assert not field.is_relation or field.related_model is Territory, name


# --- Where they go ------------------------------------------------------------------------------


def test_input_serializers_take_the_writable_fields():
    assert set(StructureInputSerializer().fields) == {
        *fields.STRUCTURE_WRITABLE,
        *fields.STRUCTURE_WRITABLE_M2M,
    }
    assert set(OfferInputSerializer().fields) == {
        "structure",
        "service",
        "markets",
        "confirm_narrowing",  # a confirmation of the competence preview, not a stored field
        *fields.OFFER_WRITABLE,
        *fields.OFFER_WRITABLE_M2M,
    }
    assert set(ContactInputSerializer().fields) == {"structure", *fields.CONTACT_WRITABLE}


@pytest.mark.django_db
def test_services_accept_every_writable_field():
    structure = StructureFactory()
    data = {
        name: getattr(structure, name)
        for name in (*fields.STRUCTURE_WRITABLE, *fields.STRUCTURE_WRITABLE_INTERNAL)
    }
    data |= {name: [territory("departement", "34")] for name in fields.STRUCTURE_WRITABLE_M2M}
    updated = services.update_structure(structure=structure, data=data, expected_version=1)
    assert updated.version == 2

    offer = OfferFactory(structure=updated, with_contact=True)
    data = {name: getattr(offer, name) for name in fields.OFFER_WRITABLE}
    data |= {name: [] for name in fields.OFFER_WRITABLE_M2M}
    assert services.update_offer(offer=offer, data=data, expected_version=1).version == 2

    contact = ContactFactory(structure=updated)
    data = {
        name: getattr(contact, name)
        for name in (*fields.CONTACT_WRITABLE, *fields.CONTACT_WRITABLE_INTERNAL)
    }
    services.update_contact(contact=contact, data=data, expected_version=contact.version)


@pytest.mark.django_db
def test_read_serializers_show_the_public_fields_in_order():
    offer = OfferFactory(with_contact=True)

    def shown(data) -> list[str]:
        return [key for key in data if key not in COMPUTED]

    assert shown(StructureSerializer(offer.structure).data) == list(fields.STRUCTURE_PUBLIC)
    assert shown(StructureDetailSerializer(offer.structure).data) == [
        *fields.STRUCTURE_PUBLIC,
        *fields.STRUCTURE_PUBLIC_RELATED,
    ]
    assert shown(OfferSerializer(offer).data) == list(fields.OFFER_PUBLIC)
    assert shown(ContactSerializer(offer.contact).data) == list(fields.CONTACT_PUBLIC)


def _stored(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@pytest.mark.django_db
def test_open_data_carries_every_open_data_field():
    structure = StructureFactory(
        acronym="CCI", opening_hours="Mo-Fr 09:00-17:00", licence="Licence Ouverte 2.0"
    )
    OfferFactory(structure=structure)
    (row,) = opendata.open_data_rows()
    assert list(row) == opendata.COLUMNS
    assert {column.field for column in opendata._COLUMNS} == set(fields.STRUCTURE_OPEN_DATA)
    for name in fields.STRUCTURE_OPEN_DATA:
        field = Structure._meta.get_field(name)
        if not field.is_relation:
            assert row[name] == _stored(getattr(structure, name)), name
    assert row["commune_code"] == "34172"


@pytest.mark.django_db
def test_relay_results_carry_every_relay_field():
    assert [f.name for f in dataclasses.fields(RelayStructure)] == ["pk", *fields.STRUCTURE_RELAY]
    structure = StructureFactory(opening_hours="Mo-Fr 09:00-17:00", phone="+33467000000")
    OfferFactory(structure=structure, coverage=[territory("departement", "34")])
    response = find_relays(
        resolve_query(RelayRequest(service="information-orientation", commune="34172"))
    )
    (result,) = response.results
    for name in fields.STRUCTURE_RELAY:
        value = getattr(result.structure, name)
        if isinstance(value, TerritoryRef):
            assert value.pk == getattr(structure, f"{name}_id"), name
        else:
            assert value == getattr(structure, name), name

    shown = response_payload(response)["results"][0]["structure"]
    assert list(shown) == ["id", *fields.STRUCTURE_RELAY_API]
    assert list(RelayStructureSerializer().fields) == list(shown)


@pytest.mark.django_db
def test_relay_columns_are_typed_as_the_orm_types_them():
    # A boolean added to STRUCTURE_RELAY must not reach the API as 0 / 1 (SQLite).
    StructureFactory()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT is_active FROM {Structure._meta.db_table}")
        (raw,) = cursor.fetchone()
    assert results._typed(Structure._meta.get_field("is_active"))(raw) is True
    # Dates would need the ORM's converters: the relay list must not hold one.
    with pytest.raises(TypeError):
        results._typed(Structure._meta.get_field("verified_at"))
    for name in fields.STRUCTURE_RELAY:
        field = Structure._meta.get_field(name)
        assert field.is_relation or isinstance(field, results.RELAY_COLUMN_TYPES), name


# --- A field added to a list --------------------------------------------------------------------

# Run in a fresh interpreter: the lists are read when the modules using them are imported. Each
# addition is a model field the list does not hold yet.
_ADDED = """
import json
import django

from structures import fields

fields.STRUCTURE_WRITABLE += ("verified_at",)
fields.STRUCTURE_PUBLIC += ("coordinates_flagged",)
fields.STRUCTURE_OPEN_DATA += ("description",)
fields.STRUCTURE_RELAY += ("legal_form", "is_active")
fields.STRUCTURE_RELAY_API += ("opening_hours",)
fields.OFFER_PUBLIC += ("created_at",)
fields.CONTACT_WRITABLE += ("is_demo",)
django.setup()

from structures import services
from structures.api import opendata
from structures.api.inputs import ContactInputSerializer, StructureInputSerializer
from structures.api.serializers import ContactSerializer, OfferSerializer, StructureSerializer
from structures.relay import results
from structures.relay.types import RelayStructure
from web.api.relay import RelayStructureSerializer

print(json.dumps({
    "services": sorted(services.STRUCTURE_FIELDS | services.CONTACT_FIELDS),
    "inputs": [*StructureInputSerializer().fields, *ContactInputSerializer().fields],
    "reads": [
        *StructureSerializer().fields,
        *OfferSerializer().fields,
        *ContactSerializer().fields,
    ],
    "open_data": opendata.COLUMNS,
    "relay": [*RelayStructure.__dataclass_fields__],
    "relay_columns": [f.name for f in results._STRUCTURE_COLUMNS],
    "relay_api": [*RelayStructureSerializer().fields],
}))
"""


def test_a_field_added_to_a_list_reaches_every_place_that_uses_the_list():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "registry.settings"}
    output = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_ADDED)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = json.loads(output.strip().splitlines()[-1])
    assert {"verified_at", "is_demo"} <= set(seen["services"])
    assert {"verified_at", "is_demo"} <= set(seen["inputs"])
    assert {"coordinates_flagged", "created_at"} <= set(seen["reads"])
    assert seen["open_data"][-1] == "description"
    assert seen["relay"][-2:] == ["legal_form", "is_active"]
    assert seen["relay_columns"][-2:] == ["legal_form", "is_active"]
    assert seen["relay_api"][-1] == "opening_hours"
