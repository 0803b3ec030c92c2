"""The two database roles from the environment (SPEC § 6 v2): the deployment check asks for them on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-enough-entropy-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "portal.example.gov",
}
ROLE_VARIABLES = {
    "DEBUG",
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "DATABASE_RUNTIME_ROLE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ROLE_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **PRODUCTION, **env},
        capture_output=True,
        text=True,
    )


def test_one_role_owning_the_append_only_tables_fails_the_deployment_check():
    result = _check(DATABASE_URL="postgres://g2g@db.example.gov/g2g")
    assert result.returncode != 0
    assert "portal.W001" in result.stderr + result.stdout


def test_an_owner_and_a_runtime_role_pass_it():
    result = _check(
        DATABASE_URL="postgres://g2g_app@db.example.gov/g2g",
        MIGRATION_DATABASE_URL="postgres://g2g_owner@db.example.gov/g2g",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_migration_url_for_another_database_is_refused_at_start():
    result = _check(
        DATABASE_URL="postgres://g2g_app@db.example.gov/g2g",
        MIGRATION_DATABASE_URL="postgres://g2g_owner@db.example.gov/other",
    )
    assert result.returncode != 0
    assert "must name the same database" in result.stderr
