"""Run the benchmark from a fresh clone: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/g2g_bench make bench`
(or `python -m benchmarks.run`). By hand only, never in CI.

1. creates the database if missing and migrates it;
2. seeds `--applications` (100,000) with `manage.py seed_bulk` unless that many are already there, then ANALYZE;
3. copies it to a scratch database (CREATE DATABASE … TEMPLATE), so every run starts from the same data and the
   approvals it makes are thrown away with the copy;
4. prints every figure (benchmarks/figures.py; the HTTP ones, gunicorn under wrk, in benchmarks/http.py) and
   the targets met or missed.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("lists", "determinations", "admin", "approvals", "bulk", "preview", "http")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str) -> psycopg.Connection:
    """A connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    return psycopg.connect(_with_database(url, "postgres"), autocommit=True)


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": os.environ.get("DEBUG", "1")}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(url: str, applications: int) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _admin(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            print(f"Creating database {name}…", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    _manage(url, "migrate", "--noinput", "-v", "0")
    _manage(url, "createcachetable")
    with psycopg.connect(url, autocommit=True) as conn:
        present = conn.execute("SELECT count(*) FROM licensing_application").fetchone()[0]
        if present < applications:
            print(f"Seeding {applications - present:,} applications ({present:,} present)…", flush=True)
            began = time.monotonic()
            _manage(url, "seed_bulk", "--applications", str(applications - present))
            print(f"Seeded in {time.monotonic() - began:.0f} s.", flush=True)
            conn.execute("VACUUM ANALYZE")
        else:
            print(f"{present:,} applications present: not seeding.", flush=True)


def scratch_copy(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    scratch = f"{name}_scratch"
    with _admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(scratch), sql.Identifier(name)))
    return _with_database(url, scratch)


def drop(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(urlsplit(url).path.lstrip("/"))))


def measure(repeats: int, only: set[str]) -> None:
    """In this process: Django on the scratch database, then every figure."""
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)  # no collectstatic needed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from benchmarks import figures

    figures.main(repeats=repeats, only=only)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure; the median is reported")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--keep-scratch", action="store_true", help="leave the scratch copy for inspection")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # internal: the measuring child
    args = parser.parse_args()
    if args.measure:
        measure(args.repeats, set(args.only))
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a dedicated PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/g2g_bench"
        )
    prepare(url, args.applications)
    scratch = scratch_copy(url)
    try:
        env = {**os.environ, "DATABASE_URL": scratch, "DEBUG": os.environ.get("DEBUG", "1")}
        command = [sys.executable, "-m", "benchmarks.run", "--measure", "--repeats", str(args.repeats), "--only"]
        subprocess.run([*command, *args.only], cwd=ROOT, env=env, check=True)  # noqa: S603
    finally:
        if not args.keep_scratch:
            drop(scratch)


if __name__ == "__main__":
    main()
