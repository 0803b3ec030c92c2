"""The slow-changing facts a determination reads, kept across requests under the reference stamp.

The catalogue, every country with its tiers, Country Groups and whether it counts as the United States, the
approved policies, every programme version with its certifications, and every agreement with its status history,
terms versions and investment milestones change a few times a year (the agreements only when negotiators record
them); a determination read them on every request (up to eleven of its queries). They are read here whole, once
per process per change, and answered from memory for any instant: the same answers
`agreements.selectors.policy_in_force`, `country_facts_on`, `agreement_in_force`, `terms_in_force`,
`agreements.deal_selectors.overdue_milestones` and `licensing.selectors.programmes_in_force` give for that instant
(the history is kept, not only what is in force now). Correctness rests on portal.reference_stamp: every write to
these models replaces the stamp in its transaction, and what is kept is keyed by the stamp read before reading them.

What changes with casework (allotments and what is committed on them and on their party caps, LPP use,
installations, the parties) is never kept: `gather_facts` reads it on every request.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from agreements.choices import AgreementStatus
from agreements.deal_selectors import milestone_overdue
from agreements.models import (
    Agreement,
    AgreementStatusChange,
    Country,
    CountryGroupMembership,
    InvestmentMilestone,
    Policy,
    TermsVersion,
    TierMembership,
)
from agreements.selectors import CountryFacts, approved_policies
from licensing import determination as engine
from licensing.models import Product, ProgrammeVersion
from portal.reference_stamp import Memo


@dataclass(frozen=True)
class ReferenceFacts:
    products: dict[int, Product]  # the active catalogue, chips joined: read, never written through
    countries: dict[str, Country]
    tiers: dict[str, tuple[tuple[datetime.date, int], ...]]  # code → (effective from, tier), ascending
    groups: dict[str, tuple[tuple[str, datetime.date, datetime.date | None], ...]]  # code → (group, from, until)
    counting_as_us: frozenset[str]
    policies: tuple[Policy, ...]  # approved, by effective_from ascending
    programmes: tuple[tuple[datetime.date, datetime.date | None, engine.ProgrammeFacts], ...]  # in the DB's order
    agreements: dict[str, tuple[Agreement, ...]]  # country code → its agreements, newest valid_from (then id) first
    statuses: dict[int, tuple[tuple[datetime.datetime, str], ...]]  # agreement id → (at, to status), in record order
    terms: dict[int, tuple[TermsVersion, ...]]  # agreement id → its versions, ascending
    milestones: dict[int, tuple[InvestmentMilestone, ...]]  # agreement id → by due date then id, terms joined

    def policy_in_force(self, at: datetime.datetime) -> Policy:
        """As agreements.selectors.policy_in_force(at)."""
        in_force = [policy for policy in self.policies if policy.effective_from <= at]
        if not in_force:
            raise Policy.DoesNotExist(f"No policy was in force at {at.isoformat()}.")
        return in_force[-1]

    def country_facts_on(self, codes: set[str], on: datetime.date) -> CountryFacts:
        """As agreements.selectors.country_facts_on(codes, on)."""
        tiers: dict[str, int | None] = {}
        groups: dict[str, frozenset[str]] = {}
        for code in codes:
            tier = None
            for since, value in self.tiers.get(code, ()):
                if since <= on:
                    tier = value
            tiers[code] = tier
            groups[code] = frozenset(
                group
                for group, since, until in self.groups.get(code, ())
                if since <= on and (until is None or until > on)
            )
        return CountryFacts(tiers, groups, frozenset(code for code in codes if code in self.counting_as_us))

    def programmes_in_force(self, on: datetime.date) -> tuple[engine.ProgrammeFacts, ...]:
        """As licensing.selectors.programmes_in_force(on)."""
        return tuple(facts for since, until, facts in self.programmes if since <= on and (until is None or until >= on))

    def agreement_in_force(self, code: str, at: datetime.datetime) -> Agreement | None:
        """As agreements.selectors.agreement_in_force(code, at): valid on date(at), and in force by the last status
        change recorded (by id) among those that took effect at or before `at`."""
        on = at.date()
        for agreement in self.agreements.get(code, ()):
            if agreement.valid_from <= on <= agreement.valid_until and self._status_at(agreement.pk, at) == (
                AgreementStatus.IN_FORCE
            ):
                return agreement
        return None

    def _status_at(self, agreement_id: int, at: datetime.datetime) -> str | None:
        status = None
        for since, to_status in self.statuses.get(agreement_id, ()):
            if since <= at:
                status = to_status
        return status

    def terms_in_force(self, agreement: Agreement, on: datetime.date) -> TermsVersion:
        """As agreements.selectors.terms_in_force(agreement, on)."""
        versions = self.terms.get(agreement.pk, ())
        if not versions:
            raise TermsVersion.DoesNotExist(f"Agreement {agreement.reference} has no terms.")
        effective = [terms for terms in versions if terms.effective_from <= on]
        return effective[-1] if effective else versions[0]

    def overdue_milestones(
        self, agreement: Agreement, version: int, at: datetime.datetime
    ) -> list[InvestmentMilestone]:
        """As agreements.deal_selectors.overdue_milestones(agreement, version, at)."""
        return [
            milestone
            for milestone in self.milestones.get(agreement.pk, ())
            if milestone.terms.version <= version and milestone_overdue(milestone, at)
        ]


def _load() -> ReferenceFacts:
    from licensing.selectors import programme_facts  # the one conversion of a version to the engine's facts

    tiers: dict[str, list[tuple[datetime.date, int]]] = defaultdict(list)
    for code, since, tier in TierMembership.objects.order_by("country_id", "effective_from", "id").values_list(
        "country_id", "effective_from", "tier"
    ):
        tiers[code].append((since, tier))
    groups: dict[str, list[tuple[str, datetime.date, datetime.date | None]]] = defaultdict(list)
    for code, group, since, until in CountryGroupMembership.objects.values_list(
        "country_id", "group", "effective_from", "effective_until"
    ):
        groups[code].append((group, since, until))
    countries = {country.code: country for country in Country.objects.all()}
    versions = ProgrammeVersion.objects.select_related("programme").prefetch_related("named_products", "certifications")
    agreements: dict[str, list[Agreement]] = defaultdict(list)
    for agreement in Agreement.objects.order_by("country_id", "-valid_from", "-id"):
        agreements[agreement.country_id].append(agreement)
    statuses: dict[int, list[tuple[datetime.datetime, str]]] = defaultdict(list)
    for agreement_id, at, to_status in AgreementStatusChange.objects.order_by("agreement_id", "id").values_list(
        "agreement_id", "at", "to_status"
    ):
        statuses[agreement_id].append((at, to_status))
    terms: dict[int, list[TermsVersion]] = defaultdict(list)
    for version in TermsVersion.objects.order_by("agreement_id", "version"):
        terms[version.agreement_id].append(version)
    milestones: dict[int, list[InvestmentMilestone]] = defaultdict(list)
    for milestone in InvestmentMilestone.objects.select_related("terms").order_by("agreement_id", "due_on", "id"):
        milestones[milestone.agreement_id].append(milestone)
    return ReferenceFacts(
        products=Product.objects.filter(is_active=True).select_related("chip").in_bulk(),
        countries=countries,
        tiers={code: tuple(rows) for code, rows in tiers.items()},
        groups={code: tuple(rows) for code, rows in groups.items()},
        counting_as_us=frozenset(code for code, country in countries.items() if country.counts_as_us),
        policies=tuple(approved_policies().order_by("effective_from", "id")),
        programmes=tuple(
            (version.effective_from, version.effective_until, programme_facts(version)) for version in versions
        ),
        agreements={code: tuple(rows) for code, rows in agreements.items()},
        statuses={pk: tuple(rows) for pk, rows in statuses.items()},
        terms={pk: tuple(rows) for pk, rows in terms.items()},
        milestones={pk: tuple(rows) for pk, rows in milestones.items()},
    )


_memo: Memo[ReferenceFacts] = Memo(_load)


def reference_facts() -> ReferenceFacts:
    """The reference facts as committed now (or as this transaction wrote them): one query when they are kept."""
    return _memo.get()
