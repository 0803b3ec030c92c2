"""Reads of the binding terms (SPEC § 2 "Terms v2"): party caps with each party's committed draws, investment
milestones and whether they are overdue, and a deal's performance per period and party."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, Sum, When
from django.db.models.functions import Coalesce

from agreements.choices import LedgerKind
from agreements.models import (
    Agreement,
    Allotment,
    AllotmentPartyCap,
    InvestmentMilestone,
    LedgerEntryParty,
    Party,
)
from agreements.selectors import MAX_PARENT_CHAIN, remaining_of


def survivors_of(party_ids: Iterable[int]) -> dict[int, int]:
    """Each party id → its live survivor's id (itself when never merged), following merge chains."""
    result = {pk: pk for pk in party_ids}
    pending = set(result)
    for _ in range(MAX_PARENT_CHAIN):
        merged: dict[int, int] = {
            pk: into
            for pk, into in Party.objects.filter(pk__in=pending, merged_into__isnull=False).values_list(
                "pk", "merged_into"
            )
            if into is not None
        }
        if not merged:
            break
        for original, current in result.items():
            if current in merged:
                result[original] = merged[current]
        pending = set(merged.values())
    return result


def party_committed(allotment_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(allotment id, live party id) → TPP that party's draws hold on the allotment (reserve − release), counting
    every draw it was the ultimate consignee or an end user of, and those of parties since merged into it."""
    signed = Case(When(entry__kind=LedgerKind.RESERVE, then=F("entry__tpp")), default=-F("entry__tpp"))
    rows = list(
        LedgerEntryParty.objects.filter(entry__allotment_id__in=list(allotment_ids))
        .values("entry__allotment_id", "party_id")
        .annotate(net=Coalesce(Sum(signed), 0))
    )
    live = survivors_of({row["party_id"] for row in rows})
    committed: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        committed[(row["entry__allotment_id"], live[row["party_id"]])] += row["net"]
    return dict(committed)


@dataclass(frozen=True)
class CapUsage:
    """A party cap on an allotment and what the party's draws hold of it."""

    allotment_id: int
    party: Party
    capacity_tpp: int
    committed_tpp: int

    @property
    def remaining_tpp(self) -> int:
        return remaining_of(self.capacity_tpp, self.committed_tpp)


def cap_usage(allotment_ids: Iterable[int], *, party_ids: Iterable[int] | None = None) -> list[CapUsage]:
    """The party caps of the allotments (only those of `party_ids` if given) with each party's committed TPP.
    Two queries whatever the number of allotments (three when a capped party was merged)."""
    ids = list(allotment_ids)
    query = AllotmentPartyCap.objects.filter(allotment_id__in=ids).select_related("party")
    if party_ids is not None:
        query = query.filter(party_id__in=list(party_ids))
    caps = list(query.order_by("allotment_id", "party__name"))
    if not caps:
        return []
    committed = party_committed(ids)
    return [
        CapUsage(cap.allotment_id, cap.party, cap.capacity_tpp, committed.get((cap.allotment_id, cap.party_id), 0))
        for cap in caps
    ]


# Investment milestones


def milestone_verified(milestone: InvestmentMilestone, at: datetime.datetime) -> bool:
    return milestone.verified_at is not None and milestone.verified_at <= at


def milestone_waived(milestone: InvestmentMilestone, at: datetime.datetime) -> bool:
    return milestone.waived_at is not None and milestone.waived_at <= at


def milestone_overdue(milestone: InvestmentMilestone, at: datetime.datetime) -> bool:
    """Past due on date(at) and, as recorded at `at`, neither fully verified nor waived (SPEC § 3.4 step 7)."""
    return (
        milestone.due_on < at.date() and not milestone_verified(milestone, at) and not milestone_waived(milestone, at)
    )


def milestones_binding(agreement: Agreement, version: int) -> list[InvestmentMilestone]:
    """The milestones set by this terms version or an earlier one (an amendment adds milestones; earlier ones stay
    binding until verified or waived)."""
    return list(agreement.milestones.filter(terms__version__lte=version).order_by("due_on", "id"))


def overdue_milestones(agreement: Agreement, version: int, at: datetime.datetime) -> list[InvestmentMilestone]:
    return [m for m in milestones_binding(agreement, version) if milestone_overdue(m, at)]


# Deal performance (SPEC § 5 issue 13 item 5): per period and capped party; shipped figures are licensing's


@dataclass(frozen=True)
class PerformanceRow:
    """One period (party None: the whole allotment) or one capped party in it."""

    allotment: Allotment
    party: Party | None
    capacity_tpp: int
    committed_tpp: int
    shipped_tpp: int | None  # None: the caller did not give shipments (agreements does not know them)

    @property
    def remaining_tpp(self) -> int:
        return remaining_of(self.capacity_tpp, self.committed_tpp)


def agreement_performance(
    agreement: Agreement, *, shipped: Mapping[tuple[int, int | None], int] | None = None
) -> list[PerformanceRow]:
    """Each allotment of the agreement (by period), then each of its capped parties. `shipped`, the caller's:
    (allotment id, party id or None for the whole allotment) → TPP shipped under licences drawing on it."""
    allotments = list(Allotment.objects.filter(agreement=agreement).order_by("period_start"))
    caps = cap_usage([a.pk for a in allotments])
    by_allotment: dict[int, list[CapUsage]] = defaultdict(list)
    for cap in caps:
        by_allotment[cap.allotment_id].append(cap)
    rows = []
    for allotment in allotments:
        rows.append(
            PerformanceRow(
                allotment,
                None,
                allotment.capacity_tpp,
                allotment.committed_tpp,
                None if shipped is None else shipped.get((allotment.pk, None), 0),
            )
        )
        for cap in by_allotment[allotment.pk]:
            party_shipped = None if shipped is None else shipped.get((allotment.pk, cap.party.pk), 0)
            rows.append(PerformanceRow(allotment, cap.party, cap.capacity_tpp, cap.committed_tpp, party_shipped))
    return rows


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: InvestmentMilestone
    verified: bool
    waived: bool
    overdue: bool

    @property
    def outstanding_usd(self) -> Decimal:
        return max(self.milestone.amount_usd - self.milestone.verified_usd, Decimal(0))


def agreement_milestones(agreement: Agreement, at: datetime.datetime) -> list[MilestoneStatus]:
    milestones = agreement.milestones.select_related("terms").order_by("due_on", "id")
    return [
        MilestoneStatus(m, milestone_verified(m, at), milestone_waived(m, at), milestone_overdue(m, at))
        for m in milestones
    ]


# Obligations and revenue share (SPEC § 2 Obligation): licensing's figures, which agreements only carries


@dataclass(frozen=True)
class ObligationCounts:
    """What the agreement's licences owe of one kind: open (or rejected, owed again), submitted for review,
    overdue (past due and not accepted, whatever its status) and accepted."""

    kind: str
    label: str
    open: int = 0
    submitted: int = 0
    overdue: int = 0
    accepted: int = 0

    @property
    def total(self) -> int:
        return self.open + self.submitted + self.accepted


@dataclass(frozen=True)
class RevenueShareTotals:
    """The revenue share the agreement's licences owe on their shipments, what was paid against it (payments
    recorded and not rejected), and what is still outstanding (per obligation, never below 0)."""

    owed_usd: Decimal = Decimal("0.00")
    paid_usd: Decimal = Decimal("0.00")
    outstanding_usd: Decimal = Decimal("0.00")
