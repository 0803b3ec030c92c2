"""The HTTP figures: gunicorn as in production (`gunicorn -c gunicorn.conf.py portal.wsgi`, DEBUG off) on
loopback against the scratch database, driven by wrk (Debian's package; `make bench` installs it if missing) at
1, 8 and 32 concurrent users, each user one connection at a time with its own signed-in session or API token
(gunicorn's sync worker closes the connection after each response; wrk opens the next).

Import only after django.setup() (benchmarks.run does it): the sessions and tokens are made here, in the database
gunicorn reads. Nothing here runs in CI.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils.module_loading import import_string

from licensing.models import Application

ROOT = Path(__file__).resolve().parent.parent
USERS = (1, 8, 32)

# wrk's Lua: one request shape per script; its done() prints what the Python side parses (latencies in µs).
LUA = """
wrk.method = %(method)s
wrk.body = %(body)s
wrk.headers["Host"] = "127.0.0.1"
%(headers)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write, e.timeout))
end
"""


@dataclass
class Endpoint:
    label: str
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: str = ""


@dataclass
class Result:
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    bad_status: int
    socket_errors: int
    timeouts: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user, *, second_factor: bool = False) -> str:
    """A signed-in session for `user` in the shared session store, as the sign-in page would leave it (with the
    second factor verified for staff: django-otp's session key naming a device of theirs)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend that signed them in: the first that can read a user back (django-axes' comes first and cannot).
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(user=user, name="bench")
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def api_token(user) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user)[1]


def server_env(workers: int) -> dict[str, str]:
    drop = {"DEBUG", "DJANGO_SETTINGS_MODULE"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,  # this process's: the sessions made here are signed with it
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # loopback without TLS: the proxy's job in production
        WEB_CONCURRENCY=str(workers),
        LOG_LEVEL="WARNING",
    )
    return env


