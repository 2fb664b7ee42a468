"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis).

Every operation is called in process (WSGI) with generated valid and invalid input; the test
fails on any 5xx, undocumented status, wrong content type or body not matching the schema.
Deterministic (derandomized) and bounded in examples, so that it runs in CI on both databases.

Each operation is fuzzed by every kind of caller — anonymous, a staff member of a structure
(token scoped to its département), an agency holding ``smes.view_sme`` (token scoped to a
département) — plus a registry administrator on writes and SMEs; the last test checks that
each caller reached every operation of the schema, and prints the counts.

Schemathesis makes one test per operation of the schema. Under pytest-xdist these tests are shared
out among the workers (with ``--dist load``: they all have the same node id, which the
file- and group-scoped modes of xdist would collapse into one), so "every operation reached" is
checked in two halves that hold in any process: each caller's tests cover every operation of
the schema (the collection), and each test called its own operation (when it ends).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.api.conftest import grant
from tests.smes.factories import SMEFactory
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    territory,
)

APP = get_wsgi_application()
# Server errors and every conformance to the schema (status, content type, headers, body), and
# invalid input must be refused. "Schema-valid input accepted" is left out: official codes have
# shapes (INSEE, SIREN, ISO) the path parameters do not spell out, so a schema-valid "0" is
# rightly a 400.
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
RAW_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
SCHEMA = schemathesis.openapi.from_dict(RAW_SCHEMA)
MAX_EXAMPLES = 15
# Authenticated writes are slower (each runs the services in a transaction): generated examples
# only, without the exhaustive boundary phase the anonymous pass already runs on every operation.
WRITE_SCHEMA = schemathesis.openapi.from_dict(RAW_SCHEMA)
WRITE_SCHEMA.config.phases.update(phases=["examples", "fuzzing"])
# Callers with a token: every operation, generated examples and fuzzing (the boundary phase
# runs anonymously and for the administrator's SME reads), to keep the run within minutes.
TOKEN_SCHEMA = schemathesis.openapi.from_dict(RAW_SCHEMA)
TOKEN_SCHEMA.config.phases.update(phases=["examples", "fuzzing"])
# They prove each caller's answers keep to the schema (scope and rights shape the bodies); the
# inputs themselves are fuzzed harder by the anonymous and administrator passes.
TOKEN_EXAMPLES = 6
WRITE_EXAMPLES = 10
# Every (method, path) of the schema: what each caller must have reached.
OPERATIONS = {
    f"{method.upper()} {path}"
    for path, item in RAW_SCHEMA["paths"].items()
    for method in item
    if method in ("get", "put", "post", "patch", "delete")
}
# The tests whose every operation must be reached, by caller.
CALLERS = {
    "anonymous": "test_api_conforms_to_its_schema",
    "staff token": "test_a_staff_members_token_conforms_to_the_schema",
    "agency token": "test_an_agency_token_conforms_to_the_schema",
}
# The operations the running test called (emptied before each test, checked when it ends).
CALLED: set[str] = set()


# A query string cannot tell a null, an empty list or an empty object from an empty value: all
# serialise to "?name=" or to nothing. The API reads an empty value as "not given", as HTML forms
# send it (the browsable API's filter form included), which a schema cannot express: such a case
# is not invalid input, and is held to every check but the rejection of invalid input.
CHECKS_FOR_EMPTY_QUERY_VALUES = [
    check for check in CHECKS if check is not openapi_checks.negative_data_rejection
]


def _empty_on_the_wire(value) -> bool:
    if isinstance(value, list | tuple):
        return all(_empty_on_the_wire(item) for item in value)
    return value is None or value in ("", {})


def call(case, caller: str, headers=None):
    CALLED.add(case.operation.label)
    response = case.call(app=APP, headers=headers)
    empty = any(_empty_on_the_wire(value) for value in (case.query or {}).values())
    case.validate_response(response, checks=CHECKS_FOR_EMPTY_QUERY_VALUES if empty else CHECKS)


@pytest.fixture(autouse=True)
def _reaches_its_operation(request):
    """A caller's test of one operation called that operation (no case generated would pass
    silently)."""
    CALLED.clear()
    yield
    if request.node.originalname in CALLERS.values():
        assert request.node.operation_label in CALLED, request.node.operation_label


