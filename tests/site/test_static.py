"""Static files: production storage hashes and compresses them (whitenoise serves them with
far-future cache headers); the vendored Leaflet ships with its licence."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_vendored_leaflet_has_its_licence():
    leaflet = Path(settings.BASE_DIR) / "static" / "vendor" / "leaflet"
    assert "BSD 2-Clause" in (leaflet / "LICENSE").read_text()
    assert (leaflet / "leaflet.js").exists() and (leaflet / "leaflet.css").exists()


@pytest.mark.django_db
def test_collectstatic_hashes_and_compresses_the_site_files(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = (tmp_path / "staticfiles.json").read_text()
        for name in (
            "css/site.css",
            "js/map.js",
            "js/autocomplete.js",
            "vendor/leaflet/leaflet.js",
        ):
            assert f'"{name}"' in manifest
        hashed_css = next((tmp_path / "css").glob("site.*.css"))
        assert Path(f"{hashed_css}.gz").exists()
        assert list((tmp_path / "vendor" / "leaflet").glob("leaflet.*.js.gz"))
