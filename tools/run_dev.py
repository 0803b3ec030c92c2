"""`make run`: the development server and a task worker side by side; Ctrl-C stops both.

    python tools/run_dev.py PORT

Starts `manage.py db_worker` (the database task backend's worker) and `manage.py runserver 127.0.0.1:PORT`,
their output interleaved on this terminal. Where Debian's clamd is installed, and no CLAMD_SOCKET or CLAMD_HOST
is set, it also starts a local clamd knowing only the EICAR test signature (tools/clamd_local.py), so uploads
are scanned and the worker's log shows each scan; without clamd, documents are "not scanned".
When either process ends, the others are stopped too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import clamd_local  # noqa: E402


def main(port: str) -> int:
    env = dict(os.environ)
    scanner = None
    if not (env.get("CLAMD_SOCKET") or env.get("CLAMD_HOST")):
        scanner = clamd_local.start()
        if scanner is None:
            print("make run: clamd is not installed, so uploads are marked 'not scanned'.", flush=True)
        else:
            env["CLAMD_SOCKET"] = scanner.socket
            print(f"make run: development clamd (EICAR test signature only) on {scanner.socket}", flush=True)
    python = sys.executable
    worker = subprocess.Popen([python, "manage.py", "db_worker", "--no-reload", "--interval", "1"], cwd=ROOT, env=env)
    server = subprocess.Popen([python, "manage.py", "runserver", f"127.0.0.1:{port}"], cwd=ROOT, env=env)
    children = [server, worker]
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass  # Ctrl-C reached the children too (one process group); they stop themselves
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if scanner is not None:
            scanner.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "8000"))
