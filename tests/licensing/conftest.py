import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

# The reference data (countries, tiers, catalogue, roles) as serialized when the test database was created.
_SERIALIZED: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every factory user gets a password through the real service; a cheap hasher keeps that fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _remember_serialized_reference_data(request):
    """Keep the serialized reference data that `serialized_rollback` restores from.

    Django keeps it on the connection object, and connections are context-local: code that runs an event loop
    in the test thread (Playwright's sync API in tests/browser) can leave the thread with a fresh connection
    object without it, after which Django silently restores nothing. test_concurrency.py puts it back.
    """
    if "_django_db_helper" in request.fixturenames:
        contents = getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)
        if contents:
            _SERIALIZED[DEFAULT_DB_ALIAS] = contents


@pytest.fixture(scope="module")
def serialized_reference_data(django_db_blocker):
    """Re-attach the remembered reference data to the connection if it lost it (see above)."""
    for alias, contents in _SERIALIZED.items():
        connection = connections[alias]
        if getattr(connection, "_test_serialized_contents", None):
            continue
        # Without it, the last transactional test's flush let post_migrate refill roles and permissions: empty
        # the database again, without that, so that the restore before each test starts from nothing.
        with django_db_blocker.unblock():
            call_command("flush", verbosity=0, interactive=False, database=alias, inhibit_post_migrate=True)
        connection._test_serialized_contents = contents
