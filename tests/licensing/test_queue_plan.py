"""The staff queue reads only open cases from its index, under the plan PostgreSQL settles on for a statement a
worker has prepared (portal/settings.py prepares what a connection repeats, and after five runs the server may
keep one generic plan, made without the parameters' values). A partial index "where the status is open" cannot
serve that plan: it walked every closed case due before the first open one (48,656 rows, 44 ms a page, at 100,000
applications; docs/performance.md)."""

import datetime
import json

import pytest
from django.contrib.admin import site
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from licensing.choices import ApplicationStatus as S
from licensing.models import Application
from tests.factories import make_user
from tests.licensing.factories import submitted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: generic plans are its own"),
]

QUEUE = reverse("admin:licensing_application_changelist")


def page_statement(client: Client, url: str) -> tuple[str, list]:
    """The SQL and parameters of the changelist's page of cases, as the portal sends them."""
    seen = []

    def capture(execute, statement, params, many, context):
        seen.append((statement, list(params or ())))
        return execute(statement, params, many, context)

    with connection.execute_wrapper(capture):
        assert client.get(url).status_code == 200
    pages = [
        (statement, params)
        for statement, params in seen
        if statement.startswith('SELECT "licensing_application"."id"') and "LIMIT" in statement
    ]
    assert len(pages) == 1, [s[:60] for s, _ in seen]
    return pages[0]


def generic_plan(statement: str, params: list) -> dict:
    """EXPLAIN ANALYZE of the statement, prepared and run as the server runs it once it keeps a generic plan."""
    numbered = statement
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    with connection.cursor() as cursor:
        raw = cursor.cursor.connection
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: the planner would read the table whole
        cursor.execute(f"PREPARE queue_page AS {numbered}")
        values = sql.SQL(", ").join(sql.Literal(value) for value in params).as_string(raw)
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE queue_page({values})")
        (plan,) = cursor.fetchone()
        cursor.execute("DEALLOCATE queue_page")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def decided_copy(case: Application, *, due_at: datetime.datetime) -> Application:
    fields = {f.attname: getattr(case, f.attname) for f in Application._meta.concrete_fields if not f.primary_key}
    fields.pop("is_open")  # the database's to write
    return Application(**fields | {"acn": None, "status": S.APPROVED, "due_at": due_at})


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def test_the_open_cases_queue_reads_no_closed_case_under_a_generic_plan(monkeypatch):
    monkeypatch.setattr(site._registry[Application], "list_per_page", 2)  # a page of the queue, not all of it
    officer = make_user("licensing_officer")
    exporter = make_user("exporter")
    waiting = [submitted(exporter) for _ in range(3)]
    long_ago = timezone.now() - datetime.timedelta(days=400)
    # Decided cases keep their due date: 200 of them, all due before the open ones.
    closed = [decided_copy(waiting[0], due_at=long_ago + datetime.timedelta(days=day)) for day in range(200)]
    Application.objects.bulk_create(closed)
    with connection.cursor() as cursor:  # statistics, as a live database has: the plan is chosen on them
        cursor.execute("ANALYZE licensing_application")
    client = Client()
    client.force_login(officer)

    plan = generic_plan(*page_statement(client, QUEUE))

    scans = [node for node in nodes(plan) if node.get("Relation Name") == "licensing_application"]
    assert scans, plan
    assert sum(node.get("Rows Removed by Filter", 0) for node in scans) == 0, scans  # no closed case read
    assert not [node["Node Type"] for node in nodes(plan) if "Sort" in node["Node Type"]]  # in the index's order
    assert plan["Actual Rows"] == 2
