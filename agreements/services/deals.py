"""The binding parts of terms (SPEC § 2 "Terms v2", § 4 "Investment milestones"): party caps inside a terms
period (helpers of the terms writes), and the negotiators' use cases on investment milestones."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agreements import party_services
from agreements.deal_selectors import milestone_overdue
from agreements.models import Agreement, InvestmentMilestone, Party, TermsPartyCap, TermsPeriod, TermsVersion
from agreements.party_matching import PartyRef
from agreements.services._permit import NEGOTIATE, authorize
from agreements.units import h100e
from portal.inbox import notify, users_holding
from portal.permissions import Actor
from portal.services import audit_record


def cap_party(actor: Actor | None, agreement: Agreement, party: Party | PartyRef | int | str | dict) -> Party:
    """A capped party: a register entry (by id, any live party: negotiators name the partner's companies), or
    inline details matched in the register — located in the partner country unless given — or entered in it."""
    if isinstance(party, Party):
        return party
    ref = PartyRef.coerce(party)
    if ref is None:
        raise ValidationError({"allotments": "Name the capped party: its register id or its details."})
    resolved = party_services.party_file(
        actor=actor,
        ref=ref,
        default_country=agreement.country_id,
        via="terms",
        visible=Party.objects.all(),
    )
    assert resolved.party is not None  # party_file matches or creates
    return resolved.party


def clean_party_caps(
    actor: Actor | None, agreement: Agreement, period: dict[str, Any], caps: list[dict[str, Any]]
) -> list[tuple[Party, int]]:
    """Each cap a positive TPP within the period's capacity, one per party, together within it too."""
    where = f"Period starting {period['period_start']}"
    cleaned: dict[int, tuple[Party, int]] = {}
    for cap in caps:
        capacity = cap.get("capacity_tpp")
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity <= 0:
            raise ValidationError({"allotments": f"{where}: each party cap is a positive whole number of TPP."})
        party = cap_party(actor, agreement, cap["party"])
        if party.pk in cleaned:
            raise ValidationError({"allotments": f"{where}: {party} is capped twice."})
        if capacity > period["capacity_tpp"]:
            raise ValidationError(
                {
                    "allotments": f"{where}: the cap of {party} ({h100e(capacity):,} H100e) exceeds the period's "
                    f"capacity ({h100e(period['capacity_tpp']):,} H100e)."
                }
            )
        cleaned[party.pk] = (party, capacity)
    total = sum(capacity for _, capacity in cleaned.values())
    if total > period["capacity_tpp"]:
        raise ValidationError(
            {
                "allotments": f"{where}: the party caps add up to {h100e(total):,} H100e, more than the period's "
                f"capacity ({h100e(period['capacity_tpp']):,} H100e)."
            }
        )
    return list(cleaned.values())


def write_periods(actor: Actor | None, terms: TermsVersion, periods: list[dict[str, Any]]) -> list[TermsPeriod]:
    """The schedule's periods and their party caps (periods already cleaned by terms.clean_schedule)."""
    written = []
    for period in periods:
        caps = clean_party_caps(actor, terms.agreement, period, list(period.get("party_caps") or []))
        row = TermsPeriod.objects.create(
            terms=terms,
            period_start=period["period_start"],
            period_end=period["period_end"],
            capacity_tpp=period["capacity_tpp"],
        )
        TermsPartyCap.objects.bulk_create(
            [TermsPartyCap(period=row, party=party, capacity_tpp=capacity) for party, capacity in caps]
        )
        written.append(row)
    return written


# Investment milestones


def clean_milestones(milestones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for number, milestone in enumerate(milestones, start=1):
        description = str(milestone.get("description") or "").strip()
        amount = milestone.get("amount_usd")
        if not description:
            raise ValidationError({"investment_milestones": f"Milestone {number}: describe it."})
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValidationError({"investment_milestones": f"Milestone {number}: the amount is a positive USD sum."})
        if not isinstance(milestone.get("due_on"), datetime.date):
            raise ValidationError({"investment_milestones": f"Milestone {number}: give its due date."})
        cleaned.append(
            {
                "description": description,
                "amount_usd": amount,
                "due_on": milestone["due_on"],
                "us_site": str(milestone.get("us_site") or "").strip(),
            }
        )
    return cleaned


def write_milestones(terms: TermsVersion, milestones: list[dict[str, Any]]) -> list[InvestmentMilestone]:
    return InvestmentMilestone.objects.bulk_create(
        [InvestmentMilestone(agreement=terms.agreement, terms=terms, **m) for m in clean_milestones(milestones)]
    )


def replace_milestones(terms: TermsVersion, milestones: list[dict[str, Any]]) -> None:
    """While negotiating: the version's milestones are replaced, unless one already has something recorded."""
    recorded = terms.milestones.exclude(delivered_usd=0, verified_usd=0, waived_at__isnull=True)
    if recorded.exists():
        raise ValidationError(
            {"investment_milestones": f"{recorded.first()} has deliveries or a waiver recorded: it stays as it is."}
        )
    terms.milestones.all().delete()
    write_milestones(terms, milestones)


def milestone_snapshot(milestone: InvestmentMilestone) -> dict[str, Any]:
    return {
        "description": milestone.description,
        "amount_usd": str(milestone.amount_usd),
        "due_on": milestone.due_on.isoformat(),
        "us_site": milestone.us_site,
        "delivered_usd": str(milestone.delivered_usd),
        "verified_usd": str(milestone.verified_usd),
    }


def _locked_milestone(milestone_id: int) -> InvestmentMilestone:
    return InvestmentMilestone.objects.select_for_update().select_related("agreement").get(pk=milestone_id)


def milestone_record(
    *, actor: Actor | None, milestone_id: int, delivered_usd: Decimal, verified_usd: Decimal
) -> InvestmentMilestone:
    """A negotiator records what has been delivered and what of it is verified (amounts to date, not increments).
    Verified in full, the milestone no longer blocks the agreement's draws."""
    authorize(actor, NEGOTIATE, action="record investment delivered under an agreement")
    if delivered_usd < 0 or verified_usd < 0:
        raise ValidationError({"delivered_usd": "Amounts are USD sums of zero or more."})
    if verified_usd > delivered_usd:
        raise ValidationError({"verified_usd": "The verified amount cannot exceed what was delivered."})
    with transaction.atomic():
        milestone = _locked_milestone(milestone_id)
        if milestone.waived_at is not None:
            raise ValidationError({"detail": f"{milestone} was waived: nothing more is recorded against it."})
        before = milestone_snapshot(milestone)
        cents = Decimal("0.01")
        milestone.delivered_usd, milestone.verified_usd = delivered_usd.quantize(cents), verified_usd.quantize(cents)
        fully = verified_usd >= milestone.amount_usd
        if fully and milestone.verified_at is None:
            milestone.verified_at, milestone.verified_by = timezone.now(), actor
        elif not fully:
            milestone.verified_at, milestone.verified_by = None, None
        milestone.save()
        audit_record(
            actor=actor,
            verb="milestone.recorded",
            target=milestone.agreement,
            payload={"milestone": milestone.pk, "before": before, "after": milestone_snapshot(milestone)},
        )
    return milestone


def milestone_waive(*, actor: Actor | None, milestone_id: int, reason: str) -> InvestmentMilestone:
    """A negotiator waives a milestone, with a reason: it no longer blocks the agreement's draws."""
    authorize(actor, NEGOTIATE, action="waive an investment milestone")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the milestone is waived."})
    with transaction.atomic():
        milestone = _locked_milestone(milestone_id)
        if milestone.waived_at is not None:
            raise ValidationError({"detail": f"{milestone} was waived already."})
        milestone.waived_at, milestone.waived_by, milestone.waiver_reason = timezone.now(), actor, reason.strip()
        milestone.save()
        audit_record(
            actor=actor,
            verb="milestone.waived",
            target=milestone.agreement,
            payload={"milestone": milestone.pk, "reason": milestone.waiver_reason, **milestone_snapshot(milestone)},
        )
    return milestone


def milestones_mark_overdue(*, today: datetime.date | None = None) -> list[InvestmentMilestone]:
    """The daily job: each milestone past due and neither verified in full nor waived is marked overdue once, and
    the negotiators are told (inbox and e-mail). Draws are denied from the due date whether or not this has run
    (agreements.deal_selectors.milestone_overdue); this only records and announces it. Idempotent."""
    today = today or timezone.localdate()
    now = timezone.now()
    candidates = InvestmentMilestone.objects.filter(
        due_on__lt=today, overdue_marked_at__isnull=True, waived_at__isnull=True, verified_at__isnull=True
    ).select_related("agreement")
    marked = []
    for milestone in candidates:
        if not milestone_overdue(milestone, now):
            continue
        with transaction.atomic():
            claimed = InvestmentMilestone.objects.filter(pk=milestone.pk, overdue_marked_at__isnull=True).update(
                overdue_marked_at=now
            )
            if not claimed:  # another run marked it first
                continue
            agreement = milestone.agreement
            audit_record(
                actor=None,
                verb="milestone.marked_overdue",
                target=milestone,
                payload={
                    "agreement": agreement.reference,
                    "description": milestone.description,
                    "due_on": str(milestone.due_on),
                    "verified_usd": str(milestone.verified_usd),
                },
            )
            notify(
                [agreement.lead_negotiator, *users_holding(NEGOTIATE)],
                about=milestone,
                subject=f"{agreement.reference}: investment milestone overdue",
                body=(
                    f"“{milestone.description}” (USD {milestone.amount_usd:,.2f}) was due on {milestone.due_on} and "
                    f"USD {milestone.verified_usd:,.2f} is verified: new draws on the agreement are denied until it "
                    "is verified or waived."
                ),
                link=f"/admin/agreements/agreement/{agreement.pk}/performance/",
            )
        marked.append(milestone)
    return marked
