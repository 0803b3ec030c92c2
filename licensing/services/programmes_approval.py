"""What an approval under a licence-review programme must also satisfy (SPEC § 4 v2 "Approval under a
programme"): its certifications on the application, the US-volume ratio against attested US sales, and the
per-customer cap. Counts are of chips: a system's units × the chips it holds (SPEC § 3.1 step 4)."""

import datetime
import math
from collections import Counter
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When

from agreements import selectors as agreements_selectors
from agreements.models import Party
from licensing import determination as engine
from licensing.choices import LevyBasis, LicenceStatus, PartyRole, ProductKind
from licensing.errors import DecisionRefused
from licensing.models import (
    Application,
    ApplicationParty,
    LicenceLine,
    Product,
    ProgrammeVersion,
    UsSalesReport,
)
from portal.models import Organisation

_RELEASED = (LicenceStatus.EXPIRED, LicenceStatus.REVOKED)


def quarters_ending(on: datetime.date, count: int) -> list[tuple[int, int]]:
    """The calendar quarter containing `on` and the `count - 1` before it, newest first, as (year, quarter)."""
    year, quarter = on.year, (on.month - 1) // 3 + 1
    found = []
    for _ in range(count):
        found.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found


def period_label(quarters: list[tuple[int, int]]) -> str:
    oldest, newest = quarters[-1], quarters[0]
    return f"{oldest[0]}Q{oldest[1]}–{newest[0]}Q{newest[1]}"


def destination_countries(version: ProgrammeVersion, on: datetime.date) -> set[str]:
    """The programme's destinations as country codes on a date (its Country Groups resolved)."""
    codes = {d for d in version.destinations if ":" not in d}
    groups = {d for d in version.destinations if ":" in d}
    if groups:
        codes |= agreements_selectors.countries_in_groups(groups, on)
    return codes


def _chips_of(chip_id: int, *, prefix: str = "") -> tuple[Q, Case]:
    """Rows whose product is the chip or a system holding it, and each row's chips per unit."""
    product = f"{prefix}product"
    where = Q(**{f"{product}_id": chip_id}) | Q(**{f"{product}__chip_id": chip_id})
    per_unit = Case(
        When(**{f"{product}__kind": ProductKind.SYSTEM}, then=F(f"{product}__chips_per_system")),
        default=1,
        output_field=IntegerField(),
    )
    return where, per_unit


def licensed_chips(lines: QuerySet[LicenceLine], chip_id: int) -> int:
    """Chips licensed on `lines`: approved units, or only the shipped ones of an expired or revoked licence."""
    where, per_unit = _chips_of(chip_id)
    units = Case(
        When(licence__status__in=_RELEASED, then=F("shipped_quantity")),
        default=F("approved_quantity"),
        output_field=IntegerField(),
    )
    return lines.filter(where).aggregate(total=Sum(units * per_unit))["total"] or 0


def attested_us_chips(organisation_id: int, chip_id: int, quarters: list[tuple[int, int]]) -> int:
    where, per_unit = _chips_of(chip_id)
    in_window = Q(pk__in=[])
    for year, quarter in quarters:
        in_window |= Q(year=year, quarter=quarter)
    reports = UsSalesReport.objects.filter(where, in_window, organisation_id=organisation_id)
    return reports.aggregate(total=Sum(F("units") * per_unit))["total"] or 0


def requested_chips(request: engine.Request, result: engine.Determination) -> Counter[int]:
    counted: Counter[int] = Counter()
    for line in request.lines:
        if line.product_id in result.controlled_products and line.chip_id is not None:
            counted[line.chip_id] += line.chips
    return counted


def check_certifications(application: Application, result: engine.Determination) -> None:
    affirmed = set(application.affirmations.values_list("certification_id", flat=True))
    missing = [c for c in result.certifications if c.id not in affirmed]
    if missing:
        raise DecisionRefused(
            "Cannot approve: the application does not carry every certification of the programme that applies "
            f"({'; '.join(c.text for c in missing)}). Return it so the exporter files again and affirms them."
        )


