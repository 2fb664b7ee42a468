import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_health_endpoint_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_page_and_footer_link_to_sources(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert 'href="/sources/"' in html
    assert "communes" in html


def test_sources_page_lists_licences(client):
    html = client.get("/sources/").content.decode()
    assert "Licence Ouverte" in html
    assert "CC BY 4.0" in html or "Creative Commons" in html
    assert "GeoNames" in html


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
            "ALLOWED_HOSTS": "registre.example.org",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", env={"DJANGO_ENV": "production", "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("timeout", ["0", "2.5", "-1"])
def test_a_sirene_timeout_beyond_two_seconds_is_refused(timeout):
    # A search page waits for SIRENE at most this long: more than 2 s is a configuration error.
    result = _manage("check", env={"SIRENE_API_TIMEOUT": timeout})
    assert result.returncode != 0
    assert "SIRENE_API_TIMEOUT" in result.stderr
