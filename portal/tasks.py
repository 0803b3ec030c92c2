"""Background work on Django's Tasks API (the django-tasks backport): enqueued on commit, retried, idempotent.

- `retried_task(...)` makes a task of a function that runs again when it raises: the failed attempt is recorded
  as failed by the backend (visible to staff in the admin's task results), and the function is enqueued again
  with `attempt` + 1 after a delay, up to `TASK_MAX_ATTEMPTS`; after the last one `on_give_up` runs (e.g. to mark
  a document's scan as an error). The backends keep no attempt count of their own, hence this.
- `enqueue_on_commit(task, ...)` makes a task run only if the surrounding transaction commits: a task enqueued in
  a transaction that rolls back never runs, and a worker never reads a row its transaction has not committed. On
  the database backend the task's row is written in that transaction, so the work and its task commit together
  (one commit, not one more per task); on any other backend (Redis, immediate) it is enqueued after the commit.

Tasks take ids, never model instances, and each must be safe to run twice (a retry, a second worker after a
crash): they re-read their row and do nothing when its work is already done.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task as make_task
from django_tasks.base import Task

logger = logging.getLogger("portal.tasks")


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task` to run once the current transaction commits (at once outside one); never on rollback."""
    if _queued_in_this_transaction(task):
        task.enqueue(*args, **kwargs)  # its row commits, or rolls back, with the caller's writes
    else:
        transaction.on_commit(functools.partial(task.enqueue, *args, **kwargs))


def _queued_in_this_transaction(task: Task) -> bool:
    """Whether the task's queue is a table in the database the caller writes to (django-tasks-db's backend)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    return isinstance(task.get_backend(), DatabaseBackend) and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS


def retried_task(
    *, on_give_up: Callable[..., None] | None = None, max_attempts: int | None = None
) -> Callable[[Callable[..., Any]], Task]:
    """A task that is enqueued again with `attempt=n + 1` when attempt n raises, until the last attempt."""

    def decorate(func: Callable[..., Any]) -> Task:
        @functools.wraps(func)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception:
                last = max_attempts or settings.TASK_MAX_ATTEMPTS
                if attempt < last:
                    delay = timedelta(seconds=settings.TASK_RETRY_DELAY_SECONDS * attempt)
                    logger.warning("%s attempt %d of %d failed; retrying in %s", func.__name__, attempt, last, delay)
                    this: Task = import_string(f"{func.__module__}.{func.__qualname__}")
                    if this.get_backend().supports_defer:
                        this = this.using(run_after=timezone.now() + delay)
                    this.enqueue(*args, attempt=attempt + 1, **kwargs)
                else:
                    logger.error("%s failed on its last attempt (%d of %d)", func.__name__, attempt, last)
                    if on_give_up is not None:
                        on_give_up(*args, **kwargs)
                raise  # the backend records this attempt as failed, with its traceback

        return make_task()(run)

    return decorate
