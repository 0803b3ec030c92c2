"""The slow-changing facts a determination reads, kept across requests under the reference stamp.

The catalogue, every country with its tiers, Country Groups and whether it counts as the United States, the
approved policies and every programme version with its certifications change a few times a year; a determination
read them on every request (eight of its queries). They are read here whole, once per process per change, and
answered from memory for any instant: the same answers `agreements.selectors.policy_in_force`,
`country_facts_on` and `licensing.selectors.programmes_in_force` give for that instant (the history is kept, not
only what is in force now). Correctness rests on portal.reference_stamp: every write to these models replaces the
stamp in its transaction, and what is kept is keyed by the stamp read before reading them.

What changes with casework (agreements in force and their terms, allotments and what is committed on them, LPP use,
installations, the parties) is never kept: `gather_facts` reads it on every request.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from agreements.models import Country, CountryGroupMembership, Policy, TierMembership
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
    )


_memo: Memo[ReferenceFacts] = Memo(_load)


def reference_facts() -> ReferenceFacts:
    """The reference facts as committed now (or as this transaction wrote them): one query when they are kept."""
    return _memo.get()
