"""Determinations in bulk and the impact preview of a regime switch (issue 16 items 2 and 3; SPEC § 6 Speed).

Import only after django.setup() (benchmarks.run does it); called from benchmarks.figures.main, sections "bulk" and
"preview". Figures are medians over `repeats` runs; the targets go through figures.target().
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import services as agreements_services
from agreements.selectors import policy_in_force
from licensing import bulk, impact, selectors

BULK_TARGET = 5_000  # determinations per second, in process
PREVIEW_TARGET_S = 10.0  # the preview of a switch over every pending case at 100,000 applications


def _figures():
    from benchmarks import figures  # the helpers (out, target, median, login) live there

    return figures


def bulk_determinations(repeats: int) -> None:
    """determine_many over every pending application's question, against the single path on a sample."""
    figures = _figures()
    cases = bulk.pending_cases(timezone.now())
    requests = [case.request for case in cases]
    connection.queries_log.clear()  # a full log (9,000 entries) would count nothing new
    with CaptureQueriesContext(connection) as captured:
        bulk.determine_many(requests)
    rates = []
    for _ in range(repeats):
        began = time.perf_counter()
        bulk.determine_many(requests)
        rates.append(len(requests) / (time.perf_counter() - began))
    sample = requests[:200]
    began = time.perf_counter()
    for request in sample:
        selectors.determine(request)
    single = len(sample) / (time.perf_counter() - began)
    rate = figures.median(rates)
    met = figures.target(f"bulk determinations ≥ {BULK_TARGET:,}/s in process", rate >= BULK_TARGET, f"{rate:,.0f}/s")
    figures.out(f"Determinations in bulk: licensing.bulk.determine_many over {len(requests):,} pending applications,")
    figures.out(f"  × {repeats} runs (runs: {figures.runs_text(rates)} /s)")
    figures.out(f"  {rate:,.0f} determinations/s  {len(captured)} queries for the batch  {met}")
    figures.out(f"  one at a time (selectors.determine, {len(sample)} of them): {single:,.0f}/s")
    figures.out()


def preview(repeats: int, officer) -> None:
    """The impact of a switch to the global regime (LPP threshold 0) over every pending application: in process
    (licensing.impact) and through the API (its first page, with the whole summary)."""
    figures = _figures()
    proposal = agreements_services.proposed_policy(base=policy_in_force(), kind="global", lpp_threshold_tpp=0)
    client = figures.login(officer)
    url = "/api/v1/policy/impact/?kind=global&lpp_threshold_tpp=0"
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    captured: list[str] = []

    def counted(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):  # every statement, whatever the debug log holds
        impact.impact_preview(proposal)
    in_process, through_api = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        result = impact.impact_preview(proposal)
        result.changes(), result.destinations()
        in_process.append(time.perf_counter() - began)
        began = time.perf_counter()
        assert client.get(url).status_code == 200
        through_api.append(time.perf_counter() - began)
    csv_began = time.perf_counter()
    download = client.get(url.replace("/impact/", "/impact/csv/"))
    lines = b"".join(download.streaming_content).count(b"\n")
    csv_seconds = time.perf_counter() - csv_began
    seconds = figures.median(through_api)
    applications = body["pending"]
    met = figures.target(
        f"impact preview over every pending case ≤ {PREVIEW_TARGET_S:.0f} s (at 100,000 applications)",
        seconds <= PREVIEW_TARGET_S,
        f"{seconds:.2f} s for {applications:,} pending",
    )
    figures.out(f"Impact preview: switch to the global regime, LPP 0, over all {applications:,} pending applications")
    figures.out(
        f"  ({body['changed']:,} would change; {len(body['changes'])} kinds of change, "
        f"{len(body['destinations'])} destination rows), × {repeats} runs"
    )
    runs = ", ".join(f"{s:.2f}" for s in in_process)
    figures.out(f"  in process   {figures.median(in_process):6.2f} s  {len(captured)} queries  (runs: {runs})")
    figures.out(f"  API, page 1  {seconds:6.2f} s  {met}")
    figures.out(f"  CSV of all   {csv_seconds:6.2f} s  {lines - 1:,} lines")
    figures.out()
