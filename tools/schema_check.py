"""A bounded schemathesis run against a live portal on a throwaway database (issue 11, item 7).

    .venv/bin/python tools/schema_check.py [--max-examples N] [--identities exporter,officer,policy]

Builds a fresh database (a temporary SQLite file, or $SCHEMA_CHECK_DATABASE_URL), loads the demo world, gives the
chosen demo identities API tokens (made in the database, so no second factor is asked), starts gunicorn with
production-style settings (DEBUG off) and runs schemathesis over /api/v1/schema/ once per identity with three
checks: no server error, responses that match the schema, and only documented status codes. Prints the figures;
exits non-zero on any failure. Bounded by --max-examples (per operation and phase) and --phases.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# A CPython 3.11 bug (gh-106905) that Hypothesis can hit while describing a strategy: the tool's error, not the API's.
CPYTHON_AST_BUG = "AST constructor recursion depth mismatch"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


# API tokens for the demo identities, made in the database: the check is about the schema, not about signing in
# (which, with DEBUG off, asks staff for a second factor). Knox tokens where knox is installed, else DRF's.
TOKENS = """
import json
from django.contrib.auth import get_user_model
try:
    from knox.models import AuthToken
    def make(user): return AuthToken.objects.create(user)[1]
except ImportError:
    from rest_framework.authtoken.models import Token
    def make(user): return Token.objects.get_or_create(user=user)[0].key
users = get_user_model().objects.filter(username__in=%r)
print(json.dumps({user.username: make(user) for user in users}))
"""


def tokens(identities: list[str], env: dict[str, str]) -> dict[str, str]:
    code = TOKENS % identities
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def settings_env(scratch: str) -> dict[str, str]:
    drop = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(
        DATABASE_URL=os.environ.get("SCHEMA_CHECK_DATABASE_URL", f"sqlite:///{scratch}/schema-check.sqlite3"),
        SECRET_KEY="schema-check-only-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
    )
    return env


def schemathesis(base: str, token: str, args: argparse.Namespace) -> subprocess.CompletedProcess:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/v1/schema/",
        f"--checks={CHECKS}",
        f"--max-examples={args.max_examples}",
        f"--phases={args.phases}",
        f"--seed={args.seed}",
        f"--header=Authorization: Token {token}",
        "--workers=2",
        "--request-timeout=60",
        "--no-color",
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def figures(output: str) -> str:
    tested = re.search(r"Tested: (\d+)", output)
    generated = re.search(r"(\d+) generated", output)
    failures = dict(re.findall(r"❌ (ST\d+ [^:]+): (\d+)", output))
    return (
        f"operations {tested.group(1) if tested else '?'}, requests {generated.group(1) if generated else '?'}, "
        f"failures {failures or 0}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("SCHEMA_CHECK_EXAMPLES", "5")))
    parser.add_argument("--phases", default=os.environ.get("SCHEMA_CHECK_PHASES", "examples,coverage,fuzzing"))
    parser.add_argument("--identities", default="exporter,officer,policy")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SCHEMA_CHECK_SEED", "1")))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="g2g-schema-check-") as scratch:
        env = settings_env(scratch)
        for command in (["migrate", "--noinput"], ["createcachetable"], ["seed_demo"]):
            subprocess.run(
                [str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(scratch) / "gunicorn.log", "w+")  # noqa: SIM115 — read back after the run
        server = subprocess.Popen(
            [str(BIN / "python"), "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "2"]
            + ["--timeout", "120", "portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"{base}/api/v1/schema/", server)
            summary, failed = [], False
            identities = args.identities.split(",")
            keys = tokens(identities, env)
            for identity in identities:
                result = schemathesis(base, keys[identity], args)
                if CPYTHON_AST_BUG in result.stdout and not re.search(r"❌ ST\d+", result.stdout):
                    print(f"== {identity}: schemathesis itself hit {CPYTHON_AST_BUG!r}; once more", flush=True)
                    # A fresh token: the first run may have signed its own out (POST /api/v1/auth/logout/).
                    result = schemathesis(base, tokens([identity], env)[identity], args)
                print(f"== schemathesis as {identity}\n{result.stdout}{result.stderr}", flush=True)
                summary.append(f"{identity}: {figures(result.stdout)}")
                failed |= result.returncode != 0
            if failed:
                log.seek(0)
                errors = [line for line in log if "Error" in line or "Traceback" in line]
                print("== server errors logged\n" + "".join(errors[-50:]))
            print("== schema check figures\n" + "\n".join(summary))
            return 1 if failed else 0
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


if __name__ == "__main__":
    sys.exit(main())
