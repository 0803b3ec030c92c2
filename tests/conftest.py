import pytest
from django.db import connection
from rest_framework.test import APIClient

from portal import db_triggers
from tests.factories import make_user

AXE_FROM_WORKERS: list[tuple[int, list[str]]] = []  # (page checks, summary lines) handed over by each xdist worker


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the reference data it flushed (serialized_rollback). One that does
    not lets the flush re-run post_migrate, which recreates the role groups under new keys, and every later
    restore then fails on a duplicate group name — an error that shows only under some test orders."""
    unserialized = [
        item.nodeid
        for item in items
        for marker in item.iter_markers("django_db")
        if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback")
    ]
    if unserialized:
        raise pytest.UsageError(
            "transactional tests must restore the reference data (serialized_rollback=True): " + ", ".join(unserialized)
        )


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_keeps_append_only_triggers():
    """SQLite's flush between transactional tests is DELETE FROM, which the append-only triggers reject, as
    they should. Let the test runner's flush lift them for its own statements and put them straight back."""
    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        guarded = [table for table in (db_triggers.AUDIT_TABLE, db_triggers.LEDGER_TABLE) if table in tables]
        drop = [sql for table in guarded for sql in db_triggers.statements("sqlite", table, create=False)]
        create = [sql for table in guarded for sql in db_triggers.statements("sqlite", table, create=True)]
        return [*drop, *statements, *create]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = original


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


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded documents go to a folder of the test's own, never the project's media/ (issue 14)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""  # no scanner unless a test starts one


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Under pytest-xdist the browser tests run in workers: collect the axe results each worker hands over
    (tests/browser/conftest.py), so `make test` prints them as a single-process run does."""
    output = getattr(node, "workeroutput", {})
    if output.get("axe_checks"):
        AXE_FROM_WORKERS.append((output["axe_checks"], output["axe_lines"]))


def pytest_terminal_summary(terminalreporter):
    if AXE_FROM_WORKERS:
        checks = sum(count for count, _ in AXE_FROM_WORKERS)
        terminalreporter.section(f"axe-core: {checks} page checks (serious/critical fail the test)")
        for _, lines in AXE_FROM_WORKERS:
            for line in lines:
                terminalreporter.write_line(line)