@pytest.fixture
def registry_data(db):
    structure = StructureFactory(slug="cci-herault", coverage=[territory("departement", "34")])
    OfferFactory(structure=structure, markets=[territory("country", "MA")], with_contact=True)
    ContactFactory(structure=structure, private=True)
    # SMEs inside and outside the agency's département, for the token callers' SME reads.
    SMEFactory(commune=territory("commune", "34172"), naf_code="10.71C")
    SMEFactory(commune=territory("commune", "69123"))
    return structure


@pytest.fixture
def no_throttling(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    # As Django's test client does: the WSGI app must not close the connection that holds the
    # test's transaction at the end of each request (PostgreSQL with CONN_HEALTH_CHECKS would).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case, registry_data, no_throttling, sirene):
    # ``sirene``: a generated SIRET that happens to be valid is looked up in the local stand-in
    # of SIRENE (and is unknown there), never in the real service.
    call(case, "anonymous")


@pytest.fixture
def admin_token(db):
    from structures.models import ApiToken
    from tests.structures.factories import UserFactory

    _token, key = ApiToken.issue(user=UserFactory(superuser=True, username="fuzz"), name="fuzz")
    return key


# Writes and SME reads as a registry administrator: the paths anonymous callers cannot reach.
@pytest.mark.django_db
@WRITE_SCHEMA.include(method=["POST", "PUT", "PATCH"]).parametrize()
@settings(
    max_examples=WRITE_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_authenticated_writes_conform_to_the_schema(
    case, registry_data, no_throttling, admin_token
):
    call(case, "admin (writes)", {"Authorization": f"Token {admin_token}"})


# The SME reads as a registry administrator, with the boundary phase (their writes are the
# writes test's).
@pytest.mark.django_db
@SCHEMA.include(path_regex="smes", method="GET").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_sme_endpoints_conform_to_the_schema(case, registry_data, no_throttling, admin_token):
    call(case, "admin (SMEs)", {"Authorization": f"Token {admin_token}"})


@pytest.fixture
def staff_token(registry_data):
    from structures.models import ApiToken

    user = StaffMembershipFactory(structure=registry_data).user
    _token, key = ApiToken.issue(
        user=user, name="fuzz staff", scope=[territory("departement", "34")]
    )
    return key


@pytest.fixture
def agency_token(db):
    from structures.models import ApiToken

    user = grant(UserFactory(is_staff=False, username="fuzz-agency"), "smes.view_sme")
    _token, key = ApiToken.issue(
        user=user, name="fuzz agency", scope=[territory("departement", "34")]
    )
    return key


# Every operation again with a token: what a staff member or an agency reaches (their own
# structure's writes, private contacts, SMEs of their territory) that anonymous callers do not.
@pytest.mark.django_db
@TOKEN_SCHEMA.parametrize()
@settings(
    max_examples=TOKEN_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_a_staff_members_token_conforms_to_the_schema(
    case, registry_data, no_throttling, staff_token, sirene
):
    call(case, "staff token", {"Authorization": f"Token {staff_token}"})


@pytest.mark.django_db
@TOKEN_SCHEMA.parametrize()
@settings(
    max_examples=TOKEN_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_an_agency_token_conforms_to_the_schema(
    case, registry_data, no_throttling, agency_token, sirene
):
    call(case, "agency token", {"Authorization": f"Token {agency_token}"})


def test_every_caller_fuzzed_every_operation(request):
    """Each caller's tests cover every operation of the schema (and each called its own:
    ``_reaches_its_operation``)."""
    collected: dict[str, set[str]] = defaultdict(set)
    for item in request.session.items:
        label = getattr(item, "operation_label", None)
        if label is not None:
            collected[item.originalname].add(label)
    if not set(CALLERS.values()) <= set(collected):
        pytest.skip("only meaningful with the whole module: the fuzz tests were deselected")
    counts = {caller: len(collected[test]) for caller, test in CALLERS.items()}
    print(f"\nOperations in the schema: {len(OPERATIONS)}; fuzzed per caller: {counts}")
    assert len(OPERATIONS) >= 30
    for caller, test in CALLERS.items():
        assert collected[test] == OPERATIONS, (caller, OPERATIONS - collected[test])
