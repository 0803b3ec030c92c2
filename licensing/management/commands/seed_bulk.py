"""Load a large world for performance work (SPEC § 6): `--applications N` licence applications in every status,
with proportional licences, shipments, LPP notifications, questions, referrals and the audit trail, across many
countries and organisations. Additive: every run adds N more.

Bulk inserts bypass the services for speed, but write what the services would have written:
- ACNs and licence numbers come from the NumberSequence counters, each advanced once by the count used;
- every submitted application carries the pure engine's determination on the facts in force for its destination;
- licences exist only for approved applications; one drawing on an allotment has a reserve in the ledger (and a
  release of its unshipped part when revoked), and the allotment's committed_tpp moves by the same amount in the same
  transaction, so committed = Σ reserve − Σ release stays true and no allotment is overdrawn;
- every transition leaves the audit event its service records.

Destinations whose facts changed over time (a tier change, an agreement that has been in force) are left out, so
the facts in force now are the facts in force at every seeded instant.
"""

import dataclasses
import datetime
import itertools
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from agreements import selectors as agreements_selectors
from agreements.choices import AgreementStatus, EndUseCategory, LedgerKind, PolicyKind, Tier
from agreements.models import AgreementStatusChange, Allotment, Country, LedgerEntry, Party, TierMembership
from licensing import determination as engine
from licensing import selectors
from licensing.choices import (
    FINAL_APPLICATION_STATUSES,
    PENDING_APPLICATION_STATUSES,
    Eccn,
    PartyRole,
    Recommendation,
    RecommendationKind,
)
from licensing.choices import ApplicationStatus as S
from licensing.choices import LicenceStatus as L
from licensing.models import (
    Application,
    ApplicationLine,
    ApplicationParty,
    InfoRequest,
    Licence,
    LicenceLine,
    LppConsigneeYear,
    LppNotification,
    LppNotificationLine,
    NumberSequence,
    Product,
    RecommendationEntry,
    Referral,
    Shipment,
    ShipmentLine,
)
from licensing.services.applications import REVIEW_DAYS
from licensing.services.numbers import acn, licence_number, reserve_licence_serials
from licensing.services.review import REFERRAL_DAYS
from licensing.workflow import APPLICATION, LICENCE
from portal.choices import REVIEWING_AGENCIES, Role
from portal.models import AuditEvent
from portal.services import portal_user_upsert

DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)
STATUS_SHARES = {
    S.DRAFT: 0.06,
    S.SUBMITTED: 0.08,
    S.UNDER_REVIEW: 0.14,
    S.INFO_REQUESTED: 0.05,
    S.REFERRED: 0.06,
    S.APPROVED: 0.30,
    S.DENIED: 0.12,
    S.RETURNED: 0.07,
    S.WITHDRAWN: 0.12,
}
LICENCE_FATES = {L.ACTIVE: 0.74, L.EXHAUSTED: 0.14, L.SUSPENDED: 0.04, L.REVOKED: 0.08}
DRAW_SHARE = 0.6  # the seed commits at most this share of what remained of each allotment: room left for real draws
MAJOR_MARKETS = ["BR", "MX", "SG", "MY", "ID", "VN", "TH", "IL", "PL", "TR", "EG", "KE", "ZA", "PK", "PH", "CL", "CO"]
PROHIBITED_OK = {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.DENIED, S.RETURNED, S.WITHDRAWN}
CONSIGNEE_KINDS = ["Compute", "AI Cloud", "Data Centres", "Research Institute", "Telecom AI", "Sovereign Cloud"]
QUESTION = "Who operates the data centre day to day, and where are its owners headquartered?"
ANSWER = "Operated by the consignee's own staff; owners headquartered in the destination country."


@dataclass(frozen=True)
class Spec:
    """One application's life in outline: its final status and the instants that frame it."""

    status: str
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    ended_at: datetime.datetime | None  # decided, returned or withdrawn
    destination: str | None = None  # given (e.g. by a benchmark), else drawn
    steps: tuple[str, ...] | None = None  # the steps after submission, given, else drawn for the status


def plan(count: int, rng: random.Random, start: datetime.datetime, now: datetime.datetime) -> list[Spec]:
    """Exactly `count` applications in the STATUS_SHARES proportions, in the order they were created."""
    counts = {status: int(count * share) for status, share in STATUS_SHARES.items()}
    counts[S.APPROVED] += count - sum(counts.values())
    statuses = [status for status, n in counts.items() for _ in range(n)]
    rng.shuffle(statuses)
    return sorted((_spec(status, rng, start, now) for status in statuses), key=lambda spec: spec.created_at)


def _between(rng: random.Random, low: datetime.datetime, high: datetime.datetime) -> datetime.datetime:
    return low + (high - low) * rng.random()


