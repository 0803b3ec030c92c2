"""The task queue (issue 14): tasks enqueue on commit, are retried, and their failures are shown to staff."""

import socket
import threading
import uuid

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from portal.tasks import enqueue_on_commit
from tests.factories import make_user
from tests.tasks_for_tests import always_fails, leave_mark, run_db_worker


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_enqueued_in_a_transaction_that_rolls_back_never_runs(tmp_path):
    rolled_back, committed = tmp_path / "rolled-back", tmp_path / "committed"

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(leave_mark, str(rolled_back))
        raise RuntimeError("the request failed after enqueueing")
    assert DBTaskResult.objects.count() == 0  # the rolled-back transaction took its task with it
    with transaction.atomic():
        enqueue_on_commit(leave_mark, str(committed))
    run_db_worker()

    assert not rolled_back.exists()
    assert committed.read_text() == "ran"
    assert list(DBTaskResult.objects.values_list("args_kwargs", "status")) == [
        ({"args": [str(committed)], "kwargs": {}}, "SUCCESSFUL")
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a second connection reads while the first's write is uncommitted, which SQLite's "
    "shared in-memory test database refuses (table locked)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_the_database_queue_a_task_commits_with_its_transaction_and_no_worker_sees_it_before(tmp_path):
    def seen_by_a_worker() -> int:  # another connection, as a worker's
        counted: list[int] = []
        thread = threading.Thread(target=lambda: (counted.append(DBTaskResult.objects.count()), connection.close()))
        thread.start()
        thread.join()
        return counted[0]

    with transaction.atomic():
        enqueue_on_commit(leave_mark, str(tmp_path / "mark"))
        assert DBTaskResult.objects.count() == 1  # written in the caller's transaction: one commit for both
        assert seen_by_a_worker() == 0
    assert seen_by_a_worker() == 1


@pytest.mark.django_db
def test_a_failing_task_is_retried_then_shown_to_staff_as_failed(settings, tmp_path, client):
    settings.TASK_RETRY_DELAY_SECONDS = 0  # the retries are due at once, so one batch runs them all
    mark = tmp_path / "mark"

    always_fails.enqueue(str(mark))
    run_db_worker()

    attempts = DBTaskResult.objects.filter(task_path="tests.tasks_for_tests.always_fails").order_by("enqueued_at")
    assert [(row.args_kwargs["kwargs"].get("attempt", 1), row.status) for row in attempts] == [
        (1, "FAILED"),
        (2, "FAILED"),
        (3, "FAILED"),
    ]
    assert all("this task always fails" in row.traceback for row in attempts)
    assert mark.read_text() == "gave up"  # the last attempt's give-up ran once

    client.force_login(make_user("licensing_officer"))
    page = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200
    assert page.content.decode().count("always_fails") >= 3
    detail = client.get(f"/admin/django_tasks_database/dbtaskresult/{attempts[2].pk}/change/")
    assert "this task always fails" in detail.content.decode()


@pytest.mark.django_db
def test_exporters_do_not_see_the_task_results(client):
    client.force_login(make_user("exporter"))

    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code in (302, 403)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts redis-server)")
@pytest.mark.django_db
def test_the_redis_backend_runs_tasks_through_rq(settings, tmp_path):
    """TASKS_BACKEND=rq's configuration, on a queue of this test's own in Redis database 15."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue_name = f"test-{uuid.uuid4().hex[:8]}"
    redis = {"URL": "redis://127.0.0.1:6379/15", "DEFAULT_TIMEOUT": 60}
    settings.RQ_QUEUES = {"default": redis, queue_name: redis}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}
    mark = tmp_path / "mark"
    queue = django_rq.get_queue(queue_name, job_class=Job)
    try:
        result = leave_mark.using(queue_name=queue_name).enqueue(str(mark))
        assert not mark.exists()  # queued in Redis, not run in this process

        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

        result.refresh()
        assert (result.status, mark.read_text()) == ("SUCCESSFUL", "ran")
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)
