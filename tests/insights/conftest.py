"""Fixtures of the insights tests: an API client with fresh throttles."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture
def api():
    cache.clear()  # throttle counters live in the cache
    yield APIClient()
    cache.clear()
