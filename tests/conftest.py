import pytest
from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations
from rest_framework.test import APIClient

from portal import db_triggers
from tests.factories import make_user

# SQLite's flush (between transactional tests) is DELETE FROM, which the append-only trigger rejects, as it
# should. Let the test runner's flush lift the trigger for its own statement and put it straight back.
_sqlite_sql_flush = SQLiteOperations.sql_flush


def _sql_flush_keeping_audit_trigger(self, style, tables, **kwargs):
    statements = _sqlite_sql_flush(self, style, tables, **kwargs)
    if db_triggers.AUDIT_TABLE not in tables:
        return statements
    return [*db_triggers.SQLITE_DROP, *statements, *db_triggers.SQLITE_CREATE]


SQLiteOperations.sql_flush = _sql_flush_keeping_audit_trigger


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for(api):
    """An API client authenticated as a user with the given roles (and membership)."""

    def build(*roles, organisation=None, agency=None, username=None):
        user = make_user(*roles, organisation=organisation, agency=agency, username=username)
        client = APIClient()
        client.force_authenticate(user)
        client.user = user
        return client

    return build