def check_us_volume_ratio(
    application: Application, version: ProgrammeVersion, chips: Counter[int], now: datetime.datetime
) -> None:
    """Licensed chips of each product to the programme's destinations by this organisation, plus this approval,
    within the ratio of its attested US sales of that product over the window. The caller holds the
    organisation's lock, so two approvals for one exporter are checked one after the other."""
    ratio = version.us_volume_ratio_percent
    if ratio is None:
        return
    quarters = quarters_ending(now.date(), version.us_volume_window_quarters)
    countries = destination_countries(version, now.date())
    already = LicenceLine.objects.filter(
        licence__organisation_id=application.organisation_id, licence__application__destination__in=countries
    )
    names = dict(Product.objects.filter(pk__in=chips).values_list("pk", "name"))
    for chip_id, requested in sorted(chips.items()):
        sales = attested_us_chips(application.organisation_id, chip_id, quarters)
        licensed = licensed_chips(already, chip_id)
        limit = math.floor(Decimal(sales) * ratio / 100)
        if licensed + requested > limit:
            raise DecisionRefused(
                f"Cannot approve: {version.programme.name} ({version.programme.citation}) limits {names[chip_id]} "
                f"exports to {', '.join(sorted(countries & set(version.destinations)) or sorted(countries))} to "
                f"{ratio.normalize():f} % of the units sold to US customers. {application.organisation.name} attested "
                f"{sales:,} sold in {period_label(quarters)}, so at most {limit:,} chips; {licensed:,} are already "
                f"licensed and this approval asks {requested:,} ({licensed + requested:,} in all). At most "
                f"{max(limit - licensed, 0):,} more can be approved."
            )


def check_per_customer_cap(
    application: Application, version: ProgrammeVersion, chips: Counter[int], request: engine.Request
) -> None:
    """Chips licensed to the ultimate consignee under this programme (every exporter) + this approval ≤ the cap.
    Locks the consignee's register row first, so approvals for one customer are checked one after the other."""
    cap = version.per_customer_cap_units
    if cap is None or request.consignee_party is None:
        return
    Party.objects.select_for_update().filter(pk=request.consignee_party).first()
    consignee_of = ApplicationParty.objects.filter(
        party_id=request.consignee_party, role=PartyRole.ULTIMATE_CONSIGNEE
    ).values("application_id")
    lines = LicenceLine.objects.filter(
        licence__application__in=consignee_of, licence__programme_version__programme_id=version.programme_id
    )
    licensed = sum(licensed_chips(lines, chip_id) for chip_id in chips)
    requested = sum(chips.values())
    if licensed + requested > cap:
        raise DecisionRefused(
            f"Cannot approve: {version.programme.name} caps each customer at {cap:,} chips; {request.consignee} has "
            f"{licensed:,} licensed under it and this approval asks {requested:,} ({licensed + requested:,}). At most "
            f"{max(cap - licensed, 0):,} more can be approved."
        )


def lock_organisation(organisation_id: int) -> None:
    """Approvals for one exporter under a ratio are decided one after the other: the organisation row is the lock
    (taken after the application's, before any allotment's)."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()


def check_programme_approval(
    application: Application, result: engine.Determination, request: engine.Request, now: datetime.datetime
) -> ProgrammeVersion | None:
    """Every check of an approval under the programme the determination applies; the version, or None."""
    if result.programme is None:
        return None
    check_certifications(application, result)
    version = ProgrammeVersion.objects.select_related("programme").get(pk=result.programme.version_id)
    lock_organisation(application.organisation_id)
    chips = requested_chips(request, result)
    check_us_volume_ratio(application, version, chips, now)
    check_per_customer_cap(application, version, chips, request)
    return version


def programme_obligations(version: ProgrammeVersion | None) -> list[dict]:
    """What a licence issued under the programme owes (issue 13 makes them tracked obligations)."""
    if version is None:
        return []
    obligations = []
    if version.shipment_evidence:
        obligations.append({"kind": "shipment_evidence", "text": version.shipment_evidence})
    if version.levy_percent is not None:
        basis = LevyBasis(version.levy_basis)
        percent = f"{version.levy_percent.normalize():f}"
        what = "duty on the chips" if basis == LevyBasis.DUTY else "of the related revenue"
        obligations.append(
            {
                "kind": "revenue_share",
                "basis": basis.value,
                "percent": percent,
                "text": f"{percent} % {what}, per shipment ({version.programme.citation}).",
            }
        )
    return obligations
