"""The reference facts' version stamp: what lets a process keep slow-changing facts across requests, correctly.

Every write to a model registered with `stamped` (its saves, deletes and many-to-many changes through signals; its
querysets' `update`, `bulk_create` and `bulk_update` through `StampedQuerySet`) replaces the token of the one
`ReferenceStamp` row in the writer's transaction. A reader reads the token first, then (on a miss) the facts, and
keeps them under that token only if the token is unchanged after reading them (`Memo.get`). So:

- a committed write is seen by the next request anywhere: its token differs from the one kept;
- a rolled-back write leaves the token it replaced, and its own (random) token is never issued again, so facts
  read inside that transaction, kept under its token, can never be served to anyone else;
- a write committed while facts were being read changes the token under the reader: they are used, not kept.

A write that bypasses the ORM (raw SQL, a data migration's historical models) must call `bump()`; `migrate` does
after every run (post_migrate)."""

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connections, models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.scoping import RestrictedQuerySet

_T = TypeVar("_T")
_M = TypeVar("_M", bound=models.Model)


def bump(**_: object) -> None:
    """A new token, in the current transaction (or autocommitted)."""
    from portal.models import ReferenceStamp

    token = uuid.uuid4().hex
    if not ReferenceStamp.objects.filter(pk=1).update(token=token):
        ReferenceStamp.objects.update_or_create(pk=1, defaults={"token": token})
    transaction.on_commit(forget_all)  # this process need not even compare tokens to drop what it kept


def current() -> str | None:
    """The token now (None: no stamp row, e.g. after a flush — nothing may then be kept). Every determination reads
    it, so as one plain statement: the ORM's query building cost four times the round trip."""
    from portal.models import ReferenceStamp

    with connections[router.db_for_read(ReferenceStamp)].cursor() as cursor:
        cursor.execute(_CURRENT)
        row = cursor.fetchone()
    return row[0] if row else None


_CURRENT = "SELECT token FROM portal_referencestamp WHERE id = 1"  # portal.models.ReferenceStamp, its one row


_memos: list["Memo"] = []


def forget_all() -> None:
    for memo in _memos:
        memo.forget()


class Memo(Generic[_T]):
    """One value per process, kept under the token it was read with (a lock-free slot: gunicorn's sync workers
    and threads alike see either the old pair or the new one)."""

    def __init__(self, load: Callable[[], _T]) -> None:
        self._load = load
        self._kept: tuple[str, _T] | None = None
        self._lock = threading.Lock()
        _memos.append(self)

    def get(self) -> _T:
        token = current()
        kept = self._kept
        if token is not None and kept is not None and kept[0] == token:
            return kept[1]
        value = self._load()
        if token is not None and current() == token:  # nothing committed while reading: keep it
            with self._lock:
                self._kept = (token, value)
        return value

    def forget(self) -> None:
        self._kept = None


class StampedQuerySet(RestrictedQuerySet[_M]):
    """Bulk writes to a stamped model replace the token too (they send no save signal)."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        with transaction.atomic(using=self.db, savepoint=False):
            rows = super().update(**kwargs)
            bump()
        return rows

    def bulk_create(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(*args, **kwargs)
            bump()
        return created

    def bulk_update(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with transaction.atomic(using=self.db, savepoint=False):
            rows = super().bulk_update(*args, **kwargs)
            bump()
        return rows


def stamped(*model_classes: type[models.Model]) -> None:
    """Every save and delete of these models, and every change of their many-to-many fields, bumps the token."""
    for model in model_classes:
        uid = f"reference-stamp-{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=uid, weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(bump, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}", weak=False)
