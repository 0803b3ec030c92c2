"""Dependencies point one way, licensing → agreements → portal, and ruff's banned-import rule (TID251, set in
agreements/ruff.toml and portal/ruff.toml) refuses a module that imports against the arrow."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def ruff_on(path: str, source: str) -> subprocess.CompletedProcess:
    """ruff as `make test` runs it, on `source` as though it were the file at `path` (nothing is written)."""
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", "--stdin-filename", path, "-"]
    return subprocess.run(command, input=source, capture_output=True, text=True, cwd=ROOT, check=False)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("agreements/selectors.py", "from licensing.models import Application\n"),
        ("agreements/services/probe.py", "import licensing.selectors\n"),
        ("portal/scoping.py", "from agreements.models import Agreement\n"),
        ("portal/services.py", "from licensing import selectors\n"),
    ],
)
def test_an_import_against_the_arrow_fails_lint(path, source):
    result = ruff_on(path, source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TID251" in result.stdout and "is banned" in result.stdout


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("licensing/selectors.py", "from agreements.models import Agreement\nfrom portal.models import Agency\n"),
        ("agreements/selectors.py", "from portal.models import Agency\n"),
        ("portal/urls.py", "from licensing.web.views import home\n"),  # the URL root wires every app's routes
    ],
)
def test_imports_along_the_arrow_pass(path, source):
    result = ruff_on(path, source)
    assert result.returncode == 0, result.stdout + result.stderr
