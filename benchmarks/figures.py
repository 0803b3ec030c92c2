"""Every figure of docs/performance.md, measured against a scratch copy of the seeded database.

Import only after django.setup() (benchmarks.run does it). Timed sections run with DEBUG off, so nothing is logged
per query; query counts come from a separate, untimed request. Each figure is the median over `repeats` runs;
a ratio is taken inside each run (the two sides interleaved) and its median reported.
"""

import datetime
import gc
import itertools
import json
import multiprocessing
import os
import platform
import queue
import random
import runpy
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import django
import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from benchmarks import bulk
from licensing import selectors, services
from licensing.choices import ApplicationStatus, Eccn
from licensing.management.commands.seed_bulk import Case, Chunk, Spec, World, reserve_numbers
from licensing.models import Application

User = get_user_model()
TIMED = override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], ROOT_URLCONF="benchmarks.plain")
OPEN = "status=submitted&status=under_review&status=info_requested&status=referred"
RAW_TPP = 15_832  # one H100 per raw transaction
TARGETS: list[tuple[str, bool, str]] = []  # (target, met, by how much)
# What a gunicorn worker does between two requests (gunicorn.conf.py): the in-process timings do it too, outside
# the timing, so that they meet the collector as a worker's requests do, not as a long benchmark process's do.
collect_between_requests = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))[
    "collect_between_requests"
]
_SERVED = itertools.count(1)  # this process's requests, counted as a worker counts its own


def between_requests() -> None:
    """Untimed, after each in-process request: what a worker does once the request's connection is closed."""
    collect_between_requests(next(_SERVED))


def out(line: str = "") -> None:
    print(line, flush=True)


def target(name: str, met: bool, detail: str) -> str:
    TARGETS.append((name, met, detail))
    return f"{'MET' if met else 'MISSED'} ({detail})"


