"""One place that turns domain and validation errors into HTTP answers (400 / 404 / 409 / 413)."""

import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from portal.api.parsers import too_large
from portal.errors import DomainError

logger = logging.getLogger(__name__)

# SQLSTATEs of a write that lost a race to a concurrent one: unique_violation, exclusion_violation.
RACE_SQLSTATES = frozenset({"23505", "23P01"})
FOREIGN_KEY_SQLSTATE = "23503"


def integrity_sqlstate(exc: IntegrityError) -> str | None:
    """The SQLSTATE class of an integrity error: from psycopg's cause, or SQLite's wording."""
    state = getattr(exc.__cause__, "sqlstate", None)
    if state:
        return state
    text = str(exc).lower()
    if "unique constraint" in text:
        return "23505"
    if "foreign key constraint" in text:
        return FOREIGN_KEY_SQLSTATE
    return None


def _integrity_answer(exc: IntegrityError) -> Response:
    state = integrity_sqlstate(exc)
    if state in RACE_SQLSTATES:
        detail = "This conflicts with a record saved at the same moment; reload and try again."
        return Response({"detail": detail, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if state == FOREIGN_KEY_SQLSTATE:
        detail = "This refers to a record that was changed or removed meanwhile; reload and try again."
        return Response({"detail": detail, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    # A NOT NULL or CHECK violation is input the serializers should have refused: say so, and log it as a bug.
    logger.error("Integrity error not caught by validation", exc_info=exc)
    detail = "The request is incomplete or inconsistent: check the fields and try again."
    return Response({"detail": detail, "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)


def handle_exception(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        return _integrity_answer(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = too_large()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError("The request has too many fields.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    return exception_handler(exc, context)
