"""How every page writes a moment or a day: one format (portal/formats), the time zone named.

The template filters `when` and `day` (licensing/templatetags/words.py) and the admin's display methods all
call these, so an exporter page, the admin and a message read the same."""

import datetime

from django.utils import formats, timezone

NOTHING = "—"


def when(moment: datetime.datetime | None) -> str:
    """A moment, "1 Dec 2026, 06:47 UTC", in the portal's time zone; a dash for none."""
    if moment is None:
        return NOTHING
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def day(value: datetime.date | None) -> str:
    """A day, "1 Dec 2026"; a dash for none."""
    if value is None:
        return NOTHING
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


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