def _spec(status: str, rng: random.Random, start: datetime.datetime, now: datetime.datetime) -> Spec:
    if status == S.DRAFT:
        return Spec(status, _between(rng, now - 60 * DAY, now - HOUR), None, None)
    if status in PENDING_APPLICATION_STATUSES:
        submitted = _between(rng, max(start, now - 110 * DAY), now - HOUR)
        return Spec(status, max(start, submitted - 5 * DAY * rng.random()), submitted, None)
    submitted = _between(rng, start + 5 * DAY, now - 10 * DAY)
    ended = _between(rng, submitted + 3 * DAY, min(submitted + 85 * DAY, now - HOUR))
    created = max(start, submitted - 5 * DAY * rng.random())
    if status == S.WITHDRAWN and rng.random() < 0.3:
        return Spec(status, created, None, ended)  # withdrawn before it was ever submitted
    return Spec(status, created, submitted, ended)


def reserve_numbers(name: str, count: int) -> Iterator[int]:
    """Advance a NumberSequence once by `count` under its row lock; yields the values of the block."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(name=name)
        sequence = NumberSequence.objects.select_for_update().get(name=name)
        first = sequence.value + 1
        sequence.value += count
        sequence.save(update_fields=["value"])
    return iter(range(first, first + count))


@contextmanager
def historical_timestamps():
    """Let bulk inserts keep each application's own created/updated instants (auto_now* would stamp 'now')."""
    fields = [Application._meta.get_field("created_at"), Application._meta.get_field("updated_at")]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class World:
    """What every case draws on: the people, the destinations with their facts in force, the catalogue, and what
    each allotment may still give."""

    def __init__(self, *, applications: int, organisations: int, rng: random.Random, now: datetime.datetime, stdout):
        self.rng, self.now = rng, now
        self.policy = agreements_selectors.policy_in_force(now)
        if self.policy.kind != PolicyKind.TIERED:
            raise CommandError("seed_bulk seeds under the tiered regime; the policy in force now is not tiered.")
        policy_start = datetime.datetime.combine(self.policy.tier2_period_start, datetime.time(), datetime.UTC)
        self.start = max(self.policy.effective_from, policy_start, now - 700 * DAY) + DAY
        if now - self.start < 120 * DAY:
            raise CommandError("The policy in force took effect too recently to spread 120 days of cases under it.")
        self._people(applications, organisations, stdout)
        self._places()
        self._catalogue()
        # The party register, by (normalised name, country): what is there already, and what this run adds.
        self.register: dict[tuple[str, str], Party] = {
            (p.normalised_name, p.country_id): p for p in Party.objects.filter(merged_into__isnull=True)
        }

    def party(
        self, name: str, country: str, hq: str, *, at: datetime.datetime, organisation_id: int
    ) -> tuple[Party, bool]:
        """The register entry of a name in a country: the one already seeded, or a new unsaved one (True)."""
        key = (engine.normalise_name(name), country)
        party = self.register.get(key)
        if party is not None:
            return party, False
        party = Party(
            name=name,
            country_id=country,
            hq_country_id=hq,
            normalised_name=key[0],
            created_by_organisation_id=organisation_id,
            created_at=at,
        )
        self.register[key] = party
        return party, True

    def _people(self, applications: int, organisations: int, stdout) -> None:
        def user(name, roles, **membership):
            return portal_user_upsert(username=f"bulk-{name}", password=None, roles=roles, **membership)

        def staff(per: int, most: int) -> range:  # one per `per` applications, at least 2
            return range(min(most, max(2, applications // per)))

        stdout.write(f"Users: {organisations} exporters, officers, approvers and agency reviewers…")
        self.officers = [user(f"officer-{i:02d}", [Role.LICENSING_OFFICER], agency="commerce") for i in staff(5000, 12)]
        self.approvers = [
            user(f"approver-{i:02d}", [Role.APPROVING_OFFICIAL], agency="commerce") for i in staff(10000, 6)
        ]
        self.reviewers = {
            code: [user(f"{code}-{i}", [Role.AGENCY_REVIEWER], agency=code) for i in range(1 + (applications >= 10000))]
            for code in REVIEWING_AGENCIES
        }
        self.agencies = {code: users[0].membership.agency for code, users in self.reviewers.items()}
        exporters = [
            user(f"exporter-{i:04d}", [Role.EXPORTER], organisation=f"Bulk Exporter {i:04d} Ltd")
            for i in range(organisations)
        ]
        self.exporters = [(exporter, exporter.membership.organisation_id) for exporter in exporters]
        self.organisation_weights = list(itertools.accumulate(1 / (i + 1) ** 0.9 for i in range(organisations)))

    def _places(self) -> None:
        """Destinations by tier: every country whose tier and agreements never changed (their facts hold throughout)."""
        on = self.now.date()
        changed = set(
            TierMembership.objects.values("country")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("country", flat=True)
        )
        changed |= set(
            AgreementStatusChange.objects.filter(to_status=AgreementStatus.IN_FORCE).values_list(
                "agreement__country_id", flat=True
            )
        )
        codes = list(Country.objects.values_list("code", flat=True))
        tiers = agreements_selectors.tiers_on(codes, on)
        self.groups = agreements_selectors.groups_on(codes, on)
        self.us_countries = agreements_selectors.countries_counting_as_us(codes)
        # US territories are Tier 2 in the tier data but no export destination; uninhabited codes have no allocation
        changed |= self.us_countries | set(Country.objects.filter(uninhabited=True).values_list("code", flat=True))
        self.names = dict(Country.objects.values_list("code", "name"))
        by_tier = {tier: sorted(c for c, t in tiers.items() if t == tier and c not in changed) for tier in Tier.values}
        by_tier[Tier.TIER_1] = [code for code in by_tier[Tier.TIER_1] if code != engine.UNITED_STATES]
        others = [code for code in by_tier[Tier.TIER_2] if code not in MAJOR_MARKETS]
        self.rng.shuffle(others)
        self.tier2 = [code for code in MAJOR_MARKETS if code in by_tier[Tier.TIER_2]] + others
        self.tier2_weights = list(itertools.accumulate(1 / (i + 1) ** 0.7 for i in range(len(self.tier2))))
        self.tier1, self.tier3 = by_tier[Tier.TIER_1], by_tier[Tier.TIER_3]
        self.hq_tiers = {code: tier for code, tier in tiers.items() if tier is not None}
        self._facts: dict[str, engine.Facts] = {}
        self.committed: dict[int, int] = {}  # allotment id → committed TPP, as drawn so far
        self.ceiling: dict[int, int] = {}  # allotment id → the committed TPP the seed may reach

    def facts(self, code: str) -> engine.Facts:
        """The destination's facts in force, gathered once, on first use (a small seed asks about few countries)."""
        if code not in self._facts:
            question = engine.Request(code, (), "", (), (code,), EndUseCategory.OTHER, self.now)
            facts = dataclasses.replace(
                selectors.gather_facts(question),
                hq_tiers=self.hq_tiers,
                groups=self.groups,
                us_countries=self.us_countries,
            )
            allotment = self._facts.setdefault(code, facts).allotment
            if allotment is not None and allotment.id not in self.committed:
                self.committed[allotment.id] = allotment.committed_tpp
                if allotment.period_start <= self.start.date():
                    self.ceiling[allotment.id] = allotment.committed_tpp + int(allotment.remaining_tpp * DRAW_SHARE)
        return self._facts[code]

    def _catalogue(self) -> None:
        products = list(selectors.catalogue())
        # Never a product awaiting classification: no determination (so no submission) can name one
        self.controlled = [p for p in products if p.is_controlled and p.eccn != Eccn.UNCLASSIFIED]
        # Information-only lines stay so everywhere: none a programme could bring into scope (the H20 for CY…)
        scope_in = [p for p in selectors.programmes_in_force(self.now.date()) if p.brings_into_scope]
        self.info_only = [
            p
            for p in products
            if not p.is_controlled
            and not any(
                programme.covers_chip(line)
                for programme in scope_in
                for line in selectors.request_lines([selectors.ItemRequest(p, 1)])
            )
        ]

    # What a case asks for, where it goes, and what it may draw

    def exporter(self):
        return self.rng.choices(self.exporters, cum_weights=self.organisation_weights)[0]

    def tier2_destination(self) -> str:
        return self.rng.choices(self.tier2, cum_weights=self.tier2_weights)[0]

    def items(self) -> list[tuple[Product, int]]:
        """One controlled line above the LPP threshold; sometimes a second product or an information-only line."""
        rng, first = self.rng, self.rng.choice(self.controlled)
        least = self.policy.lpp_threshold_tpp // first.tpp + 1
        items = [(first, rng.randint(least, 3 * least))]
        roll = rng.random()
        if roll < 0.15:
            items.append((rng.choice([p for p in self.controlled if p != first]), rng.randint(1, 200)))
        elif roll < 0.2 and self.info_only:
            items.append((rng.choice(self.info_only), rng.randint(10, 500)))
        return items

    def destination(self, status: str, tpp: int) -> str:
        """Approved cases draw on a Tier 2 allocation while the seed's share of it lasts, else go to Tier 1."""
        roll = self.rng.random()
        if status == S.APPROVED:
            code = self.tier2_destination()
            return code if roll < 0.55 and self.can_draw(code, tpp) else self.rng.choice(self.tier1)
        if roll < 0.05 and status in PROHIBITED_OK:
            return self.rng.choice(self.tier3)
        return self.rng.choice(self.tier1) if roll < 0.3 else self.tier2_destination()

    def can_draw(self, code: str, tpp: int) -> bool:
        allotment = self.facts(code).allotment
        return (
            allotment is not None
            and allotment.id in self.ceiling
            and self.committed[allotment.id] + tpp <= (self.ceiling[allotment.id])
        )

    def facts_now(self, code: str) -> engine.Facts:
        """The destination's facts with its allotment's committed TPP as drawn so far."""
        facts = self.facts(code)
        if facts.allotment is None:
            return facts
        return dataclasses.replace(
            facts, allotment=dataclasses.replace(facts.allotment, committed_tpp=self.committed[facts.allotment.id])
        )


class Chunk:
    """A batch of cases built in memory and written with one bulk insert per table, in one transaction."""

    def __init__(self, world: World, acns: Iterator[int], licence_numbers: Iterator[int]):
        self.world, self.rng = world, world.rng
        self.acns, self.licence_numbers = acns, licence_numbers
        self.rows: dict[type, list] = {model: [] for model in WRITE_ORDER}
        self.events: list[tuple] = []
        self.drawn: Counter[int] = Counter()

    def add(self, model_object) -> None:
        self.rows[type(model_object)].append(model_object)

    def event(self, actor, verb: str, target, at: datetime.datetime, **payload) -> None:
        self.events.append((actor.pk if actor else None, verb, target, payload, at))

    def write(self) -> None:
        with transaction.atomic(), historical_timestamps():
            for model in WRITE_ORDER:
                model.objects.bulk_create(self.rows[model], batch_size=1000)
            for allotment_id, tpp in self.drawn.items():
                Allotment.objects.filter(pk=allotment_id).update(
                    committed_tpp=F("committed_tpp") + tpp, updated_at=self.world.now
                )
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        actor_id=actor_id,
                        verb=verb,
                        target_type=target._meta.label_lower,
                        target_id=str(target.pk),
                        target_repr=str(target)[:200],
                        payload=payload,
                        created_at=at,
                    )
                    for actor_id, verb, target, payload, at in self.events
                ],
                batch_size=2000,
            )


