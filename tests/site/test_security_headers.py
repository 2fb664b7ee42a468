"""Security headers: the Content-Security-Policy (django-csp) and Permissions-Policy on the pages,
the admin, the API documentation and API answers; no inline script or style left in templates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from core.security import permissions_policy_header, tile_sources
from tests.structures.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict(directives: dict[str, list[str]]) -> None:
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert "'unsafe-eval'" not in " ".join(s for v in directives.values() for s in v)


def assert_permissions_policy(response) -> None:
    features = dict(
        item.split("=", 1) for item in response["Permissions-Policy"].replace(" ", "").split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_a_public_page(client):
    response = client.get("/")
    assert response.status_code == 200
    directives = policy(response)
    assert_strict(directives)
    assert directives["style-src"] == ["'self'"]
    # The map tiles, from MAP_TILE_URL (default: OpenStreetMap's tile server).
    assert directives["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert_permissions_policy(response)


def test_an_admin_page(client):
    client.force_login(UserFactory(superuser=True))
    for url in ("/admin/", "/admin/structures/structure/", "/admin/login/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_strict(policy(response))
        assert_permissions_policy(response)


def test_swagger_ui_has_no_inline_script(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert_strict(policy(page))
    html = page.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    # The initialisation script is a request of its own, under the same policy.
    init = client.get("/api/v1/docs/?script=")
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in init.content.decode()


def test_redoc_allows_only_its_own_nonced_styles(client):
    page = client.get("/api/v1/redoc/")
    assert page.status_code == 200
    directives = policy(page)
    assert directives["script-src"] == ["'self'"]
    nonce = re.search(r'data-nonce="([^"]+)"', page.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives["style-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["worker-src"] == ["'self'", "blob:"]
    assert "fonts.googleapis.com" not in page.content.decode()
    # A nonce per response.
    again = client.get("/api/v1/redoc/")
    assert re.search(r'data-nonce="([^"]+)"', again.content.decode()).group(1) != nonce


def test_an_api_json_answer(client):
    response = client.get("/api/v1/territories/?level=region")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert_strict(policy(response))
    assert_permissions_policy(response)


def test_tile_sources_follow_the_tile_url():
    assert tile_sources("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == [
        "https://tile.openstreetmap.org"
    ]
    assert tile_sources("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png?key=k") == [
        "https://*.tile.example.org:8443"
    ]
    assert tile_sources("") == []
    assert tile_sources("/tiles/{z}/{x}/{y}.png") == []


def test_permissions_policy_header_format():
    assert permissions_policy_header(
        {"camera": [], "fullscreen": ["self", "https://a.example"]}
    ) == ('camera=(), fullscreen=(self "https://a.example")')


def test_img_src_is_derived_from_the_map_tile_setting():
    env = {
        **os.environ,
        "MAP_TILE_URL": "https://{s}.tuiles.example.fr/{z}/{x}/{y}.png",
        "DJANGO_SETTINGS_MODULE": "registry.settings",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "'self'",
        "data:",
        "https://*.tuiles.example.fr",
    ]


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=\"", re.I)


def test_no_template_has_an_inline_script_or_style():
    offenders = []
    for directory in TEMPLATE_DIRS:
        if ".venv" in directory.parts:
            continue
        for path in directory.rglob("*.html"):
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, INLINE_STYLE):
                offenders += [
                    f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)
                ]
    assert offenders == []


def test_no_admin_column_has_an_inline_style():
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("core", "territories", "structures", "smes", "demo", "web", "registry")
        for path in (ROOT / package).rglob("*.py")
        if "style=" in path.read_text()
    ]
    assert offenders == []


def test_the_browsable_api_alone_may_use_inline_styles(client):
    page = client.get("/api/v1/territories/?level=region", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    directives = policy(page)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]
    assert "<script>" not in page.content.decode()
    json_answer = client.get("/api/v1/territories/?level=region")
    assert policy(json_answer)["style-src"] == ["'self'"]
