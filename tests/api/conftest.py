"""Fixtures of the API tests: clients for each kind of caller."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient

from structures.models import ApiToken
from tests.structures.factories import StaffMembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache: each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def body_of(response) -> bytes:
    """The body of a response, streamed (CSV and GeoJSON lists) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def grant(user, *codenames: str):
    for full in codenames:
        app_label, codename = full.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # Django caches permissions on the user object.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


@pytest.fixture
def staff_client():
    """``staff_client(structure)``: a client logged in as an editor of ``structure``."""

    def make(structure):
        membership = StaffMembershipFactory(structure=structure)
        client = APIClient()
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return make


@pytest.fixture
def admin_client_api():
    user = UserFactory(superuser=True, username="registre-admin")
    client = APIClient()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def token_client():
    """``token_client(user=None, scope=[...], perms=[...])``: a client sending a token."""

    def make(*, user=None, scope=(), perms=()):
        user = user or UserFactory(is_staff=False)
        grant(user, *perms)
        token, key = ApiToken.issue(user=user, name="Agence de test", scope=scope)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.user, client.token = user, token
        return client

    return make