WRITE_ORDER = (
    Party,
    Application,
    ApplicationParty,
    ApplicationLine,
    InfoRequest,
    Referral,
    RecommendationEntry,
    Licence,
    LicenceLine,
    Shipment,
    ShipmentLine,
    LedgerEntry,
)


class Case:
    """One application through its life, step by step, writing what each service would write."""

    def __init__(self, chunk: Chunk, spec: Spec):
        self.chunk, self.world, self.rng, self.spec = chunk, chunk.world, chunk.rng, spec
        self.exporter, organisation_id = self.world.exporter()
        self.organisation_id = organisation_id
        self.items = self.world.items()
        tpp = sum(quantity * product.tpp for product, quantity in self.items if product.is_controlled)
        self.destination = spec.destination or self.world.destination(spec.status, tpp)
        self.officer = self.rng.choice(self.world.officers)
        self.app = Application(
            organisation_id=organisation_id,
            created_by_id=self.exporter.pk,
            status=S.DRAFT,
            destination_id=self.destination,
            end_use_category=self.rng.choice(EndUseCategory.values),
            end_use="Training and inference cluster",
            created_at=spec.created_at,
            updated_at=spec.created_at,
        )
        chunk.add(self.app)
        self._parties()
        for product, quantity in self.items:
            chunk.add(ApplicationLine(application=self.app, product=product, quantity=quantity, unit_price_usd=25_000))

    def _parties(self) -> None:
        world, rng, code = self.world, self.rng, self.destination
        hq = world.tier2_destination() if code in world.tier1 else code  # Tier 1 sites of Tier 2 companies
        name = f"{world.names[code][:60]} {rng.choice(CONSIGNEE_KINDS)} {rng.randint(1, 30)}"
        self.consignee = name

        def party(role, party_name, **extra):
            address = f"Data Park {rng.randint(1, 99)}, {world.names[code][:80]}"
            hq_code = extra.get("hq_country_id") or code
            at, organisation_id = self.spec.created_at, self.organisation_id
            entry, new = world.party(party_name, code, hq_code, at=at, organisation_id=organisation_id)
            if new:
                self.chunk.add(entry)
            link = ApplicationParty(application=self.app, role=role, party=entry, name=party_name, address=address)
            link.country_id, link.hq_country_id = code, extra.get("hq_country_id")
            self.chunk.add(link)
            return entry

        self.consignee_party = party(PartyRole.ULTIMATE_CONSIGNEE, name, hq_country_id=hq)
        party(PartyRole.END_USER, name, hq_country_id=hq)
        self.end_users = [(name, hq)]
        if rng.random() < 0.2:
            self.end_users.append((f"{name} Research Partner", hq))
            party(PartyRole.END_USER, self.end_users[-1][0], hq_country_id=hq)
        if rng.random() < 0.3:
            party(PartyRole.PURCHASER, f"{name} Holdings")
        if rng.random() < 0.1:
            party(PartyRole.INTERMEDIATE_CONSIGNEE, f"{world.names[code][:60]} Logistics {rng.randint(1, 9)}")

    def request(self, at: datetime.datetime, *, skip_lpp: bool = False) -> engine.Request:
        return engine.Request(
            destination=self.destination,
            lines=selectors.request_lines(selectors.ItemRequest(p, q) for p, q in self.items),
            consignee=self.consignee,
            end_users=tuple(name for name, _ in self.end_users),
            end_user_hq=tuple(hq for _, hq in self.end_users),
            end_use_category=self.app.end_use_category,
            at=at,
            skip_lpp=skip_lpp,
        )

    def build(self) -> None:
        app, spec = self.app, self.spec
        self.event(self.exporter, "application.created", spec.created_at, **self._summary())
        if spec.submitted_at is None:
            if spec.status == S.WITHDRAWN:
                self.step("withdraw", spec.ended_at)
            return
        self.submit(spec.submitted_at)
        steps = list(spec.steps) if spec.steps is not None else self.path()
        end = spec.ended_at or self.world.now
        span = (end - spec.submitted_at).total_seconds()
        fractions = sorted(self.rng.uniform(0.05, 0.95) for _ in steps)
        if spec.ended_at is not None and steps:
            fractions[-1] = 1.0  # the decision closes the case at its planned instant
        for name, fraction in zip(steps, fractions, strict=True):
            self.step(name, spec.submitted_at + datetime.timedelta(seconds=span * fraction))
        assert app.status == spec.status, (app.status, spec.status)

    def path(self) -> list[str]:
        """The steps after submission that lead to the planned status."""
        status, rng = self.spec.status, self.rng
        reviewed = status not in {S.SUBMITTED, S.RETURNED, S.WITHDRAWN} or (
            status != S.SUBMITTED and rng.random() < 0.5
        )
        steps = ["review"] if reviewed else []
        if reviewed and rng.random() < 0.15:
            steps += ["ask", "answer"]
        if reviewed and status != S.REFERRED and rng.random() < 0.15:
            steps += ["refer", "agencies_answer"]
        steps += {S.INFO_REQUESTED: ["ask"], S.REFERRED: ["refer"]}.get(status, [])
        if status in (S.APPROVED, S.DENIED) or (status == S.UNDER_REVIEW and rng.random() < 0.4):
            steps.append("recommend")
        steps += {S.APPROVED: ["approve"], S.DENIED: ["deny"], S.RETURNED: ["return"]}.get(status, [])
        return [*steps, "withdraw"] if status == S.WITHDRAWN else steps

    def step(self, name: str, at: datetime.datetime) -> None:
        getattr(self, f"_{name}")(at)
        self.app.updated_at = at

    def event(self, actor, verb: str, at: datetime.datetime, **payload) -> None:
        self.chunk.event(actor, verb, self.app, at, **payload)

    def _summary(self) -> dict:
        return {
            "destination": self.destination,
            "end_use_category": self.app.end_use_category,
            "items": [{"product": p.pk, "quantity": q} for p, q in self.items],
        }

    # The steps: each sets what its service sets and records its event.

    def submit(self, at: datetime.datetime) -> None:
        app, result = self.app, engine.determine(self.request(at), self.world.facts_now(self.destination))
        APPLICATION.move(app, "submit", None)
        app.acn = acn(next(self.chunk.acns))
        app.submitted_by_id, app.submitted_at, app.due_at = self.exporter.pk, at, at + REVIEW_DAYS * DAY
        app.determination, app.requested_tpp = result.as_dict(), result.requested_tpp
        app.allotment_id, app.consignee_key = result.allotment_id, engine.normalise_name(self.consignee)
        app.updated_at = at
        payload = {"acn": app.acn, "outcome": result.outcome.value, "requested_tpp": result.requested_tpp}
        self.event(self.exporter, "application.submitted", at, **payload)

    def _review(self, at) -> None:
        previous = APPLICATION.move(self.app, "start_review", None)
        self.app.officer_id = self.app.officer_id or self.officer.pk
        self.event(self.officer, "application.review_started", at, **{"from": previous})

    def _ask(self, at) -> None:
        self.info_request = InfoRequest(
            application=self.app, question=QUESTION, asked_by_id=self.officer.pk, asked_at=at
        )
        self.chunk.add(self.info_request)
        APPLICATION.move(self.app, "request_info", None)
        self.app.paused_at = at
        self.event(self.officer, "application.info_requested", at, question=QUESTION)

    def _answer(self, at) -> None:
        request, app = self.info_request, self.app
        request.answer, request.answered_by_id, request.answered_at = ANSWER, self.exporter.pk, at
        app.due_at += at - app.paused_at
        APPLICATION.move(app, "respond", None)
        app.paused_at = None
        self.event(self.exporter, "application.responded", at, answer=ANSWER)

    def _refer(self, at) -> None:
        codes = sorted(self.rng.sample(list(REVIEWING_AGENCIES), self.rng.randint(1, 3)))
        due = at + REFERRAL_DAYS * DAY
        self.referrals = [
            Referral(
                application=self.app,
                agency=self.world.agencies[code],
                referred_by_id=self.officer.pk,
                referred_at=at,
                due_at=due,
            )
            for code in codes
        ]
        for referral in self.referrals:
            self.chunk.add(referral)
        APPLICATION.move(self.app, "refer", None)
        self.event(self.officer, "application.referred", at, agencies=codes, due_at=due.isoformat())

    def _agencies_answer(self, at) -> None:
        for referral in self.referrals:
            code = referral.agency.code
            reviewer = self.rng.choice(self.world.reviewers[code])
            deny = self.spec.status == S.DENIED and self.rng.random() < 0.3
            referral.recommendation = Recommendation.DENY if deny else Recommendation.APPROVE
            referral.rationale, referral.answered_by_id, referral.answered_at = "Reviewed.", reviewer.pk, at
            APPLICATION.move(self.app, "agency_recommend", None)
            self.chunk.add(
                RecommendationEntry(
                    application=self.app,
                    kind=RecommendationKind.AGENCY,
                    agency=referral.agency,
                    author_id=reviewer.pk,
                    recommendation=referral.recommendation,
                    rationale="Reviewed.",
                    created_at=at,
                )
            )
            payload = {"agency": code, "recommendation": referral.recommendation, "rationale": "Reviewed."}
            self.event(reviewer, "application.agency_recommended", at, **payload)
        APPLICATION.move(self.app, "referrals_answered", None)
        self.event(None, "application.review_resumed", at)

    def _recommend(self, at) -> None:
        app = self.app
        app.recommendation = Recommendation.DENY if self.spec.status == S.DENIED else Recommendation.APPROVE
        app.recommendation_rationale = "End user and site checked against the consolidated screening list."
        app.recommended_by_id, app.officer_id = self.officer.pk, app.officer_id or self.officer.pk
        APPLICATION.move(app, "recommend", None)
        self.chunk.add(
            RecommendationEntry(
                application=app,
                kind=RecommendationKind.OFFICER,
                author_id=self.officer.pk,
                recommendation=app.recommendation,
                rationale=app.recommendation_rationale,
                created_at=at,
            )
        )
        payload = {"recommendation": app.recommendation, "rationale": app.recommendation_rationale}
        self.event(self.officer, "application.recommended", at, **payload)

    def _deny(self, at) -> None:
        self._decide(at, "deny", self.rng.choice(self.world.approvers), "Risk of diversion to an entity of concern.")

    def _return(self, at) -> None:
        self._decide(at, "return", self.officer, "The end-user statement is unsigned; file a new application.")

    def _decide(self, at, transition: str, actor, reason: str) -> None:
        app = self.app
        APPLICATION.move(app, transition, None, reason=reason)
        app.decision_reason, app.decided_by_id, app.decided_at = reason, actor.pk, at
        self.event(actor, f"application.{app.status}", at, reason=reason)

    def _withdraw(self, at) -> None:
        previous = APPLICATION.move(self.app, "withdraw", None)
        self.app.paused_at = None
        self.event(self.exporter, "application.withdrawn", at, **{"from": previous, "reason": ""})

    def _approve(self, at) -> None:
        world, app, approver = self.world, self.app, self.rng.choice(self.world.approvers)
        request = self.request(at, skip_lpp=True)
        result = engine.determine(request, world.facts_now(self.destination))
        assert result.outcome == engine.Outcome.LICENCE_REQUIRED, result
        assert result.presumption == engine.Presumption.APPROVAL, result
        licence = LicenceLife(self, approver, result, at).build()
        APPLICATION.move(app, "approve", None)
        app.decided_by_id, app.decided_at = approver.pk, at
        approved = {str(line.product_id): line.quantity for line in request.lines if line.controlled}
        payload = {
            "licence": licence.number,
            "approved": approved,
            "reserved_tpp": licence.reserved_tpp,
            "allotment": licence.allotment_id,
            "determination": result.as_dict(),
            "justification": "",
        }
        self.event(approver, "application.approved", at, **payload)


