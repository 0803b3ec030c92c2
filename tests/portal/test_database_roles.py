"""Append-only for real on PostgreSQL (SPEC § 2 "Audit event", § 6 v2 "Database roles"): the runtime role cannot
rewrite, empty or unguard the audit trail and the quota ledger. Migrations run as the owner role.

These tests connect to the test database as DATABASE_RUNTIME_ROLE (no password on trust auth, else
DATABASE_RUNTIME_PASSWORD). `.ci/run` creates the two roles and runs them.
"""

import os

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from portal import db_roles, db_triggers

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


@pytest.fixture
def runtime():
    """A psycopg connection to the test database as the runtime role."""
    if connection.vendor != "postgresql":
        pytest.skip("Database roles exist on PostgreSQL only (SQLite keeps its triggers).")
    if not settings.DATABASE_RUNTIME_ROLE:
        pytest.skip("No runtime role configured: set DATABASE_RUNTIME_ROLE (or MIGRATION_DATABASE_URL).")
    import psycopg

    params = connection.settings_dict
    conn = psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        dbname=params["NAME"],
        user=settings.DATABASE_RUNTIME_ROLE,
        password=os.environ.get("DATABASE_RUNTIME_PASSWORD") or None,
    )
    yield conn
    conn.close()


def _refused(conn, sql: str) -> str:
    """Run `sql` as the runtime role; return PostgreSQL's refusal (and fail if there is none)."""
    import psycopg

    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    except psycopg.errors.InsufficientPrivilege as error:
        conn.rollback()
        return str(error)
    conn.rollback()
    pytest.fail(f"The runtime role was allowed to run: {sql}")


@pytest.mark.parametrize("table", db_triggers.APPEND_ONLY_TABLES)
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE {table}",
        "TRUNCATE {table} CASCADE",
        "DELETE FROM {table}",
        "UPDATE {table} SET id = id",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
        "DROP TRIGGER {table}_append_only ON {table}",
        "CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN RETURN NULL; END; $$ "
        "LANGUAGE plpgsql",
        "ALTER TABLE {table} OWNER TO CURRENT_USER",
        "DROP TABLE {table}",
    ],
    ids=[
        "truncate",
        "truncate-cascade",
        "delete",
        "update",
        "disable-triggers",
        "disable-the-trigger",
        "drop-trigger",
        "replace-trigger-function",
        "take-ownership",
        "drop-table",
    ],
)
def test_the_runtime_role_cannot_rewrite_empty_or_unguard_an_append_only_table(runtime, table, sql):
    refusal = _refused(runtime, sql.format(table=table))
    assert "permission denied" in refusal or "must be owner" in refusal


def test_the_runtime_role_still_reads_both_tables_and_appends_to_the_audit_trail(runtime):
    with runtime.cursor() as cursor:
        for table in db_triggers.APPEND_ONLY_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constant table names)
        cursor.execute(
            "INSERT INTO portal_auditevent (verb, target_type, target_id, target_repr, payload, created_at) "
            "VALUES ('role.checked', 'portal.check', '1', 'check', '{}', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] > 0
    runtime.rollback()


def test_the_runtime_role_reads_and_writes_ordinary_tables(runtime):
    with runtime.cursor() as cursor:
        cursor.execute("UPDATE portal_agency SET name = name")
        cursor.execute("DELETE FROM portal_organisation WHERE name = 'no such organisation'")
    runtime.rollback()


def test_the_runtime_role_owns_no_table(runtime):
    with runtime.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tableowner = current_user")
        assert cursor.fetchall() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrate_connects_as_the_owner_role_and_then_goes_back(runtime):
    """`as_owner` (used by the migrate command) swaps the credentials for the block, keeping the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        before = cursor.fetchone()[0]
    swapped = {**connection.settings_dict, "USER": settings.DATABASE_RUNTIME_ROLE, "PASSWORD": ""}
    with override_settings(MIGRATION_DATABASE=swapped), db_roles.as_owner("default"), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        assert cursor.fetchone() == (settings.DATABASE_RUNTIME_ROLE, connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == before


def test_granting_refuses_a_runtime_role_that_is_the_owner(runtime):
    from django.core.exceptions import ImproperlyConfigured

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with override_settings(DATABASE_RUNTIME_ROLE=owner), pytest.raises(ImproperlyConfigured, match="owner"):
        db_roles.grant_runtime_privileges()
