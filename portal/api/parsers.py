"""The API's JSON parser: bounded in size and in nesting before anything recurses over the body."""

import io
import re

from django.conf import settings
from rest_framework import exceptions, parsers, status

# Our deepest real body (terms → allotments → party caps) is six levels deep; far beyond that is an attack.
MAX_JSON_DEPTH = 32

# A string (with its escapes), or one bracket. Brackets inside strings are text, not nesting.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(f"The request body is too large: send at most {limit:,} bytes.")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit`, counted without parsing it."""
    depth = 0
    for match in _TOKENS.finditer(body):
        first = match.group()[0]
        if first == 0x22:  # '"': a string
            continue
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def read_bounded(stream) -> bytes:
    """The body, refusing more than DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads JSON bodies past Django's check)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise too_large()
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser behind two gates: the body's size and its nesting depth, each a 4xx with a message."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_bounded(stream)
        if json_depth_exceeds(body, MAX_JSON_DEPTH):
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.")
        return super().parse(io.BytesIO(body), media_type, parser_context)
