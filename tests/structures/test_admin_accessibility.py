"""The admin pages of the staff journey name every input (the browser journey runs axe-core on
them: tests/browser/test_staff_editing.py); here, what the server renders."""

from __future__ import annotations

import re

import pytest

from tests.structures import admin_support
from tests.structures.factories import territory

pytestmark = pytest.mark.django_db

as_user = admin_support.as_user
world = admin_support.world


def _input(html: str, id_: str) -> str:
    match = re.search(rf'<(?:select|input)[^>]*id="{re.escape(id_)}"[^>]*>', html)
    assert match, id_
    return match.group(0)


def test_tabular_inline_inputs_are_named_by_their_column(world, as_user):
    world.herault_offer.markets.create(country=territory("country", "MA"))
    client = as_user(world.alice)
    html = client.get(
        f"/admin/structures/structure/{world.herault.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert 'aria-label="Service"' in _input(html, "id_offers-0-service")
    assert 'aria-label="Actif"' in _input(html, "id_offers-0-is_active")
    assert 'aria-label="Supprimer"' in _input(html, "id_offers-0-DELETE")
    # Hidden inputs (the row's version) need none.
    assert "aria-label" not in _input(html, "id_offers-0-loaded_version")
    html = client.get(
        f"/admin/structures/offer/{world.herault_offer.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert 'aria-label="Statut"' in _input(html, "id_markets-0-status")
    assert 'aria-label="Pays"' in _input(html, "id_markets-0-country")
    # The row a click adds is a copy of the empty one: named too.
    assert 'aria-label="Statut"' in _input(html, "id_markets-__prefix__-status")


def test_the_autocomplete_search_boxes_get_their_field_s_name(world, as_user):
    html = (
        as_user(world.alice)
        .get(f"/admin/structures/offer/{world.herault_offer.pk}/change/")
        .content.decode()
    )
    assert re.search(r'<script src="[^"]*js/admin-select2-labels\.[^"]*js" defer>', html)
