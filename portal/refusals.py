"""How a service's refusal reads to a person, in the admin and on the exporter pages alike."""

from collections.abc import Mapping

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError

from portal.errors import DomainError

# What a page catches around a service call: the service refused, and nothing was written.
REFUSALS = (DomainError, ValidationError, PermissionDenied, IntegrityError, ObjectDoesNotExist)


def refusal_text(exc: Exception) -> str:
    """The sentence a person reads when a service refuses."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, IntegrityError):
        return "Someone else changed this record at the same time, or it is already in that state; reload and retry."
    if isinstance(exc, ObjectDoesNotExist):
        return "This record is not in your scope any more."
    return str(exc) or "You do not have permission to do that."


def add_refusal_to_form(form, exc: Exception, *, field_for: Mapping[str, str] | None = None) -> None:
    """Field errors next to their fields (renamed through `field_for`), everything else on top of the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            field = (field_for or {}).get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refusal_text(exc))
