"""The impact of a regime switch (SPEC § 4 "Regime switch", § 3 last paragraph): EVERY pending application, its
determination now and under the proposal, decided in bulk (licensing.bulk: the facts read once for all cases).

The preview is a summary — per change of outcome and presumption, and per destination and change: how many
applications and how much TPP — and the detail, one row per application, a page at a time or as CSV.
"""

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from agreements.models import Policy
from agreements.units import h100e
from licensing import bulk
from licensing import determination as engine


@dataclass(frozen=True)
class ImpactRow:
    case: bulk.PendingCase
    current: engine.Determination
    proposed: engine.Determination
    proposed_allotment: engine.AllotmentFacts | None  # what the proposal would draw on (hypothetical: no id)

    @property
    def changed(self) -> bool:
        return (self.current.outcome, self.current.presumption) != (self.proposed.outcome, self.proposed.presumption)

    def as_dict(self) -> dict:
        """The API's row (SPEC § 5.1): the application and both determinations in full."""
        case = self.case
        return {
            "id": case.id,
            "acn": case.acn,
            "status": case.status,
            "organisation": case.organisation,
            "destination": case.destination,
            "requested_tpp": case.requested_tpp,
            "current": self.current.as_dict(),
            "proposed": proposed_dict(self.proposed, self.proposed_allotment),
            "changed": self.changed,
        }


def proposed_dict(determination: engine.Determination, allotment: engine.AllotmentFacts | None) -> dict:
    """A proposed determination as JSON; one drawn on a Tier 2 allocation the proposal would open (no row yet)
    shows that allocation with no id, `hypothetical`."""
    answer = determination.as_dict()
    remaining = determination.allotment_remaining_tpp
    if answer["allotment"] is None and remaining is not None and allotment is not None:
        answer["allotment"] = {
            "id": None,
            "hypothetical": True,
            "remaining_tpp": remaining,
            "remaining_h100e": str(h100e(remaining)),
            "period_start": allotment.period_start.isoformat(),
            "period_end": allotment.period_end.isoformat(),
        }
    return answer


def _answer(determination: engine.Determination) -> dict:
    return {
        "outcome": determination.outcome.value,
        "presumption": determination.presumption.value if determination.presumption else None,
    }


@dataclass(frozen=True)
class ImpactPreview:
    at: datetime.datetime
    rows: list[ImpactRow]

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.changed)

    def changes(self) -> list[dict]:
        """Per change of outcome and presumption (no change included): applications and TPP, most cases first."""
        return _grouped(self.rows, with_destination=False)

    def destinations(self) -> list[dict]:
        """Per destination and change of outcome and presumption: applications and TPP, by destination."""
        return _grouped(self.rows, with_destination=True)

    def selected(self, *, changed: bool | None = None, destination: str | None = None) -> list[ImpactRow]:
        return [
            row
            for row in self.rows
            if (changed is None or row.changed == changed) and (not destination or row.case.destination == destination)
        ]


def _grouped(rows: Iterable[ImpactRow], *, with_destination: bool) -> list[dict]:
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        current, proposed = row.current, row.proposed
        key = (
            row.case.destination if with_destination else None,
            current.outcome.value,
            current.presumption.value if current.presumption else None,
            proposed.outcome.value,
            proposed.presumption.value if proposed.presumption else None,
        )
        totals = groups[key]
        totals[0] += 1
        totals[1] += row.case.requested_tpp
    result = []
    for (destination, outcome, presumption, new_outcome, new_presumption), (count, tpp) in groups.items():
        entry = {
            "current": {"outcome": outcome, "presumption": presumption},
            "proposed": {"outcome": new_outcome, "presumption": new_presumption},
            "changed": (outcome, presumption) != (new_outcome, new_presumption),
            "applications": count,
            "requested_tpp": tpp,
            "requested_h100e": str(h100e(tpp)),
        }
        result.append({"destination": destination, **entry} if with_destination else entry)
    if with_destination:
        return sorted(result, key=lambda e: (e["destination"], not e["changed"], -e["applications"]))
    return sorted(result, key=lambda e: (not e["changed"], -e["applications"]))


def impact_preview(proposal: Policy, *, at: datetime.datetime | None = None) -> ImpactPreview:
    """Every pending application (oldest submission first), determined at `at` (now) under the policy in force and
    under `proposal`, every parameter of it applied. A constant number of queries whatever the number of cases."""
    at = at or timezone.now()
    with bulk.cyclic_gc_paused():
        cases = bulk.pending_cases(at)
        requests = [case.request for case in cases]
        current = bulk.determine_many(requests)
        proposed_facts = bulk.gather_facts_many(requests, policy=proposal)
        rows = [
            ImpactRow(case, now, engine.determine(case.request, facts), facts.allotment)
            for case, now, facts in zip(cases, current, proposed_facts, strict=True)
        ]
    return ImpactPreview(at, rows)


# The detail as CSV: one line per pending application, the answer now and as proposed with its deciding rule

CSV_HEADER = (
    "acn",
    "status",
    "organisation",
    "destination",
    "requested_tpp",
    "current_outcome",
    "current_presumption",
    "current_rule",
    "current_allotment",
    "current_remaining_tpp",
    "proposed_outcome",
    "proposed_presumption",
    "proposed_rule",
    "proposed_allotment",
    "proposed_remaining_tpp",
    "changed",
)


def _deciding_rule(determination: engine.Determination) -> str:
    return determination.reasons[-1].rule if determination.reasons else ""


CSV_CHUNK = 1_000  # rows per piece of a streamed download


def csv_lines(rows: Iterable[ImpactRow]) -> Iterator[str]:
    """The header, then the rows' lines, CSV_CHUNK rows to a piece (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flushed() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    for count, row in enumerate(rows, start=1):
        if count % CSV_CHUNK == 0:
            yield flushed()
        case, now, then = row.case, row.current, row.proposed
        hypothetical = then.allotment_id is None and then.allotment_remaining_tpp is not None
        writer.writerow(
            (
                case.acn,
                case.status,
                case.organisation,
                case.destination,
                case.requested_tpp,
                now.outcome.value,
                now.presumption.value if now.presumption else "",
                _deciding_rule(now),
                now.allotment_id or "",
                "" if now.allotment_remaining_tpp is None else now.allotment_remaining_tpp,
                then.outcome.value,
                then.presumption.value if then.presumption else "",
                _deciding_rule(then),
                "hypothetical" if hypothetical else (then.allotment_id or ""),
                "" if then.allotment_remaining_tpp is None else then.allotment_remaining_tpp,
                "yes" if row.changed else "no",
            )
        )
    yield flushed()
