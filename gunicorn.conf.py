"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py portal.wsgi` (bind, workers: the usual
command-line flags or $PORT / $WEB_CONCURRENCY).

No `Server` banner. gunicorn (23 and later included) writes `Server: gunicorn` itself, before the application's
headers, and has no setting to leave it out, so the one method that writes those default headers is wrapped here,
in the master before the workers fork. Each worker freezes what it loaded at start-up out of the garbage
collector's way (post_worker_init), and collects each request's cyclic garbage once its connection is closed
(CollectingSyncWorker)."""

import gc

from gunicorn.http import wsgi
from gunicorn.workers.sync import SyncWorker

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server


def post_worker_init(worker):
    """Once a worker has loaded the portal, move everything loaded so far (modules, URL patterns, templates'
    code: ~100,000 objects) out of the cyclic garbage collector's reach, so that collections walk only what
    requests allocate and keep (CollectingSyncWorker freezes that in turn)."""
    gc.freeze()


# Every this many requests, a worker's collection walks everything it keeps, not only what came since: cycles
# among what it once kept (a replaced cache, say) are freed then.
WHOLE_HEAP_EVERY = 1000


class CollectingSyncWorker(SyncWorker):
    """gunicorn's sync worker, which collects a request's cyclic garbage once the connection is closed, then
    freezes what survives.

    A page's querysets and model instances point at each other (every prefetched row holds a queryset that holds
    the row), so reference counting does not free them. They outlive the collector's young generations while the
    request runs, and the full collection that then falls inside some later request walks that request's whole
    live page: about 100 ms on the exporter's list of 50 (docs/performance.md). Here, between connections, the
    request's objects are dead and its client has its answer: no one waits for the collection, and what survives
    it is only what the worker keeps (the views, templates and caches its requests loaded). Frozen, that is left
    out of the next collection's walk, which then covers only what the next request leaves."""

    def handle(self, listener, client, addr):
        served = self.nr
        super().handle(listener, client, addr)
        if self.nr == served:  # a connection closed without a request (a load balancer's TCP probe): nothing new
            return
        collect_between_requests(self.nr)


def collect_between_requests(served: int) -> None:
    """After the `served`-th request: collect what it left in whichever generation it reached, then freeze what
    survives. The benchmark's in-process timings run this between their requests too, as a worker would."""
    young, old = gc.get_count()[1:]  # collections of the younger generations since the older one's
    if served % WHOLE_HEAP_EVERY == 0:
        gc.unfreeze()
        gc.collect()
    elif old:  # the request's objects reached the oldest generation
        gc.collect()
    elif young:  # they reached the middle one only: a younger collection finds them (and keeps the free lists)
        gc.collect(1)
    else:  # the request ran no collection: what it left is the youngest generation's, collected as usual
        return
    gc.freeze()


worker_class = CollectingSyncWorker
