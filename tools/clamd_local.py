"""Start a real ClamAV daemon (Debian's clamav-daemon: /usr/sbin/clamd) on a private Unix socket, with only the
project's own signature file: tests/clamav/eicar.ndb (the EICAR test signature). freshclam is never run and
nothing is downloaded, so this scanner knows the EICAR file and nothing else: it proves the portal's scanning
path (the test suite; `make run` shows it in its worker's log), it protects nothing.

    python tools/clamd_local.py     # runs one in the foreground, printing CLAMD_SOCKET=...
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIGNATURES = Path(__file__).resolve().parent.parent / "tests" / "clamav" / "eicar.ndb"
CLAMD_CANDIDATES = ("clamd", "/usr/sbin/clamd")


def clamd_binary() -> str | None:
    for candidate in CLAMD_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


class LocalClamd:
    """A clamd process on a temporary socket; `stop()` ends it and removes its folder."""

    def __init__(self, binary: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="g2g-clamd-"))
        self.socket = str(self.folder / "clamd.sock")
        self.log = self.folder / "clamd.log"
        database = self.folder / "db"
        database.mkdir()
        shutil.copy(SIGNATURES, database / SIGNATURES.name)
        config = self.folder / "clamd.conf"
        config.write_text(
            f"LocalSocket {self.socket}\nDatabaseDirectory {database}\nForeground yes\nLogFile {self.log}\n"
            f"TemporaryDirectory {self.folder}\nStreamMaxLength 25M\nSelfCheck 0\n"
        )
        self.process = subprocess.Popen(  # noqa: S603 — a fixed binary and our own config
            [binary, "-c", str(config)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log.read_text() if self.log.exists() else ""
                raise RuntimeError(f"clamd exited with {self.process.returncode}: {log[-2000:]}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(2)
                    sock.connect(self.socket)
                    sock.sendall(b"zPING\0")
                    if sock.recv(16).startswith(b"PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"clamd did not answer on {self.socket} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> LocalClamd | None:
    """A ready local clamd, or None when clamd is not installed."""
    binary = clamd_binary()
    if binary is None:
        return None
    server = LocalClamd(binary)
    server.wait_ready()
    return server


if __name__ == "__main__":
    server = start()
    if server is None:
        sys.exit("clamd is not installed (Debian: apt-get install clamav-daemon).")
    print(f"CLAMD_SOCKET={server.socket}", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
