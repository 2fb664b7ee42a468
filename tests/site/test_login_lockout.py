"""Login protection (django-axes, core/login_lockout.py) on both login pages: an account is locked
from one address after AXES_FAILURE_LIMIT failures, an address for every account after
AXES_IP_FAILURE_LIMIT; the right password does not get through a lock; a registry administrator
unlocks from the admin; the page says in French when to retry and whom to ask; API tokens are
not concerned.

Attempts live in the database (axes' database handler): each test's transaction is rolled back,
so no lockout leaks into another test.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from structures.permissions import REGISTRY_ADMIN_GROUP
from tests.structures.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
LOGIN_PAGES = [
    pytest.param("/connexion/", "/espace/", id="staff-login"),
    pytest.param("/admin/login/", "/admin/", id="admin-login"),
]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Dozens of logins per test: the production hasher would take seconds for nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(db):
    return {name: UserFactory(username=name) for name in ("agent.cci", "agent.cma")}


def login(client, url, username, password, address=ATTACKER):
    # The admin's form sends where to go next (its hidden field); without it, LOGIN_REDIRECT_URL.
    data = {"username": username, "password": password}
    if url.startswith("/admin/"):
        data["next"] = "/admin/"
    return client.post(url, data, REMOTE_ADDR=address)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_configured_limits_are_the_documented_ones():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_IP_FAILURE_LIMIT == 20
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


@pytest.mark.parametrize(("url", "home"), LOGIN_PAGES)
def test_wrong_passwords_lock_the_account_even_with_the_right_password(client, users, url, home):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        response = login(client, url, "agent.cci", f"faux-{attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
    locked = login(client, url, "agent.cci", "faux-final")
    assert locked.status_code == 429
    right = login(client, url, "agent.cci", PASSWORD)
    assert right.status_code == 429
    assert not is_logged_in(client)
    assert right["Retry-After"] == str(30 * 60)


@pytest.mark.parametrize(("url", "home"), LOGIN_PAGES)
def test_other_accounts_and_other_addresses_are_not_locked(client, users, url, home):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, url, "agent.cci", f"faux-{attempt}")
    assert login(client, url, "agent.cci", PASSWORD).status_code == 429

    other_account = login(client, url, "agent.cma", PASSWORD)
    assert other_account.status_code == 302
    assert other_account["Location"] == home
    client.logout()
    other_address = login(client, url, "agent.cci", PASSWORD, address=ELSEWHERE)
    assert other_address.status_code == 302
    assert is_logged_in(client)


def test_an_address_trying_many_accounts_is_locked_for_every_account(client, users):
    # A password spray: never AXES_FAILURE_LIMIT failures on one account, yet the address is
    # locked once it reaches AXES_IP_FAILURE_LIMIT failures in all.
    per_account = settings.AXES_FAILURE_LIMIT - 1
    sprayed = [f"victime{n}" for n in range(settings.AXES_IP_FAILURE_LIMIT // per_account + 1)]
    failures = 0
    for name in sprayed:
        for attempt in range(per_account):
            if failures == settings.AXES_IP_FAILURE_LIMIT - 1:
                break
            assert login(client, "/connexion/", name, f"faux-{attempt}").status_code == 200
            failures += 1
    assert login(client, "/connexion/", "agent.cma", PASSWORD).status_code == 302
    client.logout()
    assert login(client, "/connexion/", "inconnu", "faux").status_code == 429  # the 20th
    assert login(client, "/connexion/", "agent.cma", PASSWORD).status_code == 429
    # The same accounts from elsewhere are not locked.
    assert login(client, "/connexion/", "agent.cma", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_lockout_page_is_in_french_and_says_when_and_whom(client, users, settings):
    settings.LOGIN_LOCKOUT_CONTACT = "registre@example.org"
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "/connexion/", "agent.cci", f"faux-{attempt}")
    assert response.status_code == 429
    assert "site/login_locked.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion temporairement bloquée" in html
    assert "même avec le bon mot de passe" in html
    retry_at = response.context["retry_at"].strftime("%H:%M")
    assert f"Vous pourrez réessayer dans 30 minutes, à partir de {retry_at}." in html
    assert "administrateur du registre" in html
    assert 'href="mailto:registre@example.org"' in html


def test_a_registry_administrator_unlocks_from_the_admin(client, users):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "/connexion/", "agent.cci", f"faux-{attempt}")
    assert login(client, "/connexion/", "agent.cci", PASSWORD).status_code == 429

    call_command("setup_staff_groups", stdout=None)
    admin = UserFactory(username="admin.registre")
    admin.groups.add(Group.objects.get(name=REGISTRY_ADMIN_GROUP))
    attempt = AccessAttempt.objects.get(username="agent.cci", ip_address=ATTACKER)
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(admin)
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "agent.cci" in listing.content.decode()
    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.filter(username="agent.cci").exists()

    unlocked = login(client, "/connexion/", "agent.cci", PASSWORD)
    assert unlocked.status_code == 302
    assert is_logged_in(client)


def test_structure_staff_cannot_unlock(client, users):
    call_command("setup_staff_groups", stdout=None)
    client.force_login(users["agent.cma"])
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_a_success_before_the_limit_clears_the_account_failures(client, users):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "/connexion/", "agent.cci", f"faux-{attempt}")
    assert login(client, "/connexion/", "agent.cci", PASSWORD).status_code == 302
    client.logout()
    # The count starts again: four more failures do not lock.
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "/connexion/", "agent.cci", f"faux-{attempt}").status_code == 200


def test_api_tokens_are_not_concerned(client, users):
    from rest_framework.test import APIClient

    from structures.models import ApiToken

    for attempt in range(settings.AXES_IP_FAILURE_LIMIT):
        login(client, "/connexion/", f"victime{attempt}", "faux")
    assert login(client, "/connexion/", "agent.cci", PASSWORD).status_code == 429

    _token, key = ApiToken.issue(user=users["agent.cci"], name="Agence", scope=[])
    api = APIClient(REMOTE_ADDR=ATTACKER)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/structures/").status_code == 200
    before = AccessAttempt.objects.count()
    api.credentials(HTTP_AUTHORIZATION="Token mauvaise-cle")
    assert api.get("/api/v1/structures/").status_code == 401
    assert AccessAttempt.objects.count() == before
