import pytest

from tests.site.data import Registry, build_registry


@pytest.fixture
def registry(db) -> Registry:
    """The small published registry of ``tests.site.data`` (CCI Hérault, a club, CCI du Gard)."""
    return build_registry()
