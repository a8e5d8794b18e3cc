"""Fixtures shared by every app's tests. Factories live in core/tests/factories.py."""

import pytest
from django.db import connection

from core.tests.factories import make_business, make_user
from core.tests.matrix import Actors


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_switches(settings):
    settings.ERP_DEMO_MODE = False
    settings.ERP_ENFORCE_PACKAGES = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (the local-memory cache) start from zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def business(db):
    return make_business(name="Acme Trading", locations=2)


@pytest.fixture
def other_business(db):
    return make_business(name="Other Co", locations=1)


@pytest.fixture
def admin_user(business):
    return make_user(business, admin=True, username="boss")


@pytest.fixture
def actors(business):
    """Users of `business` with chosen permissions, each with an authenticated API client."""
    return Actors(business)


@pytest.fixture
def other_actors(other_business):
    return Actors(other_business)


@pytest.fixture
def api(actors):
    """A client of the business admin."""
    return actors.client(admin=True)


def pytest_collection_modifyitems(config, items):
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