def pct(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def revision() -> str:
    """The commit measured, and whether the working tree had changes on top of it (read-only git)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)  # noqa: S603, S607
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head}{' + uncommitted changes' if git('status', '--porcelain') else ''}"


def runs_text(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


# The machine


def machine() -> None:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    with open("/proc/meminfo") as f:
        memory = next(line.split()[1] for line in f if line.startswith("MemTotal"))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SELECT current_setting('shared_buffers'), current_setting('synchronous_commit')")
        buffers, sync = cursor.fetchone()
    out("Machine")
    out(f"  CPU           {cpu} × {os.cpu_count()} (nproc)")
    out(f"  memory        {int(memory) / 1024 / 1024:.1f} GiB")
    out(f"  PostgreSQL    {server} (shared_buffers {buffers}, synchronous_commit {sync})")
    out(f"  Python        {platform.python_version()}, Django {django.get_version()}")
    out(f"  load average  {load_average()} at the start (other work on the machine skews the figures)")
    out(f"  run           {timezone.now():%Y-%m-%d %H:%M} UTC, code {revision()}")
    counts = Application.objects.values("status").annotate(n=Count("id")).order_by("status")
    out(f"  applications  {sum(c['n'] for c in counts):,}: " + ", ".join(f"{c['status']} {c['n']:,}" for c in counts))
    out()


# Requests in process


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def timed_get(client: Client, url: str, *, as_worker: bool = True) -> float:
    """One request's milliseconds; then, untimed, the worker's collection between requests (unless `as_worker` is
    off: the collector left to itself, as in any long-running process)."""
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    if as_worker:
        between_requests()
    return elapsed


def queries(client: Client, url: str, method: str = "get", body: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return len(captured)


@dataclass
class Latency:
    p50: float
    p95: float

    def __str__(self) -> str:
        return f"p50 {self.p50:6.1f} ms  p95 {self.p95:6.1f} ms"


def latency(runs: list[list[float]]) -> Latency:
    return Latency(median([pct(run, 50) for run in runs]), median([pct(run, 95) for run in runs]))


# List endpoints against the plain view


def list_endpoints(users: dict, repeats: int, samples: int) -> None:
    exporter, officer, reviewer = users["exporter"], users["officer"], users["reviewer"]
    own = Application.objects.filter(organisation_id=exporter.membership.organisation_id).count()
    endpoints = [
        (f"exporter, own organisation ({own:,} applications)", exporter, ""),
        ("exporter, 21st page (cursor)", exporter, "DEEP"),
        ("officer, ?status=under_review", officer, "?status=under_review"),
        ("officer, open cases (4 statuses)", officer, f"?{OPEN}"),
        ("officer, ?agency=defense", officer, "?agency=defense"),
        ("agency reviewer (defense): referred to them", reviewer, ""),
    ]
    out("List endpoints: GET /api/v1/applications/ (50 a page) against the plain Django view, in process,")
    out(f"  {samples} requests each, interleaved, × {repeats} runs; garbage collected between requests, as a worker")
    for label, user, query in endpoints:
        client = login(user)
        api, plain = urls_for(client, query)
        same_rows(client, api, plain)
        q_api, q_plain = queries(client, api), queries(client, plain)
        for _ in range(5):  # warm caches and connections
            timed_get(client, api), timed_get(client, plain)
        runs_api, runs_plain, ratios = [], [], []
        for _ in range(repeats):
            pairs = [(timed_get(client, api), timed_get(client, plain)) for _ in range(samples)]
            runs_api.append([a for a, _ in pairs])
            runs_plain.append([p for _, p in pairs])
            ratios.append(pct(runs_plain[-1], 50) / pct(runs_api[-1], 50))
        lat_api, lat_plain, ratio = latency(runs_api), latency(runs_plain), median(ratios)
        out(f"  {label}")
        out(f"    API    {lat_api}  {q_api} queries")
        out(f"    plain  {lat_plain}  {q_plain} queries")
        fast = target(f"list p95 ≤ 100 ms: {label}", lat_api.p95 <= 100, f"p95 {lat_api.p95:.1f} ms")
        near = target(f"list ≥ 0.6 × plain: {label}", ratio >= 0.6, f"{ratio:.2f}")
        out(f"    ratio  {ratio:.2f} × the plain view's speed (target ≥ 0.6: {near}); p95 ≤ 100 ms: {fast}")
    out()


def garbage_collector(user, repeats: int, samples: int) -> None:
    """Not a target: what the collector does to the tail. The exporter's first page in blocks: collected between
    requests as a gunicorn worker does (as every in-process figure here is timed), the collector left to itself
    (as in a plain long-running process: its full collections fall inside requests and walk this whole process),
    and paused (each paused block followed by a collection outside the timing)."""
    client = login(user)
    url = "/api/v1/applications/"
    for _ in range(5):
        timed_get(client, url)
    worker, left, off = [], [], []
    for _ in range(repeats):
        worker.append([timed_get(client, url) for _ in range(samples)])
        left.append([timed_get(client, url, as_worker=False) for _ in range(samples)])
        gc.disable()
        try:
            off.append([timed_get(client, url, as_worker=False) for _ in range(samples)])
        finally:
            gc.enable()
            gc.collect()
    out(f"Tail latency: the exporter's first page, {samples} requests × {repeats} runs (not a target)")
    out(f"  collected between requests (as a gunicorn worker; every figure above and below)  {latency(worker)}")
    out(f"  the collector left to itself (a plain long-running process)                     {latency(left)}")
    out(f"  the collector paused                                                             {latency(off)}")
    out()


def urls_for(client: Client, query: str) -> tuple[str, str]:
    if query != "DEEP":
        return f"/api/v1/applications/{query}", f"/plain/applications/{query}"
    url = "/api/v1/applications/"
    for _ in range(20):
        page = client.get(url).json()
        url = page["next"]
    last_id = page["results"][-1]["id"]
    return url.replace("http://testserver", ""), f"/plain/applications/?before={last_id}"


def same_rows(client: Client, api: str, plain: str) -> None:
    from_api = [row["id"] for row in client.get(api).json()["results"]]
    from_plain = [row["id"] for row in client.get(plain).json()["results"]]
    assert from_api == from_plain and len(from_api) == 50, (api, from_api[:3], from_plain[:3])


# Determinations


def determination_body(drawing) -> dict:
    """1,700 H100 to the destination of the first application drawing on an allotment (a Tier 2 country)."""
    h100 = next(p for p in selectors.catalogue() if p.name == "H100 SXM")
    return {
        "destination": drawing.values_list("destination", flat=True).first(),
        "items": [{"product": h100.pk, "quantity": 1700}],
        "consignee": "Bench Compute LLC",
        "end_use_category": "commercial_datacenter",
    }


def determinations(user, destination: str, repeats: int, per_run: int, batch_size: int = 100) -> None:
    """One client through the API: a request at a time, then batches of `batch_size` (POST …/batch/: the facts
    of the batch gathered at once). The target is the better of the two ways the API offers."""
    client = login(user)
    body = {**determination_body(Application.objects.filter(allotment__isnull=False)), "destination": destination}
    url = "/api/v1/determinations/"
    first = queries(client, url, "post", body)  # a fresh process: the reference facts are read whole, then kept
    destinations = list(
        Application.objects.filter(allotment__isnull=False)
        .order_by("destination")
        .values_list("destination", flat=True)
        .distinct()[:batch_size]
    )
    batch = {
        "requests": [
            {**body, "destination": destinations[i % len(destinations)], "consignee": f"Bench Compute {i}"}
            for i in range(batch_size)
        ]
    }

    def post(url: str, body: dict) -> float:
        start = time.perf_counter()
        response = client.post(url, json.dumps(body), content_type="application/json")
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.content[:500]
        between_requests()
        return elapsed

    for _ in range(10):
        post(url, body)
        post(url + "batch/", batch)
    count = queries(client, url, "post", body)  # what every request after the first costs
    batch_count = queries(client, url + "batch/", "post", batch)
    runs = [[post(url, body) for _ in range(per_run)] for _ in range(repeats)]
    batch_runs = [[post(url + "batch/", batch) for _ in range(per_run // 10)] for _ in range(repeats)]
    rate = median([len(run) / (sum(run) / 1000) for run in runs])
    batch_rate = median([len(run) * batch_size / (sum(run) / 1000) for run in batch_runs])
    met = target(
        "determinations ≥ 300/s through the API, one client",
        max(rate, batch_rate) >= 300,
        f"{batch_rate:,.0f}/s in batches of {batch_size}, {rate:,.0f}/s one at a time",
    )
    out(
        f"Determinations through the API, one client (1,700 H100; {destination}, in batches {len(destinations)} places)"
    )
    out(f"  one at a time: POST {url}, {per_run} requests × {repeats} runs")
    out(f"    {rate:,.0f} determinations/s  {latency(runs)}  {count} queries ({first} the first)")
    out(f"  in batches: POST {url}batch/ with {batch_size} requests, {per_run // 10} batches × {repeats} runs")
    out(f"    {batch_rate:,.0f} determinations/s  {latency(batch_runs)} a batch  {batch_count} queries a batch")
    out(f"  {met}")
    out()


# The admin changelist


def admin_changelist(officer, repeats: int, samples: int) -> None:
    client = login(officer)
    busiest = Application.objects.values("destination").annotate(n=Count("id")).order_by("-n").first()["destination"]
    views = [
        ("open cases (the default queue)", ""),
        ("all statuses", "?status=all"),
        ("under review", "?status=under_review"),
        (f"destination {busiest}, all statuses", f"?status=all&destination__code__exact={busiest}"),
        ("officer filter", f"?status=all&officer__id__exact={officer.pk}"),
        ("referred to Defense, answer awaited", "?status=all&agency=defense:awaiting"),
        ("overdue", "?clock=overdue"),
        ("search by exporter name", "?status=all&q=Exporter+0007"),
    ]
    out("Admin changelist: GET /admin/licensing/application/ as a licensing officer (100 a page),")
    out(f"  {samples} requests × {repeats} runs, collected between requests; target ≤ 10 queries and p95 ≤ 300 ms")
    for label, query in views:
        url = f"/admin/licensing/application/{query}"
        count = queries(client, url)
        for _ in range(3):
            timed_get(client, url)
        lat = latency([[timed_get(client, url) for _ in range(samples)] for _ in range(repeats)])
        ok = count <= 10 and lat.p95 <= 300
        verdict = target(f"admin ≤ 10 queries, ≤ 300 ms: {label}", ok, f"{count} queries, p95 {lat.p95:.0f} ms")
        out(f"  {label:<40} {lat}  {count:2d} queries  {verdict}")
    out()


# Approvals: processes, each with its own connection, released together


@dataclass
class Job:
    worker: int
    items: list  # (application id, product id) to approve, or allotment ids for the raw transactions
    count: int
    approver_id: int = 0
    allotments: list = field(default_factory=list)  # raw transactions: the allotments they draw on, round-robin


def run_workers(prepare: Callable[[Job], Callable[[], int]], jobs: list[Job], waits: Counter | None = None) -> float:
    """One process per job: each prepares (connects, warms up), all start together; operations per second.
    With `waits`, samples what the workers' backends are doing every ~20 ms and adds it up there."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(jobs)), context.Queue()
    connections.close_all()
    processes = [context.Process(target=_worker, args=(prepare, job, barrier, results)) for job in jobs]
    for process in processes:
        process.start()
    outcomes = []
    with psycopg.connect(**_conninfo(), autocommit=True) as observer:
        deadline = time.monotonic() + 900
        while len(outcomes) < len(processes) and time.monotonic() < deadline:
            try:
                outcomes.append(results.get(timeout=0.02))
            except queue.Empty:
                if waits is not None:
                    waits.update(dict(observer.execute(BACKENDS).fetchall()))
    for process in processes:
        process.join(timeout=60)
    errors = [o["error"] for o in outcomes if "error" in o]
    if errors or len(outcomes) < len(processes):
        raise RuntimeError(f"a worker failed: {errors[0] if errors else 'timed out'}")
    elapsed = max(o["end"] for o in outcomes) - min(o["start"] for o in outcomes)
    return sum(o["done"] for o in outcomes) / elapsed


# What each worker's backend is doing: queued on a row lock (and on which table), in a transaction waiting for the
# Python side, running a statement (CPU, I/O, WAL flush at commit), or idle between transactions.
BACKENDS = """
SELECT CASE
         WHEN a.wait_event_type = 'Lock' THEN 'queued for a row lock on ' || coalesce(
           (SELECT l.relation::regclass::text FROM pg_locks l
             WHERE l.pid = a.pid AND NOT l.granted AND l.relation IS NOT NULL LIMIT 1),
           (SELECT l.relation::regclass::text FROM pg_locks l
             WHERE l.pid = a.pid AND l.locktype = 'tuple' AND l.granted LIMIT 1),
           'a row')
         WHEN a.state = 'idle in transaction' THEN 'in a transaction, waiting for Python'
         WHEN a.state = 'active' THEN 'running a statement or committing'
         ELSE 'between transactions (Python)'
       END, count(*)
  FROM pg_stat_activity a
 WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
 GROUP BY 1
"""


def _conninfo() -> dict:
    db = settings.DATABASES["default"]
    return {
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
    }


def _worker(prepare, job: Job, barrier, results) -> None:
    try:
        work = prepare(job)
        barrier.wait(timeout=300)
        start = time.monotonic()
        done = work()
        results.put({"start": start, "end": time.monotonic(), "done": done})
    except Exception as exc:  # reported to the parent, which stops the benchmark
        barrier.abort()
        results.put({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        connections.close_all()


def prepare_service(job: Job) -> Callable[[], int]:
    approver = User.objects.get(pk=job.approver_id)
    products = {product.pk: product for product in selectors.catalogue()}

    def approve(cases) -> int:
        for application_id, product_id, *_ in cases:
            services.application_approve(
                actor=approver,
                application=Application(pk=application_id),
                items=[{"product": products[product_id], "quantity": 1}],
            )
        return len(cases)

    approve(job.items[:2])  # warm up: caches, permissions, the connection
    return lambda: approve(job.items[2:])


def prepare_raw(job: Job) -> Callable[[], int]:
    """The minimal yardstick: one psycopg transaction per case of six statements — the licence, its line, the
    audit event and a report obligation, then lock and update the allotment and insert the ledger row — with none
    of the reading, checking and determining (and fewer writes than the service's: `prepare_raw_same`)."""
    conn = psycopg.connect(**_conninfo())
    conn.execute("SET plan_cache_mode = auto")

    def transact(cases: list) -> int:
        for i, (application_id, product_id, organisation_id, _) in enumerate(cases):
            allotment_id = job.allotments[(job.worker + i) % len(job.allotments)]
            number = f"RAW{job.worker:02d}{application_id:012d}"
            with conn.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO licensing_licence (number, application_id, organisation_id, status, conditions, "
                    "valid_from, valid_until, allotment_id, reserved_tpp, programme_version_id, obligations, "
                    "issued_by_id, issued_at, status_reason) VALUES (%s, %s, %s, 'active', '[]', current_date, "
                    "current_date + 1461, %s, %s, NULL, '[]', %s, now(), '') RETURNING id",
                    (number, application_id, organisation_id, allotment_id, RAW_TPP, job.approver_id),
                )
                licence_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO licensing_licenceline (licence_id, product_id, unit_tpp, approved_quantity, "
                    "shipped_quantity) VALUES (%s, %s, %s, 1, 0)",
                    (licence_id, product_id, RAW_TPP),
                )
                cursor.execute(
                    "INSERT INTO portal_auditevent (actor_id, verb, target_type, target_id, target_repr, payload, "
                    "created_at) VALUES (%s, 'licence.issued', 'licensing.licence', %s, %s, %s, now())",
                    (job.approver_id, str(licence_id), number, json.dumps({"reserved_tpp": RAW_TPP})),
                )
                cursor.execute(
                    "INSERT INTO licensing_obligation (licence_id, kind, basis, due_on, description, source, status, "
                    "decision_reason, created_at) VALUES (%s, 'report', '', current_date + 90, 'raw', 'raw', 'open', "
                    "'', now())",
                    (licence_id,),
                )
                cursor.execute(
                    "SELECT capacity_tpp, committed_tpp FROM agreements_allotment WHERE id = %s FOR UPDATE",
                    (allotment_id,),
                )
                capacity, committed = cursor.fetchone()
                if capacity - committed < RAW_TPP:
                    raise RuntimeError(f"allotment {allotment_id} exhausted")
                cursor.execute(
                    "UPDATE agreements_allotment SET committed_tpp = committed_tpp + %s, updated_at = now() "
                    "WHERE id = %s",
                    (RAW_TPP, allotment_id),
                )
                cursor.execute(
                    "INSERT INTO agreements_ledgerentry (allotment_id, kind, tpp, consignee, reference, created_at) "
                    "VALUES (%s, 'reserve', %s, 'rawbaseline', %s, now())",
                    (allotment_id, RAW_TPP, number),
                )
            conn.commit()
        return len(cases)

    transact(job.items[:2])
    return lambda: transact(job.items[2:])


# The statements of one approval of these cases, as the service writes them (its captured SQL), in its order.
_SAME_WRITES = (
    ("INSERT INTO licensing_licence (number, application_id, organisation_id, status, conditions, valid_from, "
     "valid_until, allotment_id, reserved_tpp, programme_version_id, obligations, issued_by_id, issued_at, "
     "status_reason) VALUES (%(number)s, %(application)s, %(organisation)s, 'active', '[]', current_date, "
     "current_date + 1461, %(allotment)s, %(tpp)s, NULL, '[]', %(approver)s, now(), '') RETURNING id"),
    ("INSERT INTO licensing_licenceline (licence_id, product_id, unit_tpp, approved_quantity, shipped_quantity) "
     "VALUES (%(licence)s, %(product)s, %(tpp)s, 1, 0) RETURNING id"),
    ("INSERT INTO portal_auditevent (actor_id, verb, target_type, target_id, target_repr, payload, created_at) "
     "VALUES (%(approver)s, 'licence.issued', 'licensing.licence', %(licence)s, %(number)s, %(issued)s, now()) "
     "RETURNING id"),
    ("UPDATE licensing_application SET status = 'approved', decided_by_id = %(approver)s, decided_at = now(), "
     "updated_at = now() WHERE id = %(application)s"),
    ("INSERT INTO portal_auditevent (actor_id, verb, target_type, target_id, target_repr, payload, created_at) "
     "VALUES (%(approver)s, 'application.approved', 'licensing.application', %(application)s, %(number)s, "
     "%(approved)s, now()) RETURNING id"),
    ("INSERT INTO portal_inboxmessage (recipient_id, about_type, about_id, subject, body, link, created_at) "
     "VALUES (%(approver)s, 'licensing.application', %(application)s, 'Application approved', '', '/', now()) "
     "RETURNING id"),
    *[("INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, args_kwargs, priority, task_path, "
       "worker_ids, queue_name, backend_name, run_after, exception_class_path, traceback) VALUES "
       "(gen_random_uuid(), 'READY', now(), %(task_args)s, 0, " f"'{path}', '[]', 'default', 'default', "
       "'9999-01-01', '', '')") for path in ("portal.inbox.send_inbox_email", "licensing.tasks.render_letters")],
    ("UPDATE agreements_allotment SET committed_tpp = committed_tpp + %(tpp)s, updated_at = now() "
     "WHERE id = %(allotment)s AND committed_tpp + %(tpp)s <= capacity_tpp RETURNING committed_tpp"),
    ("UPDATE agreements_allotmentpartycap SET committed_tpp = committed_tpp + %(tpp)s "
     "WHERE allotment_id = %(allotment)s AND party_id IN (%(party)s) RETURNING party_id, committed_tpp, capacity_tpp"),
    ("INSERT INTO agreements_ledgerentry (allotment_id, kind, tpp, consignee, party_id, reference, actor_id, "
     "created_at) VALUES (%(allotment)s, 'reserve', %(tpp)s, 'rawbaseline', %(party)s, %(number)s, %(approver)s, "
     "now()) RETURNING id"),
    "INSERT INTO agreements_ledgerentryparty (entry_id, party_id) VALUES (%(entry)s, %(party)s) RETURNING id",
)  # fmt: skip


def prepare_raw_same(job: Job) -> Callable[[], int]:
    """The strict yardstick: one psycopg transaction per case making every write the service makes for it, in
    its order and of the same size (the audit payload with the determination included), with none of the
    reading, checking and determining: the licence, its line and audit event, the case's status and audit event,
    the exporter's message, the two tasks' rows, then the conditional draw on the allotment and on the parties'
    caps, then the ledger row and its party."""
    conn = psycopg.connect(**_conninfo())
    conn.execute("SET plan_cache_mode = auto")
    determination = {"outcome": "licence_required", "presumption": "approval", "reasons": [
        {"rule": "tiered.allocation", "text": "Remaining allocation 21,641.15 H100e covers the 1.32 H100e requested."}
    ], "regime": "tiered", "requested_tpp": RAW_TPP, "allotment": {"remaining_tpp": 342622636}}  # fmt: skip

    def transact(cases: list) -> int:
        for i, (application_id, product_id, organisation_id, party_id) in enumerate(cases):
            number = f"RAW{job.worker:02d}{application_id:012d}"
            values = {
                "number": number, "application": application_id, "organisation": organisation_id,
                "allotment": job.allotments[(job.worker + i) % len(job.allotments)], "tpp": RAW_TPP,
                "approver": job.approver_id, "product": product_id, "party": party_id,
                "issued": json.dumps({"application": number, "reserved_tpp": RAW_TPP, "conditions": []}),
                "approved": json.dumps({"licence": number, "reserved_tpp": RAW_TPP, "determination": determination}),
                "task_args": json.dumps({"args": [application_id], "kwargs": {}}),
            }  # fmt: skip
            with conn.cursor() as cursor:
                for statement in _SAME_WRITES:
                    cursor.execute(statement, values)
                    row = cursor.fetchone() if cursor.description else None
                    if statement.startswith("INSERT INTO licensing_licence "):
                        values["licence"] = row[0]
                    elif statement.startswith("INSERT INTO agreements_ledgerentry "):
                        values["entry"] = row[0]
                    elif statement.startswith("UPDATE agreements_allotment ") and row is None:
                        raise RuntimeError(f"allotment {values['allotment']} exhausted")
            conn.commit()
        return len(cases)

    transact(job.items[:2])
    return lambda: transact(job.items[2:])


PGBENCH_SCRIPT = "UPDATE bench_hot_row SET n = n + 1 WHERE id = 1;\n"


def pgbench_hot_row(clients: int, seconds: int) -> float | None:
    """PostgreSQL's own floor for one hot row on this machine: `pgbench -M prepared`, one single-row UPDATE per
    transaction, `clients` connections. Transactions/s, or None when pgbench is not installed."""
    import shutil
    import tempfile

    if shutil.which("pgbench") is None:
        return None
    with psycopg.connect(**_conninfo(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_hot_row (id int PRIMARY KEY, n bigint NOT NULL)")
        conn.execute("INSERT INTO bench_hot_row VALUES (1, 0) ON CONFLICT DO NOTHING")
    info = _conninfo()
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(PGBENCH_SCRIPT)
        script.flush()
        command = ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1))]
        command += ["-T", str(seconds), "-f", script.name, "-h", info["host"] or "localhost"]
        command += ["-p", str(info["port"]), "-U", info["user"], info["dbname"]]
        env = {**os.environ, "PGPASSWORD": info["password"] or ""}
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)  # noqa: S603
    line = next(line for line in done.stdout.splitlines() if line.startswith("tps ="))
    return float(line.split()[2])


def approvable_cases(world: World, destinations: list[str], count: int) -> list[tuple[int, int, int, int]]:
    """`count` cases under review with an officer's recommendation, spread over `destinations`, built in bulk
    by seed_bulk's own builder: (application id, product id of its first controlled line, organisation id,
    ultimate consignee's party id)."""
    now = timezone.now()
    acns = reserve_numbers("acn", count)
    specs = [
        Spec(ApplicationStatus.UNDER_REVIEW, now - datetime.timedelta(days=2), now - datetime.timedelta(days=1), None,
             destination=destinations[i % len(destinations)], steps=("review", "recommend"))
        for i in range(count)
    ]  # fmt: skip
    cases = []
    for offset in range(0, count, 1000):
        chunk = Chunk(world, acns, {})
        batch = [Case(chunk, spec) for spec in specs[offset : offset + 1000]]
        for case in batch:
            case.build()
        chunk.write()
        cases += [
            (
                case.app.pk,
                next(p.pk for p, _ in case.items if p.is_controlled),
                case.app.organisation_id,
                case.consignee_party.pk,
            )
            for case in batch
        ]
    return cases


def approvals(repeats: int, workers: int, per_worker: int) -> None:
    world = World(applications=100_000, organisations=3, rng=random.Random(7), now=timezone.now(), stdout=StringIO())
    # seed_bulk puts unclassified chips (awaiting a die area) on information-only lines; an approval refuses them
    # (400), so the cases approved here carry only classified products.
    world.info_only = [p for p in world.info_only if p.eccn != Eccn.UNCLASSIFIED]
    world.controlled = [p for p in world.controlled if p.eccn != Eccn.UNCLASSIFIED]
    usable = [
        code for code in world.tier2 if world.facts(code).allotment and world.facts(code).allotment.id in world.ceiling
    ]
    ranked = sorted(usable, key=lambda code: -world.facts(code).allotment.remaining_tpp)
    hot, spread = ranked[0], ranked[:50]
    allotment = {code: world.facts(code).allotment.id for code in spread}
    each = per_worker + 2
    out(
        f"Approvals: {workers} processes, each with its own connection; {per_worker} service approvals or "
        f"{per_worker} raw transactions per process, × {repeats} runs"
    )
    per_scope = repeats * workers * each
    out(f"  building {6 * per_scope + each:,} cases under review, recommended (seed_bulk's builder)…")
    cases = {
        "service hot": approvable_cases(world, [hot], per_scope),
        "raw hot": approvable_cases(world, [hot], per_scope),
        "service spread": approvable_cases(world, spread, per_scope),
        "raw spread": approvable_cases(world, spread, per_scope),
        "raw same hot": approvable_cases(world, [hot], per_scope),
        "raw same spread": approvable_cases(world, spread, per_scope),
    }
    single_cases = approvable_cases(world, [hot], each)
    approvers = [user.pk for user in world.approvers]

    def jobs(name, run, codes=()):
        block = cases[name][run * workers * each : (run + 1) * workers * each]
        return [
            Job(
                w,
                block[w * each : (w + 1) * each],
                per_worker,
                approvers[w % len(approvers)],
                [allotment[c] for c in codes],
            )
            for w in range(workers)
        ]

    floor = pgbench_hot_row(clients=workers, seconds=10)
    names = ("raw hot", "raw same hot", "service hot", "raw spread", "raw same spread", "service spread")
    figures: dict[str, list[float]] = {name: [] for name in names}
    waits = {"hot": Counter(), "spread": Counter()}
    for run in range(repeats):
        for scope, codes in (("hot", [hot]), ("spread", spread)):
            figures[f"raw {scope}"].append(run_workers(prepare_raw, jobs(f"raw {scope}", run, codes)))
            figures[f"raw same {scope}"].append(run_workers(prepare_raw_same, jobs(f"raw same {scope}", run, codes)))
            service = run_workers(prepare_service, jobs(f"service {scope}", run), waits[scope])
            figures[f"service {scope}"].append(service)
    alone = run_workers(prepare_service, [Job(0, single_cases, per_worker, approvers[0])])
    for scope, label in (("hot", f"one hot allotment ({hot})"), ("spread", f"spread over {len(spread)} countries")):
        service, raw, same = figures[f"service {scope}"], figures[f"raw {scope}"], figures[f"raw same {scope}"]
        ratio = median([s / r for s, r in zip(service, same, strict=True)])
        six = median([s / r for s, r in zip(service, raw, strict=True)])
        out(f"  {label}")
        out(f"    licensing.services.application_approve {median(service):8.1f} approvals/s    ({runs_text(service)})")
        out(f"    raw SQL, every write the service makes  {median(same):8.1f} transactions/s ({runs_text(same)})")
        out(f"    raw SQL, six statements (the minimum)   {median(raw):8.1f} transactions/s ({runs_text(raw)})")
        if scope == "hot":
            pg = f"{floor:,.0f} transactions/s" if floor is not None else "not measured (pgbench not installed)"
            out(
                f"    pgbench -M prepared, one-row UPDATE, {workers} clients: {pg} (PostgreSQL's floor for one hot row)"
            )
        verdict = target(f"approvals ≥ 0.5 × raw: {label}", ratio >= 0.5, f"{ratio:.3f}") if scope == "hot" else ""
        out(
            f"    ratio to every write {ratio:.3f}  {('(target ≥ 0.5: ' + verdict + ')') if verdict else '(no target)'}"
        )
        out(f"    ratio to six statements {six:.3f}")
        total = sum(waits[scope].values()) or 1
        out("    the service's backends, sampled every ~20 ms during its runs:")
        for state, count in waits[scope].most_common():
            out(f"      {100 * count / total:5.1f} %  {state}")
    out(f"  one process alone (no contention): {alone:.1f} approvals/s, {1000 / alone:.0f} ms an approval")
    out()


def summary() -> None:
    out("Targets")
    for name, met, detail in TARGETS:
        out(f"  {'MET   ' if met else 'MISSED'}  {name}: {detail}")
    out(f"  load average {load_average()} at the end")


def main(*, repeats: int, only: set[str]) -> None:
    machine()
    users = {
        "exporter": User.objects.get(username="bulk-exporter-0000"),
        "officer": User.objects.get(username="bulk-officer-00"),
        "reviewer": User.objects.get(username="bulk-defense-0"),
    }
    with TIMED:
        if "lists" in only:
            list_endpoints(users, repeats, samples=30)
            garbage_collector(users["exporter"], repeats, samples=30)
        if "determinations" in only:
            destination = (
                Application.objects.filter(allotment__isnull=False).values_list("destination", flat=True).first()
            )
            determinations(users["exporter"], destination, repeats, per_run=100)
        if "admin" in only:
            admin_changelist(users["officer"], repeats, samples=10)
        if "bulk" in only:
            bulk.bulk_determinations(repeats)
        if "preview" in only:
            bulk.preview(repeats, users["officer"])
        if "approvals" in only:
            approvals(repeats, workers=8, per_worker=25)
    if "http" in only:
        from benchmarks import http

        http.http(users, determination_body(Application.objects.filter(allotment__isnull=False)), 8, None, target)
    summary()
