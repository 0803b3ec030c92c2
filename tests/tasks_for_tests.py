"""Tasks the task-queue tests enqueue: one that leaves a mark, one that always fails (retried, then failed)."""

from pathlib import Path

from django_tasks import task

from portal.tasks import retried_task


@task()
def leave_mark(path: str) -> str:
    Path(path).write_text("ran")
    return path


class Boom(Exception):
    pass


def _gave_up(path: str) -> None:
    Path(path).write_text("gave up")


@retried_task(on_give_up=_gave_up)
def always_fails(path: str) -> None:
    raise Boom(f"this task always fails ({path})")


def run_db_worker() -> None:
    """What `manage.py db_worker --batch` does, in this process: run every ready task, then return.

    The worker closes "old" connections between tasks, which inside a test's transaction (autocommit off) would
    close the test's own connection: here it keeps it."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        _worker(db_worker.Worker)


def _worker(worker_class) -> None:
    worker_class(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
