"""Licence-review programmes, kept by policy administrators (versioned like terms), and the US-sales reports
exporters attest."""

import datetime
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing.models import Product, Programme, ProgrammeCertification, ProgrammeVersion, UsSalesReport
from portal.permissions import Actor, allowed, require
from portal.selectors import user_organisation_id
from portal.services import audit_record

MANAGE = "licensing.manage_programme"
VERSION_FIELDS = (
    "destinations",
    "min_tpp",
    "max_tpp",
    "max_dram_bandwidth_gbps",
    "min_dram_bandwidth_gbps",
    "brings_into_scope",
    "exports_from_us_only",
    "presumption",
    "conditions",
    "shipment_evidence",
    "us_volume_ratio_percent",
    "us_volume_window_quarters",
    "levy_percent",
    "levy_basis",
    "per_customer_cap_units",
    "notes",
)
_DESTINATION = re.compile(r"^([A-Z]{2}|[A-E]:[0-9])$")


def _clean_destinations(destinations: list[str]) -> list[str]:
    cleaned = [str(d).strip().upper() for d in destinations or []]
    bad = [d for d in cleaned if not _DESTINATION.match(d)]
    if not cleaned or bad:
        raise ValidationError(
            {
                "destinations": "Give country codes (CN) or Country Groups (D:5), at least one."
                + (f" Not: {bad}" if bad else "")
            }
        )
    return list(dict.fromkeys(cleaned))


def _write_version(
    programme: Programme,
    number: int,
    effective_from: datetime.date,
    data: dict[str, Any],
    actor: Actor,
) -> ProgrammeVersion:
    fields = {name: data[name] for name in VERSION_FIELDS if name in data}
    fields["destinations"] = _clean_destinations(fields.get("destinations", []))
    fields["conditions"] = [c.strip() for c in fields.get("conditions") or [] if c.strip()]
    version = ProgrammeVersion(
        programme=programme, version=number, effective_from=effective_from, created_by=actor, **fields
    )
    version.full_clean(exclude=["programme", "created_by"])
    version.save()
    named: list[Product] = data.get("named_products") or []
    version.named_products.set(named)
    certifications = data.get("certifications") or []
    codes = [c["code"] for c in certifications]
    if len(set(codes)) != len(codes):
        raise ValidationError({"certifications": "Each certification has its own code."})
    ProgrammeCertification.objects.bulk_create(
        ProgrammeCertification(version=version, code=c["code"], text=c["text"].strip(), order=order)
        for order, c in enumerate(certifications, start=1)
    )
    return version


def _summary(version: ProgrammeVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "destinations": version.destinations,
        "presumption": version.presumption,
        "certifications": list(version.certifications.values_list("code", flat=True)),
    }


def programme_create(*, actor: Actor, name: str, citation: str, source: str = "", version: dict[str, Any]) -> Programme:
    """A programme with its first version."""
    require(actor, MANAGE)
    with transaction.atomic():
        programme = Programme(name=name.strip(), citation=citation.strip(), source=source.strip())
        programme.full_clean()
        programme.save()
        first = _write_version(programme, 1, version.pop("effective_from"), version, actor)
        audit_record(actor=actor, verb="programme.created", target=programme, payload=_summary(first))
    return programme


def programme_amend(
    *, actor: Actor, programme: Programme, details: dict[str, Any], version: dict[str, Any] | None
) -> Programme:
    """Change the name, citation or source; and/or add a version from its effective date, which ends the version
    in force the day before (earlier versions stay as they were)."""
    require(actor, MANAGE)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        for name in ("name", "citation", "source"):
            if name in details:
                setattr(programme, name, details[name].strip())
        programme.full_clean()
        programme.save()
        payload: dict[str, Any] = {name: details[name] for name in ("name", "citation", "source") if name in details}
        if version is not None:
            effective_from = version.pop("effective_from")
            latest = programme.versions.order_by("-version").first()
            if latest is not None and effective_from <= latest.effective_from:
                after = f"version {latest.version} ({latest.effective_from})"
                raise ValidationError({"effective_from": f"A new version starts after {after}."})
            if latest is not None and (latest.effective_until is None or latest.effective_until >= effective_from):
                latest.effective_until = effective_from - datetime.timedelta(days=1)
                latest.save(update_fields=["effective_until"])
            added = _write_version(programme, (latest.version if latest else 0) + 1, effective_from, version, actor)
            payload["version"] = _summary(added)
        audit_record(actor=actor, verb="programme.amended", target=programme, payload=payload)
    return programme


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> tuple[int, int]:
    match = _QUARTER.match((text or "").strip().upper())
    if not match:
        raise ValidationError({"quarter": "Give a calendar quarter as YYYYQn, e.g. 2026Q3."})
    return int(match.group(1)), int(match.group(2))


def us_sales_report_file(*, actor: Actor, product: Product, quarter: str, units: int) -> UsSalesReport:
    """The actor attests, for their organisation, the units of a product sold to US customers in a quarter (one
    report per product and quarter; a quarter not yet begun cannot be attested)."""
    organisation_id = user_organisation_id(actor)
    if organisation_id is None or not allowed(actor, "licensing.file_us_sales_report"):
        raise PermissionDenied("Only an exporter of an organisation attests its US sales.")
    year, number = parse_quarter(quarter)
    today = timezone.localdate()
    if (year, number) > (today.year, (today.month - 1) // 3 + 1):
        raise ValidationError({"quarter": f"{year}Q{number} has not begun: attest sales once made."})
    now = timezone.now()
    try:
        with transaction.atomic():
            report = UsSalesReport.objects.create(
                organisation_id=organisation_id,
                product=product,
                year=year,
                quarter=number,
                units=units,
                attested_by=actor,
                attested_at=now,
            )
            audit_record(
                actor=actor,
                verb="us_sales_report.filed",
                target=report,
                payload={"product": product.pk, "quarter": report.period, "units": units},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"quarter": f"Your organisation has already attested {product} for {year}Q{number}."}
        ) from error
    return report
