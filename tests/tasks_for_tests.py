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
    """What `manage.py db_worker --batch` does, in this process: run every ready task, then return."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
