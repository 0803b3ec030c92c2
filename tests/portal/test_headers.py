"""Response headers and assets: a Content-Security-Policy with no inline script on every page, `no-store` on API
data, no server banner, and API docs that load nothing from another host."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# A <script> element that runs code written in the page: no src, and not a JSON data block.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
# Every address a page asks the browser to load or go to.
ADDRESSES = re.compile(r"""\b(?:src|href|action|spec-url)=["']([^"']*)["']""", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def assert_strict_csp(response):
    policy = directives(response)
    script = policy.get("script-src", policy.get("default-src"))
    assert script == ["'self'"], policy
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def assert_no_inline_script(html: str):
    assert not INLINE_SCRIPT.findall(html), INLINE_SCRIPT.findall(html)


def assert_only_own_addresses(html: str):
    foreign = [a for a in ADDRESSES.findall(html) if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", a, re.IGNORECASE)]
    assert not foreign, foreign


def signed_in(*roles, **membership) -> Client:
    client = Client()
    client.force_login(make_user(*roles, **membership))
    return client


def test_the_sign_in_page_has_a_strict_policy_and_no_inline_script():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_no_inline_script(response.content.decode())


def test_exporter_pages_have_no_inline_script():
    exporter = make_user("exporter", organisation="Acme AI Systems Inc.")
    application = f.draft(exporter)
    client = Client()
    client.force_login(exporter)
    for url in ("/applications/", "/applications/new/", f"/applications/{application.pk}/", "/licences/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_csp(response)
        assert_no_inline_script(response.content.decode())
        assert_only_own_addresses(response.content.decode())


def test_admin_pages_have_no_inline_script():
    application = f.submitted(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = signed_in("licensing_officer")
    for url in ("/admin/", "/admin/licensing/application/", f"/admin/licensing/application/{application.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_csp(response)
        assert_no_inline_script(response.content.decode())


def test_templates_carry_no_inline_script():
    for template in (ROOT / "templates").rglob("*.html"):
        assert_no_inline_script(template.read_text())


def test_api_data_is_never_stored_by_caches():
    client = APIClient()
    client.force_authenticate(make_user("exporter", organisation="Acme AI Systems Inc."))
    for url in ("/api/v1/applications/", "/api/v1/products/", "/api/v1/no-such-thing/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert_strict_csp(response)
    assert "no-store" in APIClient().post("/api/v1/auth/token/", {}, format="json")["Cache-Control"]


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_load_nothing_from_another_host(url):
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_strict_csp(response)
    assert_no_inline_script(html)
    assert_only_own_addresses(html)
    assert "/static/drf_spectacular_sidecar/" in html


def test_the_swagger_page_scripts_are_served_by_the_portal():
    client = Client()
    html = client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert len(scripts) == 3, scripts
    init = next(src for src in scripts if "script" in src and "sidecar" not in src)
    response = client.get(init.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in response.content.decode()
    assert "/api/v1/schema/" in response.content.decode()


def test_the_sidecar_assets_are_found_by_the_static_files_finders():
    from django.contrib.staticfiles import finders

    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    ):
        assert finders.find(asset), asset


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_with_the_repository_config_sends_no_server_banner():
    port = _free_port()
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "portal.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/portal/portal.css", timeout=2) as answer:
                    headers = answer.headers
                    break
            except urllib.error.HTTPError as refusal:
                headers = refusal.headers
                break
            except OSError:
                time.sleep(0.1)
        assert headers is not None, server.stderr.read1().decode() if server.poll() is not None else "no answer"
        assert "Server" not in headers, headers["Server"]
    finally:
        server.terminate()
        server.wait(timeout=10)
