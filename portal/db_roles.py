"""Two PostgreSQL roles (SPEC § 2 "Audit event", § 6 v2 "Database roles").

The **owner** role runs migrations (`MIGRATION_DATABASE_URL`, else `DATABASE_URL`) and so owns every table; only
an owner may TRUNCATE a table, drop or disable its triggers. The **runtime** role (`DATABASE_URL`'s user, or
`DATABASE_RUNTIME_ROLE`) serves requests and must own nothing. After every `migrate` the owner grants it the
usual DML on every table, and on the append-only tables (db_triggers.APPEND_ONLY_TABLES) only SELECT and
INSERT, so that neither a bug nor an intruder in the application can rewrite, empty or unguard them.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from portal import db_triggers

DML = "SELECT, INSERT, UPDATE, DELETE"
CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def as_owner(using: str = "default") -> Iterator[None]:
    """Connect `using` as the owner role (MIGRATION_DATABASE_URL) for the block; a no-op without one.
    Only the credentials change: the database stays the connection's own (the test database, in tests)."""
    owner = settings.MIGRATION_DATABASE
    if not owner or using != "default":
        yield
        return
    connection = connections[using]
    saved = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def runtime_role() -> str:
    """The runtime role's name, or "" when the deployment runs with one role (development, SQLite)."""
    return settings.DATABASE_RUNTIME_ROLE


def statements(*, schema: str, role: str, tables: list[str]) -> list[str]:
    """Idempotent GRANT/REVOKE statements leaving `role` exactly the privileges it needs."""
    append_only = [table for table in db_triggers.APPEND_ONLY_TABLES if table in tables]
    sql = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT {DML} ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # Tables the owner creates outside `migrate` (e.g. createcachetable) get the usual DML too.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {DML} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    for table in append_only:
        sql.append(f"REVOKE ALL ON {table} FROM PUBLIC")
        sql.append(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM {role}")
    return sql


def grant_runtime_privileges(using: str = "default") -> list[str]:
    """Run as the owner (inside `migrate`): give the runtime role its privileges. Returns the statements run."""
    connection = connections[using]
    role = runtime_role()
    if connection.vendor != "postgresql" or not role:
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        _check_separate(cursor, owner=owner, role=role)
        tables = connection.introspection.table_names(cursor)
        run = statements(schema=quote(schema), role=quote(role), tables=tables)
        for sql in run:
            cursor.execute(sql)
    return run


def _check_separate(cursor, *, owner: str, role: str) -> None:
    """The runtime role must not be, contain or inherit the owner: owners can always TRUNCATE."""
    if owner == role:
        raise ImproperlyConfigured(
            f"Migrations are running as the runtime role {role!r}, which would then own the append-only tables "
            "and could empty them: set MIGRATION_DATABASE_URL to the owner role."
        )
    cursor.execute(
        "SELECT rolsuper, pg_has_role(rolname, current_user, 'MEMBER') FROM pg_roles WHERE rolname = %s", [role]
    )
    row = cursor.fetchone()
    if row is None:
        raise ImproperlyConfigured(
            f"The runtime database role {role!r} does not exist: create it (LOGIN, no other rights)."
        )
    if row[0] or row[1]:
        raise ImproperlyConfigured(
            f"The runtime database role {role!r} is a superuser or a member of the owner role {owner!r}: "
            "it could empty the append-only tables. Give it LOGIN only."
        )


def on_post_migrate(sender, using: str = "default", **kwargs) -> None:
    grant_runtime_privileges(using=using)


def check_roles_configured(app_configs=None, **kwargs) -> list:
    """Deployment check: on PostgreSQL, a runtime role separate from the owner is configured."""
    from django.core.checks import Warning

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or runtime_role():
        return []
    return [
        Warning(
            "The application connects to PostgreSQL with one role, which owns the audit trail and the quota "
            "ledger and so can TRUNCATE them or disable their triggers.",
            hint="Set MIGRATION_DATABASE_URL to an owner role and DATABASE_URL to a separate runtime role "
            "(README, 'Two database roles').",
            id="portal.W001",
        )
    ]