class LicenceLife:
    """A licence from issue to where it stands today: shipments, exhaustion, suspension or revocation."""

    def __init__(self, case: Case, approver, result: engine.Determination, at: datetime.datetime):
        self.case, self.chunk, self.rng, self.approver, self.at = case, case.chunk, case.rng, approver, at
        self.result = result
        self.key = engine.normalise_name(case.consignee)

    def build(self) -> Licence:
        case, chunk, at, result = self.case, self.chunk, self.at, self.result
        number = licence_number(at.year, next(chunk.licence_numbers))
        drawn = result.allotment_id is not None
        licence = Licence(
            number=number,
            application=case.app,
            organisation_id=case.app.organisation_id,
            conditions=list(result.conditions),
            valid_from=at.date(),
            valid_until=at.date() + case.world.policy.licence_validity_days * DAY,
            allotment_id=result.allotment_id,
            reserved_tpp=result.requested_tpp if drawn else 0,
            issued_by_id=self.approver.pk,
            issued_at=at,
        )
        chunk.add(licence)
        self.licence, self.lines = licence, []
        for product, quantity in case.items:
            if product.is_controlled:
                line = LicenceLine(licence=licence, product=product, unit_tpp=product.tpp, approved_quantity=quantity)
                self.lines.append(line)
                chunk.add(line)
        if drawn:
            self._ledger(LedgerKind.RESERVE, licence.reserved_tpp, at)
        payload = {"application": case.app.acn, "reserved_tpp": licence.reserved_tpp, "conditions": licence.conditions}
        chunk.event(self.approver, "licence.issued", licence, at, **payload)
        self._afterwards()
        return licence

    def _ledger(self, kind: str, tpp: int, at: datetime.datetime) -> None:
        allotment_id = self.licence.allotment_id
        self.chunk.add(
            LedgerEntry(
                allotment_id=allotment_id,
                kind=kind,
                tpp=tpp,
                consignee=self.key,
                reference=self.licence.number,
                actor_id=self.approver.pk,
                created_at=at,
            )
        )
        delta = tpp if kind == LedgerKind.RESERVE else -tpp
        self.chunk.drawn[allotment_id] += delta
        self.case.world.committed[allotment_id] += delta

    def _afterwards(self) -> None:
        """Its fate until today; a licence issued in the last two days has not shipped yet."""
        now = self.case.world.now
        if now - self.at < 2 * DAY:
            return
        fate = self.rng.choices(list(LICENCE_FATES), weights=list(LICENCE_FATES.values()))[0]
        first, second = sorted(_between(self.rng, self.at + HOUR, now) for _ in range(2))
        if fate == L.EXHAUSTED:
            self._ship(first, 1.0)
            LICENCE.move(self.licence, "exhaust", None)
            self.chunk.event(self.case.exporter, "licence.exhausted", self.licence, first)
            return
        if fate == L.ACTIVE:
            if self.rng.random() < 0.4:
                self._ship(first, 0.5)
            return
        if self.rng.random() < 0.5:
            self._ship(first, 0.4)
        self._close(fate, second)

    def _ship(self, at: datetime.datetime, share: float) -> None:
        shipment = Shipment(
            licence=self.licence, shipped_on=at.date(), reported_by_id=self.case.exporter.pk, reported_at=at
        )
        self.chunk.add(shipment)
        items = {}
        for line in self.lines:
            quantity = line.approved_quantity if share >= 1 else max(1, int(line.approved_quantity * share))
            quantity = min(quantity, line.approved_quantity - line.shipped_quantity)
            if quantity > 0:
                line.shipped_quantity += quantity
                items[str(line.product_id)] = quantity
                self.chunk.add(ShipmentLine(shipment=shipment, licence_line=line, quantity=quantity))
        payload = {"shipped_on": at.date().isoformat(), "items": items}
        self.chunk.event(self.case.exporter, "licence.shipped", self.licence, at, **payload)

    def _close(self, fate: str, at: datetime.datetime) -> None:
        licence, verb = self.licence, "revoked" if fate == L.REVOKED else "suspended"
        reason = "End user found to front for a listed entity." if fate == L.REVOKED else "Site inspection pending."
        released = 0
        if fate == L.REVOKED and licence.allotment_id is not None:
            unshipped = sum((line.approved_quantity - line.shipped_quantity) * line.unit_tpp for line in self.lines)
            released = min(unshipped, licence.reserved_tpp)
            if released > 0:
                self._ledger(LedgerKind.RELEASE, released, at)
        previous = LICENCE.move(licence, "revoke" if fate == L.REVOKED else "suspend", None, reason=reason)
        licence.status_reason = reason
        payload = {"from": previous, "reason": reason, "released_tpp": released}
        self.chunk.event(self.approver, f"licence.{verb}", licence, at, **payload)


