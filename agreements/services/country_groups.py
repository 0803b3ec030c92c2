"""Writes of EAR Country Group membership (SPEC § 2): maintained by policy administrators like tiers, audited."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from agreements.choices import CountryGroup
from agreements.models import Country, CountryGroupMembership
from portal.permissions import Actor, require
from portal.services import audit_record

PERMISSION = "agreements.maintain_country_groups"


def _clean(
    *, group: str, effective_from: datetime.date, effective_until: datetime.date | None, source: str
) -> dict[str, str]:
    errors = {}
    if group not in CountryGroup.values:
        errors["group"] = f"Country group is one of {', '.join(CountryGroup.values)}."
    if not source or not source.strip():
        errors["source"] = "Cite the source of the membership (e.g. the Federal Register rule)."
    if effective_until is not None and effective_until <= effective_from:
        errors["effective_until"] = "A membership ends after it starts."
    return errors


def country_group_membership_set(
    *,
    actor: Actor | None,
    country: Country,
    group: str,
    effective_from: datetime.date,
    source: str,
    effective_until: datetime.date | None = None,
    review_on: datetime.date | None = None,
) -> CountryGroupMembership:
    """Record (or correct) a country's membership of a group from a date, optionally until a date."""
    require(actor, PERMISSION, action="maintain country groups")
    errors = _clean(group=group, effective_from=effective_from, effective_until=effective_until, source=source)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = (
            CountryGroupMembership.objects.select_for_update()
            .filter(country=country, group=group, effective_from=effective_from)
            .first()
        )
        before = _snapshot(existing) if existing else None
        membership = existing or CountryGroupMembership(country=country, group=group, effective_from=effective_from)
        membership.effective_until = effective_until
        membership.source = source.strip()
        membership.review_on = review_on
        membership.save()
        audit_record(
            actor=actor,
            verb="country_group.set" if before is None else "country_group.corrected",
            target=country,
            payload={"before": before, "after": _snapshot(membership)},
        )
    return membership


def _snapshot(membership: CountryGroupMembership) -> dict[str, str | None]:
    return {
        "group": membership.group,
        "effective_from": membership.effective_from.isoformat(),
        "effective_until": membership.effective_until.isoformat() if membership.effective_until else None,
        "review_on": membership.review_on.isoformat() if membership.review_on else None,
        "source": membership.source,
    }
