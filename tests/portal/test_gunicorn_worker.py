"""gunicorn.conf.py's worker collects each request's cyclic garbage between connections, not inside a later
request (docs/performance.md: the full collections that fell inside requests set the list pages' p95)."""

import gc
import runpy
import weakref
from pathlib import Path
from unittest import mock

import pytest
from gunicorn.workers.sync import SyncWorker

CONFIG = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
CollectingSyncWorker = CONFIG["CollectingSyncWorker"]


class Row:
    """A row and its queryset point at each other, as Django's prefetched rows and their querysets do."""

    def __init__(self) -> None:
        self.queryset = [self]


@pytest.fixture
def worker():
    """A worker between connections, with the automatic collector off: only the worker can free a cycle."""
    worker = CollectingSyncWorker.__new__(CollectingSyncWorker)
    worker.nr = 0
    gc.collect()
    gc.disable()
    yield worker
    gc.enable()
    gc.unfreeze()


def serve(worker, request) -> None:
    """One connection whose request is `request`, counted as gunicorn counts it (its handling of the socket left
    out)."""

    def handle(self, listener, client, addr):
        self.nr += 1
        request()

    with mock.patch.object(SyncWorker, "handle", handle):
        worker.handle(None, None, None)


@pytest.mark.parametrize("outlived", [0, 1], ids=["the youngest generation", "the middle generation too"])
def test_the_cyclic_garbage_of_a_request_is_freed_once_its_connection_is_closed(worker, outlived):
    left = []

    def request():
        row = Row()
        gc.collect(outlived)  # the request runs long enough for collections that the live row outlives
        left.append(weakref.ref(row))

    serve(worker, request)
    assert left[0]() is None


def test_what_the_worker_keeps_is_frozen_out_of_the_next_collections_walk(worker):
    kept = []

    def request():
        kept.append(Row())  # a cache the worker keeps
        gc.collect(0)

    serve(worker, request)
    assert kept[0].queryset == [kept[0]]  # kept whole
    assert not any(o is kept[0] for o in gc.get_objects())  # the collector's generations no longer hold it


def test_every_thousandth_request_frees_the_cycles_among_what_was_kept_and_later_dropped(worker):
    cache = [Row()]
    gc.freeze()  # kept by an earlier request, frozen then
    dropped = weakref.ref(cache.pop())  # replaced since: garbage that only a walk of the frozen objects finds
    worker.nr = CONFIG["WHOLE_HEAP_EVERY"] - 2
    serve(worker, lambda: gc.collect(0))  # the 999th request
    assert dropped() is not None
    serve(worker, lambda: None)  # the 1,000th
    assert dropped() is None


def test_a_connection_closed_without_a_request_collects_nothing(worker):
    """A load balancer's TCP probe opens and closes a connection without a request: the worker does no work for it,
    not even on a 1,000th request's count."""
    row = Row()
    gc.collect(0)  # a request's object that outlived a young collection
    left = weakref.ref(row)
    del row  # and then became garbage
    worker.nr = CONFIG["WHOLE_HEAP_EVERY"]
    with mock.patch.object(SyncWorker, "handle", lambda self, listener, client, addr: None):
        worker.handle(None, None, None)
    assert left() is not None  # left for the next request's collection
