"""A small client for ClamAV's daemon (clamd): INSTREAM a file, read the verdict.

The protocol (clamd(8)): send `zINSTREAM\\0`, then the bytes in chunks each preceded by its length as a 4-byte
big-endian integer, then a zero length; clamd answers `stream: OK`, `stream: <signature> FOUND` or
`... ERROR`, NUL-terminated. Written here because the `clamd` package on PyPI has been unmaintained since 2014;
this is the whole of what the portal needs. Configured by CLAMD_SOCKET (a Unix socket) or CLAMD_HOST/CLAMD_PORT.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

CHUNK_BYTES = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached, or did not give a verdict: try again later."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""  # the matching signature's name when infected


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    try:
        if settings.CLAMD_SOCKET:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(settings.CLAMD_SOCKET)
            return sock
        return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)
    except OSError as error:
        raise ScannerUnavailable(f"clamd is not reachable: {error}") from error


def scan_stream(chunks: Iterable[bytes]) -> Verdict:
    """Send the bytes to clamd and return its verdict; ScannerUnavailable when there is none."""
    with _connect() as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_BYTES):
                    part = chunk[start : start + CHUNK_BYTES]
                    sock.sendall(struct.pack(">I", len(part)) + part)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                reply += received
        except OSError as error:
            raise ScannerUnavailable(f"clamd stopped answering: {error}") from error
    return parse_reply(reply.rstrip(b"\0").decode("utf-8", "replace").strip())


def parse_reply(reply: str) -> Verdict:
    if reply.endswith(" OK"):
        return Verdict(infected=False)
    if reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix(" FOUND").strip()
        return Verdict(infected=True, signature=signature)
    raise ScannerUnavailable(f"clamd gave no verdict: {reply or 'no answer'}")
