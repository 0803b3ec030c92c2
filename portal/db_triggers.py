"""Database triggers that make the audit trail append-only, per engine.

Row UPDATE and DELETE are rejected. PostgreSQL's TRUNCATE (used by the test runner's flush) is a
statement, not a row change, and is deliberately not blocked.
"""

AUDIT_TABLE = "portal_auditevent"
MESSAGE = "audit events are append-only"

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER portal_audit_append_only
    BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION portal_audit_append_only();
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS portal_audit_append_only ON {AUDIT_TABLE};",
    "DROP FUNCTION IF EXISTS portal_audit_append_only();",
]

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS portal_audit_no_update BEFORE UPDATE ON {AUDIT_TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS portal_audit_no_delete BEFORE DELETE ON {AUDIT_TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS portal_audit_no_update;",
    "DROP TRIGGER IF EXISTS portal_audit_no_delete;",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    raise NotImplementedError(f"No append-only trigger for database vendor {vendor!r}")


def install(schema_editor) -> None:
    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql)


def uninstall(schema_editor) -> None:
    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)
