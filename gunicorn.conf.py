"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py portal.wsgi` (bind, workers: the usual
command-line flags or $PORT / $WEB_CONCURRENCY).

No `Server` banner. gunicorn (23 and later included) writes `Server: gunicorn` itself, before the application's
headers, and has no setting to leave it out, so the one method that writes those default headers is wrapped here,
in the master before the workers fork. Each worker freezes what it loaded at start-up out of the garbage
collector's way (post_worker_init)."""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server


def post_worker_init(worker):
    """Once a worker has loaded the portal, move everything loaded so far (modules, URL patterns, templates'
    code: ~100,000 objects) out of the cyclic garbage collector's reach. Collections then walk only what
    requests allocate: in docs/performance.md's in-process measurement the list page's p95 fell from 117 to 72 ms."""
    import gc

    gc.freeze()
