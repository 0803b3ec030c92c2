"""On PostgreSQL a statement the portal repeats is prepared on its connection (portal/settings.py), so the server
parses and plans it once; DATABASE_PREPARED_STATEMENTS=0 (for a transaction-pooling PgBouncer) turns that off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from agreements.models import Country

ROOT = Path(__file__).resolve().parents[2]

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (SQLite has none to count)"
)


def _prepared_on_this_connection() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db
def test_a_query_run_five_times_is_prepared_and_answers_the_same():
    before = _prepared_on_this_connection()
    answers = [list(Country.objects.filter(code="IN").values_list("code", flat=True)) for _ in range(6)]
    assert _prepared_on_this_connection() > before
    assert answers == [["IN"]] * 6


def test_the_switch_turns_them_off():
    """Read from the settings a PostgreSQL deployment gets (nothing connects)."""

    def options(value: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARED_STATEMENTS"}
        env |= {"DEBUG": "1", "DATABASE_URL": "postgres://g2g@db.example.gov/g2g"}
        if value is not None:
            env["DATABASE_PREPARED_STATEMENTS"] = value
        env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
        code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    assert "'prepare_threshold': 5" in options(None)
    assert "server_side_binding" not in options("0")