def collect_static(workers: int) -> None:
    """DEBUG off serves pages through the manifest storage: the static files are collected first (into
    STATIC_ROOT, staticfiles/, ignored by git), as a deployment does."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(command, cwd=ROOT, env=server_env(workers), check=True)  # noqa: S603


def start_gunicorn(port: int, workers: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(  # noqa: S603
        [*command, "--timeout", "120", "portal.wsgi"],
        cwd=ROOT,
        env=server_env(workers),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def wrk(port: int, endpoint: Endpoint, users: int, seconds: int, scratch: Path) -> Result:
    headers = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in endpoint.headers.items())
    script = scratch / "request.lua"
    script.write_text(
        LUA % {"method": json.dumps(endpoint.method), "body": json.dumps(endpoint.body), "headers": headers}
    )
    threads = min(users, os.cpu_count() or 1)
    command = ["wrk", "-t", str(threads), "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s"]
    done = subprocess.run(  # noqa: S603
        [*command, "-s", str(script), f"http://127.0.0.1:{port}{endpoint.path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    n, duration, p50, p95, p99, status, sockets, timeouts = (int(v) for v in line.split()[1:])
    return Result(n, duration / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, status, sockets, timeouts)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer here: urlopen raises it as an HTTPError


def check(port: int, endpoint: Endpoint) -> int:
    """One request before timing: it must answer 200 itself (a 302 to the sign-in page would time the wrong
    thing); the size of its body."""
    request = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{port}{endpoint.path}",
        data=endpoint.body.encode() if endpoint.body else None,
        headers=endpoint.headers,
        method=endpoint.method,
    )
    with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
        assert response.status == 200, (endpoint.path, response.status)
        return len(response.read())


def endpoints(users: dict, determination_body: dict) -> list[Endpoint]:
    exporter, officer, reviewer = users["exporter"], users["officer"], users["reviewer"]
    exporter_token, officer_token, reviewer_token = api_token(exporter), api_token(officer), api_token(reviewer)
    exporter_session = session_cookie(exporter)
    officer_session = session_cookie(officer, second_factor=True)
    # The exporter's newest filed application (a draft's page differs: it works out the certifications to affirm).
    newest = (
        Application.objects.filter(organisation_id=exporter.membership.organisation_id, acn__isnull=False)
        .order_by("-id")
        .first()
    )
    open_cases = "status=submitted&status=under_review&status=info_requested&status=referred"

    def token(value: str) -> dict[str, str]:
        return {"Authorization": f"Token {value}"}

    return [
        Endpoint("API list, exporter (own organisation)", "/api/v1/applications/", token(exporter_token)),
        Endpoint("API list, officer, open cases", f"/api/v1/applications/?{open_cases}", token(officer_token)),
        Endpoint("API list, agency reviewer (referred)", "/api/v1/applications/", token(reviewer_token)),
        Endpoint(
            f"exporter page: application {newest.acn}", f"/applications/{newest.pk}/", {"Cookie": exporter_session}
        ),
        Endpoint("exporter page: inbox", "/inbox/", {"Cookie": exporter_session}),
        Endpoint("exporter page: applications", "/applications/", {"Cookie": exporter_session}),
        Endpoint("exporter page: licences", "/licences/", {"Cookie": exporter_session}),
        Endpoint("admin queue (open cases)", "/admin/licensing/application/", {"Cookie": officer_session}),
        Endpoint(
            "API determination (POST)",
            "/api/v1/determinations/",
            {**token(exporter_token), "Content-Type": "application/json"},
            method="POST",
            body=json.dumps(determination_body),
        ),
    ]


def http(users: dict, determination_body: dict, seconds: int, workers: int | None, target) -> None:
    """Every endpoint at 1, 8 and 32 users; the target is p95 ≤ 100 ms at 8."""
    out = print
    if shutil.which("wrk") is None:
        out("HTTP: wrk is not installed (Debian package wrk; `make bench` installs it): not measured")
        out()
        return
    workers = workers or int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0]  # noqa: S607
    listed = endpoints(users, determination_body)
    port = _free_port()
    collect_static(workers)
    with tempfile.TemporaryDirectory(prefix="g2g-bench-http-") as scratch:
        log_path = Path(scratch) / "gunicorn.log"
        with open(log_path, "w+") as log:
            server = start_gunicorn(port, workers, log)
            try:
                out(f"HTTP: gunicorn -c gunicorn.conf.py, {workers} sync workers (2 × nproc + 1, or WEB_CONCURRENCY),")
                out(f"  DEBUG off, on loopback; load from {version.strip()}, {seconds} s per figure after one untimed")
                out("  request; each user is one connection at a time (the sync worker closes it after each response),")
                out("  signed in (API: token; pages: session cookie)")
                for endpoint in listed:
                    size = check(port, endpoint)
                    out(f"  {endpoint.label}: {endpoint.method} {endpoint.path.split('?')[0]} ({size:,} bytes)")
                    for n in USERS:
                        r = wrk(port, endpoint, n, seconds, Path(scratch))
                        errors = r.bad_status + r.socket_errors + r.timeouts
                        line = (
                            f"    {n:2d} users  {r.throughput:7.1f} req/s  p50 {r.p50:7.1f} ms  p95 {r.p95:7.1f} ms  "
                            f"p99 {r.p99:7.1f} ms  {r.requests:6,} requests"
                        )
                        line += f"  {errors} errors (status {r.bad_status}, timeouts {r.timeouts})" if errors else ""
                        if n == 8:
                            met = r.p95 <= 100 and not errors
                            line += "  " + target(
                                f"HTTP p95 ≤ 100 ms at 8 users: {endpoint.label}", met, f"p95 {r.p95:.1f} ms"
                            )
                        out(line, flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)
            log.seek(0)
            errors = [line for line in log.read().splitlines() if "Traceback" in line or "[ERROR]" in line]
            if errors:
                out(f"  gunicorn logged {len(errors)} errors, e.g. {errors[0]}")
    out()
