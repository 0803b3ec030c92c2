"""Agreements in a given state, built through the same services the API and the admin call."""

import datetime
import itertools
from typing import Any

from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.models import Agreement, Country
from agreements.units import H100_TPP
from portal.choices import Role
from tests.factories import make_user

_references = itertools.count(1)

# The transitions (service, reason) that take a new draft to each status.
_START = (services.agreement_start_negotiation, "")
_SIGN = (services.agreement_sign, "")
_ENTER = (services.agreement_enter_into_force, "")
PATHS: dict[str, tuple[tuple[Any, str], ...]] = {
    S.DRAFT: (),
    S.NEGOTIATING: (_START,),
    S.SIGNED: (_START, _SIGN),
    S.IN_FORCE: (_START, _SIGN, _ENTER),
    S.SUSPENDED: (_START, _SIGN, _ENTER, (services.agreement_suspend, "Reporting obligations missed")),
    S.TERMINATED: (_START, _SIGN, _ENTER, (services.agreement_terminate, "Partner withdrew")),
    S.EXPIRED: (_START, _SIGN, (services.agreement_expire, "")),
}


def this_year() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def period(start: datetime.date, end: datetime.date, capacity_tpp: int) -> dict[str, Any]:
    return {"period_start": start, "period_end": end, "capacity_tpp": capacity_tpp}


def terms_body(**overrides: Any) -> dict[str, Any]:
    """Terms like SPEC § 5.3's example, with one period covering today of 1,000 H100e."""
    start, end = this_year()
    return {
        "allotments": [period(start, end, 1_000 * H100_TPP)],
        "lpp_threshold_tpp": None,
        "government_assurances": True,
        "site_visits_accepted": False,
        "reporting_cadence": "quarterly",
        "security_conditions": ["Compute-usage reports to BIS"],
        **overrides,
    }


def make_negotiator(**kwargs: Any):
    return make_user(Role.NEGOTIATOR, **kwargs)


def advance(agreement: Agreement, to: str, *, actor=None) -> Agreement:
    """Take a draft agreement along the usual path to status `to`."""
    for service, reason in PATHS[to]:
        agreement = service(actor=actor, agreement=agreement, reason=reason)
    return agreement


def make_agreement(
    status: str = S.DRAFT,
    *,
    actor=None,
    country: str = "IN",
    reference: str | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    **terms: Any,
) -> Agreement:
    """An agreement in `status`, valid from 1 January this year for three years unless told otherwise."""
    start, _ = this_year()
    valid_from = valid_from or start
    agreement = services.agreement_create(
        actor=actor,
        country=Country.objects.get(code=country),
        reference=reference or f"G2G-{country}-T{next(_references):04d}",
        title=f"US–{country} AI compute arrangement",
        valid_from=valid_from,
        valid_until=valid_until or valid_from.replace(year=valid_from.year + 3) - datetime.timedelta(days=1),
        terms=terms_body(**terms),
    )
    agreement = advance(agreement, status, actor=actor)
    agreement.refresh_from_db()
    return agreement


def schedule_rows(*periods: tuple, caps: dict[int, list[tuple]] | None = None, initial: int = 0) -> dict[str, str]:
    """The POST data of the terms form's schedule rows, as a browser sends it: each period (start, end, amount,
    unit), and under period n its caps (party as typed, amount, unit). `initial` rows were shown filled."""
    data = {
        "schedule-TOTAL_FORMS": str(len(periods)),
        "schedule-INITIAL_FORMS": str(initial),
        "schedule-MIN_NUM_FORMS": "0",
        "schedule-MAX_NUM_FORMS": "1000",
    }
    for n, (start, end, amount, unit) in enumerate(periods):
        row = f"schedule-{n}"
        data |= {f"{row}-period_start": str(start), f"{row}-period_end": str(end)}
        data |= {f"{row}-amount": str(amount), f"{row}-unit": unit}
        mine = (caps or {}).get(n, [])
        data |= {f"{row}-caps-TOTAL_FORMS": str(len(mine)), f"{row}-caps-INITIAL_FORMS": "0"}
        data |= {f"{row}-caps-MIN_NUM_FORMS": "0", f"{row}-caps-MAX_NUM_FORMS": "1000"}
        for m, (party, cap_amount, cap_unit) in enumerate(mine):
            cap = f"{row}-caps-{m}"
            data |= {f"{cap}-party": party, f"{cap}-amount": str(cap_amount), f"{cap}-unit": cap_unit}
    return data
