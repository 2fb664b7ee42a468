"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis).

Every operation is called in process (WSGI) with generated valid and invalid input; the test
fails on any 5xx, undocumented status, wrong content type or body not matching the schema.
Deterministic (derandomized) and bounded in examples, so that it runs in CI on both databases.
"""

from __future__ import annotations

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

from tests.structures.factories import ContactFactory, OfferFactory, StructureFactory, territory

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
WRITE_EXAMPLES = 10


@pytest.fixture
def registry_data(db):
    structure = StructureFactory(slug="cci-herault", coverage=[territory("departement", "34")])
    OfferFactory(structure=structure, markets=[territory("country", "MA")], with_contact=True)
    ContactFactory(structure=structure, private=True)


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
    response = case.call(app=APP)
    case.validate_response(response, checks=CHECKS)


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
    response = case.call(app=APP, headers={"Authorization": f"Token {admin_token}"})
    case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
@SCHEMA.include(path_regex="smes").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_sme_endpoints_conform_to_the_schema(case, registry_data, no_throttling, admin_token):
    response = case.call(app=APP, headers={"Authorization": f"Token {admin_token}"})
    case.validate_response(response, checks=CHECKS)
