"""The impact of a proposal over more pending applications than a request should wait for
(settings.IMPACT_PREVIEW_SYNC_LIMIT) is computed by a task (licensing.tasks.compute_impact_run): started here,
enqueued on commit, its progress written as it goes, then the summary and the CSV of the whole detail."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agreements.models import Policy
from licensing import bulk, impact
from licensing import determination as engine
from licensing.choices import PENDING_APPLICATION_STATUSES, ImpactRunStatus
from licensing.models import Application, ImpactRun
from portal.permissions import Actor, require
from portal.tasks import enqueue_on_commit

CHUNK = 5_000  # cases determined between two progress writes
FRESH_FOR = datetime.timedelta(minutes=10)  # a finished run younger than this is shown rather than run again


def impact_runs_in_background() -> bool:
    """Whether the pending applications are too many for a request to wait for their preview."""
    pending = Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES).count()
    return pending > settings.IMPACT_PREVIEW_SYNC_LIMIT


def impact_run_latest(*, actor: Actor, policy: Policy) -> ImpactRun | None:
    """The proposal's newest run, whatever its state (None: never computed): what its page shows. Reads only."""
    require(actor, "agreements.view_policy")
    return ImpactRun.objects.filter(policy=policy).first()


def impact_run_stale(run: ImpactRun) -> bool:
    """Whether starting a run again would compute a new one: this one failed, or finished over FRESH_FOR ago."""
    if run.status == ImpactRunStatus.FAILED:
        return True
    return run.finished and run.created_at < timezone.now() - FRESH_FOR


def impact_run_for(*, actor: Actor, policy: Policy) -> ImpactRun:
    """The proposal's run still under way or finished within FRESH_FOR, else a new one, enqueued on commit."""
    require(actor, "agreements.view_policy")
    recent = ImpactRun.objects.filter(policy=policy).exclude(status=ImpactRunStatus.FAILED).first()
    if recent is not None and not impact_run_stale(recent):
        return recent
    from licensing.tasks import compute_impact_run  # the task module imports this one

    with transaction.atomic():
        run = ImpactRun.objects.create(policy=policy, requested_by=actor if actor.is_authenticated else None)
        enqueue_on_commit(compute_impact_run, run.pk)
    return run


def impact_run_compute(*, run_id: int) -> str:
    """Determine every pending case now and under the run's proposal, CHUNK at a time with the progress written
    between; then the summary and the CSV. Run again on a finished run (a retry, a second worker), it does
    nothing."""
    run = ImpactRun.objects.select_related("policy").filter(pk=run_id).first()
    if run is None or run.status == ImpactRunStatus.DONE:
        return run.status if run else "missing"
    at = timezone.now()
    with bulk.cyclic_gc_paused():
        cases = bulk.pending_cases(at)
        _progress(run, status=ImpactRunStatus.RUNNING, at=at, pending=len(cases), done=0)
        rows: list[impact.ImpactRow] = []
        for start in range(0, len(cases), CHUNK):
            chunk = cases[start : start + CHUNK]
            requests = [case.request for case in chunk]
            current = bulk.determine_many(requests)
            proposed = bulk.gather_facts_many(requests, policy=run.policy)
            rows += [
                impact.ImpactRow(case, now, engine.determine(case.request, facts), facts.allotment)
                for case, now, facts in zip(chunk, current, proposed, strict=True)
            ]
            _progress(run, done=len(rows))
        preview = impact.ImpactPreview(at, rows)
        summary = {"changed": preview.changed, "changes": preview.changes(), "destinations": preview.destinations()}
        detail = "".join(impact.csv_lines(rows))
    _progress(
        run, status=ImpactRunStatus.DONE, summary=summary, detail_csv=detail, finished_at=timezone.now(), error=""
    )
    return ImpactRunStatus.DONE


def impact_run_failed(run_id: int) -> None:
    """After the last attempt: the run is marked failed, so the page offers to start a new one."""
    ImpactRun.objects.filter(pk=run_id).update(
        status=ImpactRunStatus.FAILED, finished_at=timezone.now(), error="The computation failed on every attempt."
    )


def _progress(run: ImpactRun, **fields: object) -> None:
    """Written at once (its own statement, outside any transaction of the task), so the page sees it."""
    for name, value in fields.items():
        setattr(run, name, value)
    ImpactRun.objects.filter(pk=run.pk).update(**fields)
