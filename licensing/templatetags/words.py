"""The portal's words and dates for templates: `{% load words %}`.

- `{{ value|words:"outcome" }}`: a status, outcome, presumption or rule in words (licensing.vocabulary).
- `{{ moment|when }}`, `{{ day|day }}`: the one date and time format, time zone named (portal.display).
- `{{ event|audit_what }}`, `{% audit_details event names %}`: an audit event as sentences (licensing.audit_text).
- `{{ before|no_change:after }}`: "no change" when a proposed value equals the one in force."""

from django import template

from licensing import audit_text, vocabulary
from portal import display

register = template.Library()


@register.filter(name="words")
def words(value, kind: str) -> str:
    return vocabulary.words(value, kind)


@register.filter
def when(moment) -> str:
    return display.when(moment)


@register.filter
def day(value) -> str:
    return display.day(value)


@register.filter
def audit_what(event) -> str:
    return audit_text.what(event)


@register.simple_tag
def audit_names(events) -> audit_text.Names:
    """Names for the ids a page of audit events mentions, looked up once: `{% audit_names events as names %}`."""
    return audit_text.Names.for_events(list(events))


@register.filter
def audit_details(event, names=None) -> str:
    return " ".join(audit_text.details(event, names))
