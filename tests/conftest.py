"""Session set-up: a small real subset of the territory reference, loaded once.

Every test that touches the database sees the real régions, départements, EPCIs, communes and
postal codes of a few départements (chosen for the cases the product must handle: Montpellier
and the Hérault, the 13100 postal code shared by five communes, Paris and Lyon with their
arrondissements, both Corsican départements, Guadeloupe overseas, Évry-Courcouronnes) and every
country. Tests marked ``full_reference`` load the rest inside their own transaction.
"""

import pytest

SUBSET_DEPARTEMENTS = ("13", "2A", "2B", "30", "34", "69", "75", "91", "971")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from territories.services import load_vendored_reference

    with django_db_blocker.unblock():
        load_vendored_reference(departements=SUBSET_DEPARTEMENTS)


@pytest.fixture
def territory():
    """Fetch a loaded territory: ``territory("commune", "34172")``."""
    from territories.models import Territory

    def get(level: str, code: str) -> Territory:
        return Territory.objects.get(level=level, code=code)

    return get


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Process caches of reference tables must not leak rows a rolled-back test created."""
    from structures.relay import reference

    reference.clear_all()
    yield
    reference.clear_all()