class Notifications:
    """LPP notifications: each within its consignee's threshold for the year, so each was `lpp_eligible`."""

    def __init__(self, world: World):
        self.world, self.rng = world, world.rng
        self.used: Counter[tuple[tuple[str, str], int]] = Counter()
        self.new_parties: list[Party] = []

    def write(self, count: int) -> None:
        world, rng = self.world, self.rng
        moments = sorted(_between(rng, world.start, world.now - HOUR) for _ in range(count))
        notifications, lines, events = [], [], []
        for at in moments:
            notification, line, exporter = self._one(at)
            notifications.append(notification)
            lines.append(line)
            events.append((exporter, notification, at))
        with transaction.atomic():
            Party.objects.bulk_create(self.new_parties, batch_size=1000)
            LppConsigneeYear.objects.bulk_create(
                [LppConsigneeYear(party=world.register[key], year=year) for key, year in self.used],
                ignore_conflicts=True,
            )
            LppNotification.objects.bulk_create(notifications, batch_size=1000)
            LppNotificationLine.objects.bulk_create(lines, batch_size=2000)
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        actor_id=exporter.pk,
                        verb="notification.filed",
                        target_type=notification._meta.label_lower,
                        target_id=str(notification.pk),
                        target_repr=str(notification)[:200],
                        payload={"consignee": n.consignee, "total_tpp": n.total_tpp, "year": n.year},
                        created_at=at,
                    )
                    for (exporter, notification, at), n in zip(events, notifications, strict=True)
                ],
                batch_size=2000,
            )

    def _one(self, at: datetime.datetime):
        world, rng = self.world, self.rng
        code, product = world.tier2_destination(), rng.choice(world.controlled)
        quantity = rng.randint(1, max(1, world.policy.lpp_threshold_tpp // (2 * product.tpp)))
        tpp = quantity * product.tpp
        consignee = f"{world.names[code][:60]} Small Lab {rng.randint(1, 20)}"
        while self.used[((engine.normalise_name(consignee), code), at.year)] + tpp > world.policy.lpp_threshold_tpp:
            consignee = f"{world.names[code][:60]} Small Lab {rng.randint(21, 10_000)}"
        key = (engine.normalise_name(consignee), code)
        facts = dataclasses.replace(world.facts(code), consignee_lpp_used_tpp=self.used[(key, at.year)])
        lines = selectors.request_lines([selectors.ItemRequest(product, quantity)])
        request = engine.Request(code, lines, consignee, (consignee,), (code,), EndUseCategory.OTHER, at)
        result = engine.determine(request, facts)
        assert result.outcome == engine.Outcome.LPP_ELIGIBLE, result
        self.used[(key, at.year)] += tpp
        exporter, organisation_id = world.exporter()
        party, new = world.party(consignee, code, code, at=at, organisation_id=organisation_id)
        if new:
            self.new_parties.append(party)
        notification = LppNotification(
            organisation_id=organisation_id,
            submitted_by_id=exporter.pk,
            destination_id=code,
            consignee=consignee,
            consignee_key=key[0],
            consignee_party=party,
            end_user_hq=[code],
            year=at.year,
            total_tpp=tpp,
            determination=result.as_dict(),
            created_at=at,
        )
        return (
            notification,
            LppNotificationLine(notification=notification, product=product, quantity=quantity),
            exporter,
        )


class Command(BaseCommand):
    help = (
        "Add a large, consistent world for performance work: N applications in every status with proportional "
        "licences, shipments, LPP notifications and audit events (bulk inserts; additive)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--organisations", type=int, default=None, help="default: one per 500 applications")
        parser.add_argument("--notifications", type=int, default=None, help="default: one per 5 applications")
        parser.add_argument("--batch-size", type=int, default=2_000, help="applications per transaction")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (the same seed, the same world)")

    def handle(self, *args, applications, organisations, notifications, batch_size, seed, **options):
        if applications < 1 or batch_size < 1:
            raise CommandError("--applications and --batch-size are positive.")
        began, now, rng = time.monotonic(), timezone.now(), random.Random(seed)  # noqa: S311 — reproducible load, not secrets
        organisations = organisations or max(3, applications // 500)
        world = World(applications=applications, organisations=organisations, rng=rng, now=now, stdout=self.stdout)
        specs = plan(applications, rng, world.start, now)
        acns = reserve_numbers("acn", sum(1 for spec in specs if spec.submitted_at))
        licence_numbers = reserve_licence_serials(sum(1 for spec in specs if spec.status == S.APPROVED))
        for offset in range(0, len(specs), batch_size):
            chunk = Chunk(world, acns, licence_numbers)
            for spec in specs[offset : offset + batch_size]:
                Case(chunk, spec).build()
            chunk.write()
            done = min(offset + batch_size, len(specs))
            self.stdout.write(f"applications {done:,}/{len(specs):,}  ({time.monotonic() - began:.1f} s)")
        Notifications(world).write(applications // 5 if notifications is None else notifications)
        self.stdout.write(self.style.SUCCESS(self._summary(specs, time.monotonic() - began)))

    def _summary(self, specs: list[Spec], seconds: float) -> str:
        statuses = Counter(spec.status for spec in specs)
        final = sum(n for status, n in statuses.items() if status in FINAL_APPLICATION_STATUSES)
        return (
            f"Added {len(specs):,} applications ({final:,} decided or withdrawn; "
            + ", ".join(f"{status} {n:,}" for status, n in sorted(statuses.items()))
            + f") in {seconds:.1f} s."
        )
