"""Terms versions and their schedules: cleaning, writing and snapshotting them (helpers of the agreement services;
nothing here is a use case of its own)."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from agreements.choices import EndUseCategory, ReportingCadence
from agreements.models import Agreement, TermsVersion
from agreements.selectors import TERMS_FIELDS
from agreements.services.deals import milestone_snapshot, replace_milestones, write_milestones, write_periods
from portal.permissions import Actor


def clean_schedule(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Periods with positive capacity that do not overlap."""
    cleaned = sorted(periods, key=lambda p: p["period_start"])
    for period in cleaned:
        if period["period_end"] < period["period_start"]:
            raise ValidationError({"allotments": f"Period starting {period['period_start']} ends before it starts."})
        if not isinstance(period["capacity_tpp"], int) or period["capacity_tpp"] <= 0:
            raise ValidationError({"allotments": "Each period's capacity is a positive whole number of TPP."})
    for earlier, later in zip(cleaned, cleaned[1:], strict=False):
        if later["period_start"] <= earlier["period_end"]:
            raise ValidationError(
                {
                    "allotments": f"Periods overlap: {earlier['period_start']}..{earlier['period_end']} and "
                    f"{later['period_start']}..{later['period_end']}."
                }
            )
    return cleaned


def clean_terms(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values["permitted_end_uses"]) - set(EndUseCategory.values)
    if unknown:
        raise ValidationError({"permitted_end_uses": f"Unknown end-use categories: {', '.join(sorted(unknown))}."})
    if values["reporting_cadence"] and values["reporting_cadence"] not in ReportingCadence.values:
        raise ValidationError({"reporting_cadence": f"Choose one of {', '.join(ReportingCadence.values)}."})
    for name in ("excluded_end_users", "security_conditions"):
        values[name] = [str(item).strip() for item in values[name] if str(item).strip()]
    return values


def write_terms(
    *,
    agreement: Agreement,
    version: int,
    effective_from: datetime.date,
    values: dict[str, Any],
    periods: list[dict[str, Any]],
    actor: Actor | None,
    reason: str = "",
    milestones: list[dict[str, Any]] | None = None,
) -> TermsVersion:
    terms = TermsVersion(
        agreement=agreement,
        version=version,
        effective_from=effective_from,
        created_by=actor,
        reason=reason,
        **clean_terms(values),
    )
    terms.full_clean(exclude=["agreement", "created_by"])
    terms.save()
    write_periods(actor, terms, clean_schedule(periods))
    write_milestones(terms, milestones or [])
    return terms


def rewrite_terms(
    terms: TermsVersion, changes: dict[str, Any], *, effective_from: datetime.date, actor: Actor | None = None
) -> TermsVersion:
    """Edit a terms version in place (only while negotiating): fields and, when given, its schedule (with its
    party caps) and its investment milestones."""
    for name, value in clean_terms(terms_values(terms, changes)).items():
        setattr(terms, name, value)
    terms.effective_from = effective_from
    terms.full_clean(exclude=["agreement", "created_by"])
    terms.save()
    if "allotments" in changes:
        periods = clean_schedule(changes["allotments"])
        terms.periods.all().delete()
        write_periods(actor, terms, periods)
    if "investment_milestones" in changes:
        replace_milestones(terms, changes["investment_milestones"])
    getattr(terms, "_prefetched_objects_cache", {}).clear()  # the periods were rewritten: read them afresh
    return terms


def terms_values(source: TermsVersion | None, changes: dict[str, Any]) -> dict[str, Any]:
    """The terms fields of `source` (the model defaults when None) with `changes` applied."""
    defaults = {f.name: f.get_default() for f in TermsVersion._meta.fields if f.name in TERMS_FIELDS}
    base = {name: getattr(source, name) for name in TERMS_FIELDS} if source else defaults
    return {**base, **{k: v for k, v in changes.items() if k in TERMS_FIELDS}}


def schedule_of(terms: TermsVersion) -> list[dict[str, Any]]:
    """The schedule as the terms writes take it: an amendment that leaves it out carries it over, caps and all."""
    return [
        {
            "period_start": p.period_start,
            "period_end": p.period_end,
            "capacity_tpp": p.capacity_tpp,
            "party_caps": [{"party": cap.party, "capacity_tpp": cap.capacity_tpp} for cap in p.party_caps.all()],
        }
        for p in terms.periods.all()
    ]


def terms_snapshot(terms: TermsVersion) -> dict[str, Any]:
    """The version as the audit trail records it (JSON-ready)."""
    values: dict[str, Any] = {name: getattr(terms, name) for name in TERMS_FIELDS}
    values["allotments"] = [
        {
            **p,
            "period_start": p["period_start"].isoformat(),
            "period_end": p["period_end"].isoformat(),
            "party_caps": [
                {"party": cap["party"].pk, "party_name": cap["party"].name, "capacity_tpp": cap["capacity_tpp"]}
                for cap in p["party_caps"]
            ],
        }
        for p in schedule_of(terms)
    ]
    values["investment_milestones"] = [milestone_snapshot(m) for m in terms.milestones.all()]
    values["version"], values["effective_from"] = terms.version, terms.effective_from.isoformat()
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
