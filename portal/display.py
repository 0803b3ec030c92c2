"""How every page writes a moment or a day: one format (portal/formats), the time zone named.

The template filters `when` and `day` (licensing/templatetags/words.py) and the admin's display methods all
call these, so an exporter page, the admin and a message read the same. A list page writes fifty of them, so the
format is split into its parts once (`_parts`), not on every call as `django.utils.formats.date_format` does:
the same text in a third of the time."""

import datetime
import functools

from django.utils import dateformat, formats, timezone

NOTHING = "—"


def when(moment: datetime.datetime | None) -> str:
    """A moment, "1 Dec 2026, 06:47 UTC", in the portal's time zone; a dash for none."""
    if moment is None:
        return NOTHING
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return _format(moment, "DATETIME_FORMAT")


def day(value: datetime.date | None) -> str:
    """A day, "1 Dec 2026"; a dash for none."""
    if value is None:
        return NOTHING
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _format(value, "DATE_FORMAT")


def _format(value: datetime.date, format_name: str) -> str:
    """`formats.date_format(value, format_name)`, with the format's parts worked out once."""
    formatter = dateformat.DateFormat(value)
    parts = _parts(formats.get_format(format_name))
    return "".join(str(getattr(formatter, part)()) if is_code else part for part, is_code in parts)


@functools.cache
def _parts(format_string: str) -> tuple[tuple[str, bool], ...]:
    """A format string as `dateformat.DateFormat.format` reads it: its format characters (each a method of the
    formatter: True) and the literal text between them, unescaped (False)."""
    parts = []
    for i, part in enumerate(dateformat.re_formatchars.split(format_string)):
        if i % 2:
            parts.append((part, True))
        elif part:
            parts.append((dateformat.re_escaped.sub(r"\1", part), False))
    return tuple(parts)


def verb(recorded: str) -> str:
    """An audit verb in words: "application.review_started" → "Application: review started"."""
    entity, _, action = recorded.partition(".")
    if not action:
        return entity.replace("_", " ").capitalize()
    return f"{entity.replace('_', ' ').capitalize()}: {action.replace('_', ' ')}"


def parse_iso(value: object) -> datetime.datetime | datetime.date | None:
    """An ISO string from an audit payload back into a moment or a day (None when it is neither)."""
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value)
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
