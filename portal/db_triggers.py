"""Database triggers that make tables append-only (the audit trail, the quota ledger), per engine.

Row UPDATE and DELETE are rejected. PostgreSQL's TRUNCATE (used by the test runner's flush) is a
statement, not a row change: the owner role may still run it, the application's runtime role may not, nor
alter these triggers (portal/db_roles.py grants it only SELECT and INSERT on these tables).
"""

AUDIT_TABLE = "portal_auditevent"
LEDGER_TABLE = "agreements_ledgerentry"
APPEND_ONLY_TABLES = (AUDIT_TABLE, LEDGER_TABLE)
MESSAGE = "{table} is append-only"


def _postgresql(table: str, *, create: bool) -> list[str]:
    name = f"{table}_append_only"
    if not create:
        return [f"DROP TRIGGER IF EXISTS {name} ON {table};", f"DROP FUNCTION IF EXISTS {name}();"]
    return [
        f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE.format(table=table)}' USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();",
    ]


def _sqlite(table: str, *, create: bool) -> list[str]:
    statements = []
    for operation in ("UPDATE", "DELETE"):
        name = f"{table}_no_{operation.lower()}"
        if create:
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(table=table)}'); END;"
            )
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name};")
    return statements


def statements(vendor: str, table: str, *, create: bool) -> list[str]:
    if vendor == "postgresql":
        return _postgresql(table, create=create)
    if vendor == "sqlite":
        return _sqlite(table, create=create)
    raise NotImplementedError(f"No append-only trigger for database vendor {vendor!r}")


def install(schema_editor, table: str) -> None:
    for sql in statements(schema_editor.connection.vendor, table, create=True):
        schema_editor.execute(sql)


def uninstall(schema_editor, table: str) -> None:
    for sql in statements(schema_editor.connection.vendor, table, create=False):
        schema_editor.execute(sql)
