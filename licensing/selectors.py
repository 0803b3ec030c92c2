"""Reads of the case side: the catalogue, the facts a determination needs, and scoping."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, Prefetch, Q, QuerySet, Sum, When
from django.utils import timezone

from agreements import deal_selectors
from agreements import selectors as agreements
from agreements.choices import AllotmentSource, LedgerKind, PolicyKind, Tier
from agreements.models import Agreement, Allotment, LedgerEntryParty, Party, Policy, TermsVersion
from licensing import determination as engine
from licensing.choices import (
    PENDING_APPLICATION_STATUSES,
    ApplicationStatus,
    Eccn,
    LicenceStatus,
    PartyRole,
    ProductKind,
    RecommendationKind,
)
from licensing.errors import DecisionRefused, FourEyes
from licensing.models import (
    Application,
    ApplicationLine,
    ApplicationParty,
    CertificationAffirmation,
    DeclarationText,
    InfoRequest,
    Licence,
    LicenceLine,
    LppNotification,
    Obligation,
    Product,
    ProgrammeVersion,
    RecommendationEntry,
    Referral,
    Shipment,
    ShipmentLine,
)
from licensing.obligation_selectors import with_overdue
from licensing.reference_facts import ReferenceFacts, reference_facts
from licensing.workflow import APPLICATION, LICENCE
from portal.errors import InvalidTransition
from portal.permissions import Actor, Viewer, allowed
from portal.scoping import is_agency_reviewer, is_insider
from portal.selectors import user_agency_code, user_organisation_id


def catalogue() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).select_related("chip").order_by("vendor", "name")


# Determination: gather the facts in force at `at`, then let the pure engine decide.


@dataclass(frozen=True)
class ItemRequest:
    product: Product
    quantity: int


def request_lines(items: Iterable[ItemRequest]) -> tuple[engine.Line, ...]:
    return tuple(_line(item.product, item.quantity) for item in items)


def _line(product: Product, quantity: int) -> engine.Line:
    """A line as the engine reads it, with the chip a programme's criteria are tested on (a system's chip)."""
    system = product.kind == ProductKind.SYSTEM
    chip = product.chip if system and product.chip is not None else product
    return engine.Line(
        product_id=product.pk,
        quantity=quantity,
        unit_tpp=product.tpp,
        controlled=product.is_controlled,
        label=str(product),
        chip_id=chip.pk,
        chip_tpp=chip.chip_tpp,
        chip_bandwidth_gbps=chip.dram_bandwidth_gbps,
        chips_per_unit=(product.chips_per_system or 1) if system else 1,
    )


def programmes_in_force(on: datetime.date) -> list[engine.ProgrammeFacts]:
    """Every licence-review programme version in force on a date, as the engine reads it."""
    versions = (
        ProgrammeVersion.objects.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=on), effective_from__lte=on
        )
        .select_related("programme")
        .prefetch_related("named_products", "certifications")
    )
    return [programme_facts(version) for version in versions]


def programme_facts(version: ProgrammeVersion) -> engine.ProgrammeFacts:
    programme = version.programme
    return engine.ProgrammeFacts(
        id=programme.pk,
        version_id=version.pk,
        version=version.version,
        name=programme.name,
        citation=programme.citation,
        effective_from=version.effective_from,
        destinations=frozenset(version.destinations),
        presumption=engine.Presumption(version.presumption),
        min_tpp=version.min_tpp,
        max_tpp=version.max_tpp,
        max_bandwidth_gbps=version.max_dram_bandwidth_gbps,
        min_bandwidth_gbps=version.min_dram_bandwidth_gbps,
        named_products=frozenset(product.pk for product in version.named_products.all()),
        brings_into_scope=version.brings_into_scope,
        exports_from_us_only=version.exports_from_us_only,
        certifications=tuple(
            engine.CertificationFacts(id=c.pk, code=c.code, text=c.text) for c in version.certifications.all()
        ),
        conditions=tuple(version.conditions),
        shipment_evidence=version.shipment_evidence,
        us_volume_ratio_percent=version.us_volume_ratio_percent,
        per_customer_cap_units=version.per_customer_cap_units,
    )


def consignee_lpp_used_tpp(party_id: int | None, year: int) -> int:
    """Accepted LPP notifications for a consignee party in a calendar year, across all exporters (0 for a
    consignee not in the register: nothing was ever notified for it)."""
    if party_id is None:
        return 0
    total = LppNotification.objects.filter(consignee_party_id=party_id, year=year).aggregate(total=Sum("total_tpp"))
    return total["total"] or 0


# A licence's TPP stays installed unless released: an expired or revoked licence keeps only what was shipped.
RELEASED_STATUSES = (LicenceStatus.EXPIRED, LicenceStatus.REVOKED)


def installed_tpp(party_id: int | None, country_code: str) -> int:
    """The consignee party's installation in a country (SPEC § 3.4 step 7): TPP of every licence to it there,
    whatever its source or regime, less what was released."""
    if party_id is None:
        return 0
    consignee_of = ApplicationParty.objects.filter(party_id=party_id, role=PartyRole.ULTIMATE_CONSIGNEE)
    lines = LicenceLine.objects.filter(
        licence__application__in=consignee_of.values("application_id"), licence__application__destination=country_code
    )
    kept = Case(
        When(licence__status__in=RELEASED_STATUSES, then=F("shipped_quantity") * F("unit_tpp")),
        default=F("approved_quantity") * F("unit_tpp"),
    )
    return lines.aggregate(total=Sum(kept))["total"] or 0


def policy_facts(policy: Policy) -> engine.PolicyFacts:
    return engine.PolicyFacts(
        kind=policy.kind,
        lpp_threshold_tpp=policy.lpp_threshold_tpp,
        size_bands=tuple(engine.SizeBand(band["h100e"], band["condition"]) for band in policy.size_bands),
        g2g_uplift=policy.g2g_uplift,
    )


def _terms_facts(agreement: Agreement, at: datetime.datetime, reference: ReferenceFacts | None) -> engine.TermsFacts:
    """The agreement's terms in force at `at` with its overdue milestones: from the kept `reference` facts, or read
    from their tables when None."""
    if reference is not None:
        terms = reference.terms_in_force(agreement, at.date())
        overdue = reference.overdue_milestones(agreement, terms.version, at)
    else:
        terms = agreements.terms_in_force(agreement, at.date())
        overdue = deal_selectors.overdue_milestones(agreement, terms.version, at)
    return terms_facts(
        agreement, terms, tuple(engine.MilestoneFacts(m.description, m.amount_usd, m.due_on) for m in overdue)
    )


def terms_facts(
    agreement: Agreement, terms: TermsVersion, overdue: tuple[engine.MilestoneFacts, ...]
) -> engine.TermsFacts:
    """A terms version in force as the engine reads it, with the milestones overdue at the instant asked about."""
    return engine.TermsFacts(
        agreement_id=agreement.pk,
        agreement_reference=agreement.reference,
        version=terms.version,
        lpp_threshold_tpp=terms.lpp_threshold_tpp,
        government_assurances=terms.government_assurances,
        site_visits_accepted=terms.site_visits_accepted,
        reciprocal_investment_usd=terms.reciprocal_investment_usd,
        permitted_end_uses=frozenset(terms.permitted_end_uses),
        excluded_end_users=frozenset(engine.normalise_name(name) for name in terms.excluded_end_users),
        security_conditions=tuple(terms.security_conditions),
        reporting_cadence=terms.get_reporting_cadence_display() if terms.reporting_cadence else "",
        overdue_milestones=overdue,
    )


def _allotment_facts(
    allotment: Allotment | None, at: datetime.datetime, *, policy: Policy, agreement_in_force: bool
) -> engine.AllotmentFacts | None:
    """The allotment as the engine reads it: a Tier 2 allocation uplifted by `policy`'s factor (the one in force,
    or a proposal) while an agreement with its country is in force (agreements.selectors.effective_capacity, with
    what gather_facts has read already). Its party caps are read only if `has_party_caps` (which
    agreements.selectors.applicable_allotment annotates) does not say there are none."""
    if allotment is None:
        return None
    capacity = allotment.capacity_tpp
    if allotment.source == AllotmentSource.TIER_ALLOCATION and agreement_in_force:
        capacity = agreements.uplifted_capacity(capacity, policy.g2g_uplift)
    return engine.AllotmentFacts(
        id=allotment.pk,
        capacity_tpp=capacity,
        committed_tpp=allotment.committed_tpp,
        period_start=allotment.period_start,
        period_end=allotment.period_end,
        party_caps=tuple(
            engine.PartyCapFacts(cap.party.pk, cap.party.name, cap.capacity_tpp, cap.committed_tpp)
            for cap in (deal_selectors.cap_usage([allotment.pk]) if getattr(allotment, "has_party_caps", True) else ())
        ),
    )


def _refuse_unclassified(request: engine.Request) -> None:
    """A chip awaiting classification (or a system holding one) cannot be determined on: 400 naming it."""
    ids = {line.product_id for line in request.lines}
    refuse_unclassified(Product.objects.filter(pk__in=ids).select_related("chip"))


def refuse_unclassified(products: Iterable[Product]) -> None:
    """The check of `_refuse_unclassified` on products the caller has read already (with their chips)."""
    unclassified = sorted(str(product) for product in products if product.eccn == Eccn.UNCLASSIFIED)
    if unclassified:
        raise ValidationError(
            {
                "items": f"{', '.join(unclassified)}: not yet classified (TPP between 1,600 and 4,800 with no die "
                "area recorded, so performance density is unknown). Ask a policy administrator to record the die "
                "area; until then the product cannot be used on an application, notification or determination."
            }
        )


def _proposed_allotment_facts(
    proposal: Policy,
    destination: str,
    tier: int | None,
    existing: Allotment | None,
    at: datetime.datetime,
    agreement_in_force: bool,
) -> engine.AllotmentFacts | None:
    """The allotment a determination at `at` would draw on under a proposal (a policy not in force): the one on
    record, its Tier 2 capacity uplifted by the proposal's factor; or, where the proposal opens a Tier 2 period
    not on record yet that contains date(at), the allocation approval would create (its rows are created only
    then: here it is computed from the proposal's figures, with nothing committed, and has no id)."""
    on = at.date()
    opens_period = (
        proposal.kind == PolicyKind.TIERED
        and tier == Tier.TIER_2
        and proposal.tier2_period_start <= on <= proposal.tier2_period_end
        and (existing is None or existing.period_start < proposal.tier2_period_start)
        and not Allotment.objects.filter(
            country_id=destination, source=AllotmentSource.TIER_ALLOCATION, period_start=proposal.tier2_period_start
        ).exists()
    )
    if not opens_period:
        return _allotment_facts(existing, at, policy=proposal, agreement_in_force=agreement_in_force)
    capacity = proposal.tier2_allocation_tpp
    if agreement_in_force:
        capacity = agreements.uplifted_capacity(capacity, proposal.g2g_uplift)
    return engine.AllotmentFacts(
        id=None,  # hypothetical: not on record until the proposal is approved
        capacity_tpp=capacity,
        committed_tpp=0,
        period_start=proposal.tier2_period_start,
        period_end=proposal.tier2_period_end,
    )


def gather_facts(
    request: engine.Request,
    *,
    policy: Policy | None = None,
    products_checked: bool = False,
    cached: bool = True,
    reference: ReferenceFacts | None = None,
) -> engine.Facts:
    """Everything the engine needs, as recorded at `request.at` (`gather_facts_and_allotment`, which says how)."""
    return gather_facts_and_allotment(
        request, policy=policy, products_checked=products_checked, cached=cached, reference=reference
    )[0]


def gather_facts_and_allotment(
    request: engine.Request,
    *,
    policy: Policy | None = None,
    products_checked: bool = False,
    cached: bool = True,
    reference: ReferenceFacts | None = None,
) -> tuple[engine.Facts, Allotment | None]:
    """Everything the engine needs, as recorded at `request.at` (under `policy` if given: a proposal, whose every
    parameter applies, its Tier 2 allocation and uplift included). `products_checked`: the caller has refused
    unclassified products itself (`refuse_unclassified` on the products it read), so they are not read again.

    The policies, tiers, Country Groups, programmes, and the agreements with their terms and milestones come from
    licensing.reference_facts (kept across requests under the reference stamp: one query while unchanged);
    `cached=False` reads them from their tables instead — the same facts (tests/licensing/test_reference_facts.py
    compares both). `reference`: the caller read them already in this request.

    With the facts, the allotment record they were read from (None when none applies): a decision issues its
    licence on it and draws on it without reading it again."""
    at, on = request.at, request.at.date()
    if not products_checked:
        _refuse_unclassified(request)
    if reference is None and cached:
        reference = reference_facts()
    proposal = policy
    if policy is None:
        policy = reference.policy_in_force(at) if reference else agreements.policy_in_force(at)
    headquarters = agreements.headquarters_of(request.hq_party_ids) if request.hq_party_ids else set()
    codes = {request.destination, *request.end_user_hq, *headquarters, request.export_from}
    countries = reference.country_facts_on(codes, on) if reference else agreements.country_facts_on(codes, on)
    tiers = countries.tiers
    agreement = (
        reference.agreement_in_force(request.destination, at)
        if reference
        else agreements.agreement_in_force(request.destination, at)
    )
    source = AllotmentSource.TIER_ALLOCATION if policy.kind == PolicyKind.TIERED else AllotmentSource.AGREEMENT
    allotment = agreements.applicable_allotment(request.destination, at, source=source)
    facts = engine.Facts(
        policy=policy_facts(policy),
        destination_tier=tiers[request.destination],
        hq_tiers={code: tier for code, tier in tiers.items() if tier is not None},
        agreement=_terms_facts(agreement, at, reference) if agreement else None,
        allotment=(
            _allotment_facts(allotment, at, policy=policy, agreement_in_force=agreement is not None)
            if proposal is None
            else _proposed_allotment_facts(
                proposal, request.destination, tiers[request.destination], allotment, at, agreement is not None
            )
        ),
        # A decision skips the LPP rule (the engine never reads the figure then): not read.
        consignee_lpp_used_tpp=0 if request.skip_lpp else consignee_lpp_used_tpp(request.consignee_party, at.year),
        consignee_installed_tpp=(
            installed_tpp(request.consignee_party, request.destination) if policy.kind == PolicyKind.GLOBAL else 0
        ),
        groups=countries.groups,
        us_countries=countries.counting_as_us,
        headquarters=tuple(sorted(headquarters)),
        programmes=reference.programmes_in_force(on) if reference else tuple(programmes_in_force(on)),
    )
    return facts, allotment


def determine(
    request: engine.Request,
    *,
    policy: Policy | None = None,
    products_checked: bool = False,
    cached: bool = True,
    reference: ReferenceFacts | None = None,
) -> engine.Determination:
    facts = gather_facts(request, policy=policy, products_checked=products_checked, cached=cached, reference=reference)
    return engine.determine(request, facts)


# Scope: what a user may see is decided once, in portal.scoping (`Model.objects.restrict(user, "view")`).


def sees_internal_fields(user: Actor) -> bool:
    """Staff (insiders of applications) see every internal field: the officer's recommendation and rationale,
    every referral. Agency reviewers get their own shape (`reads_as_reviewer`, `referrals_as_seen`); exporters
    neither."""
    return is_insider(user, Application)


def reads_as_reviewer(user: Actor) -> bool:
    """An agency reviewer: the case facts and the referrals as `referrals_as_seen` shows them, nothing more."""
    return is_agency_reviewer(user, Application)


def sees_routing(user: Actor) -> bool:
    """Who may ask which agencies a case went to (the `agency` filter): whoever may view referrals — staff, and
    reviewers (who see every agency on their cases, if only as answered or not). Never exporters."""
    return allowed(user, "licensing.view_referral")


@dataclass(frozen=True)
class ReferralAsSeen:
    """A referral as one viewer may see it: `detail` False leaves only its agency and whether it answered."""

    referral: Referral
    detail: bool

    @property
    def answered(self) -> bool:
        return referral_answered(self.referral)


def referral_answered(referral: Referral) -> bool:
    """Answered with a recommendation (a referral closed as lapsed, unanswered in 30 days, was not)."""
    return referral.answered_at is not None and bool(referral.recommendation)


def agency_has_answered(referrals: Iterable[Referral], agency_code: str | None) -> bool:
    """Whether the agency has recorded its answer on the case: its latest referral carries a recommendation
    (re-referred, it must answer again before it sees the others')."""
    own = [r for r in referrals if agency_code and r.agency.code == agency_code]
    latest = max(own, key=lambda r: (r.referred_at, r.pk), default=None)
    return latest is not None and referral_answered(latest)


def referrals_as_seen(application: Application, user: Actor) -> list[ReferralAsSeen]:
    """The case's referrals as `user` may see them (SPEC § 1); reads the prefetched `application.referrals`.

    Staff see every referral in full. An agency reviewer sees its own agency's referrals in full (dates,
    recommendation, rationale) and, of every other agency's, only that it answered or not — until its own agency
    has recorded its answer (`agency_has_answered`). After that, SPEC § 1's "until" opens the other agencies'
    answers (recommendation, rationale, when) to it: they can no longer sway its own. A referral the other agency
    has not answered stays answered-or-not (there is no answer to show). The officer's recommendation and
    rationale and an approver's justification are never part of what a reviewer sees, before or after.
    """
    referrals = list(application.referrals.all())
    if not reads_as_reviewer(user):
        return [ReferralAsSeen(r, detail=sees_internal_fields(user)) for r in referrals]
    code = user_agency_code(user)
    answered = agency_has_answered(referrals, code)
    return [ReferralAsSeen(r, detail=r.agency.code == code or (answered and referral_answered(r))) for r in referrals]


# The application's own data, as the engine's question


def application_request(
    application: Application, *, at: datetime.datetime, quantities: dict[int, int] | None = None, skip_lpp: bool = False
) -> engine.Request:
    """The determination question an application asks (optionally with approved quantities per product)."""
    parties = list(application.parties.all())
    consignee = next((p for p in parties if p.role == PartyRole.ULTIMATE_CONSIGNEE), None)
    end_users = [p for p in parties if p.role == PartyRole.END_USER]
    items = [
        ItemRequest(line.product, quantities.get(line.product_id, 0) if quantities is not None else line.quantity)
        for line in application.lines.all()
    ]
    declared = tuple(p.hq_country_id for p in (consignee, *end_users) if p is not None and p.hq_country_id)
    return engine.Request(
        destination=application.destination_id,
        lines=request_lines(item for item in items if item.quantity > 0),
        consignee=consignee.name if consignee else "",
        end_users=tuple(p.name for p in end_users) or ((consignee.name,) if consignee else ()),
        end_user_hq=declared or (() if consignee else (application.destination_id,)),
        end_use_category=application.end_use_category,
        at=at,
        skip_lpp=skip_lpp,
        consignee_party=consignee.party_id if consignee else None,
        hq_party_ids=tuple(dict.fromkeys(p.party_id for p in (consignee, *end_users) if p is not None)),
        export_from=application.export_from_id or engine.UNITED_STATES,
        end_user_parties=tuple(dict.fromkeys(p.party_id for p in end_users if p.party_id is not None)),
    )


def regime_allotments(at: datetime.datetime) -> dict[str, int]:
    """Country code → id of the allotment a determination at `at` for that destination draws on under the regime in
    force: the source `gather_facts` picks (Tier 2 allocations while tiered, agreements' allotments otherwise), for a
    destination not embargoed and, under the baseline regime, needing a licence at all (D:1/D:4, not A:5/A:6; SPEC
    § 3.3 step 5). Two queries. What depends on the case (its parties' headquarters, an LPP or programme exception)
    is the determination's; this is the destination's part, as the dashboard's demand needs it."""
    policy = agreements.policy_in_force(at)
    source = AllotmentSource.TIER_ALLOCATION if policy.kind == PolicyKind.TIERED else AllotmentSource.AGREEMENT
    drawn = {allotment.country_id: allotment.pk for allotment in agreements.applicable_allotments(at, source=source)}
    groups = agreements.groups_on(set(drawn), at.date())
    for code, member_of in groups.items():
        needs_licence = policy.kind != PolicyKind.BASELINE or (
            member_of & set(engine.BASELINE_LICENCE_GROUPS) and not member_of & set(engine.BASELINE_EXEMPT_GROUPS)
        )
        if member_of & set(engine.EMBARGO_GROUPS) or not needs_licence:
            del drawn[code]
    return drawn


def pending_demand(allotment_ids: list[int], at: datetime.datetime | None = None) -> dict[int, int]:
    """TPP of submitted, undecided applications that would draw on each allotment now: grouped by the allotment the
    regime in force draws on for their destination, not the one recorded at submission (a regime switch since then
    moves the demand). A constant number of queries, however many cases."""
    wanted = set(allotment_ids)
    drawn_on = {code: pk for code, pk in regime_allotments(at or timezone.now()).items() if pk in wanted}
    rows = (
        # Never an empty `in` (Django skips that query): the same queries whichever allotments are asked about.
        Application.objects.filter(destination_id__in=[*drawn_on, ""], status__in=PENDING_APPLICATION_STATUSES)
        .values("destination_id")
        .annotate(total=Sum("requested_tpp"))
    )
    return {drawn_on[row["destination_id"]]: row["total"] for row in rows}


def pending_by_day(destination: str, days: list[datetime.date]) -> list[int]:
    """TPP asked for by the destination's applications pending at the end of each of `days`: from submission until
    decided (still open: until now; closed undecided, e.g. withdrawn: until its last change). One query."""
    cases = Application.objects.filter(destination_id=destination, submitted_at__isnull=False).values_list(
        "submitted_at", "decided_at", "status", "updated_at", "requested_tpp"
    )
    spans = []
    for submitted_at, decided_at, status, updated_at, tpp in cases:
        ended = decided_at or (None if status in PENDING_APPLICATION_STATUSES else updated_at)
        spans.append((timezone.localtime(submitted_at).date(), ended and timezone.localtime(ended).date(), tpp))
    return [sum(tpp for start, end, tpp in spans if start <= day and (end is None or end > day)) for day in days]


def open_referrals(at: datetime.datetime, *, application: Application | None = None) -> QuerySet[Referral]:
    """Referrals still awaited at `at` (`Referral.is_open`): unanswered and not past their 30-day due date."""
    referrals = Referral.objects.filter(Referral.open_at(at))
    return referrals if application is None else referrals.filter(application=application)


def awaited_referral(application: Application, agency_code: str | None) -> Referral | None:
    """The agency's unanswered referral on the case, the one its recommendation answers (a late answer, past
    the 30 days, is still taken)."""
    if not agency_code:
        return None
    return application.referrals.filter(agency__code=agency_code, answered_at__isnull=True).first()


# Four eyes: read from the recommendation history, never from the audit trail.


def officer_recommendations(application: Application) -> QuerySet[RecommendationEntry]:
    return application.recommendations.filter(kind=RecommendationKind.OFFICER)


class Blocker(str):
    """Why a decision cannot be taken now, in words; `error` is the domain error a service raises for it."""

    error: type[Exception] = DecisionRefused

    def __new__(cls, text: str, error: type[Exception] = DecisionRefused) -> "Blocker":
        blocker = super().__new__(cls, text)
        blocker.error = error
        return blocker


def decision_blockers(application: Application, user: Actor) -> list[str]:
    """Why `user` cannot approve or deny this case now (empty: they may). The approve and deny services refuse
    with the first; the admin offers the buttons only when this is empty, or says why not."""
    blockers: list[str] = []
    decide = APPLICATION.get("approve")
    if not allowed(user, decide.permission):
        blockers.append(Blocker("Only an approving official decides applications.", PermissionDenied))
    if application.status not in decide.sources:
        status = ApplicationStatus(application.status).label.lower()
        blockers.append(
            Blocker(f"The case is {status}: a decision is taken while it is under review.", InvalidTransition)
        )
    recommenders = set(officer_recommendations(application).values_list("author_id", flat=True))  # one query
    if not recommenders:
        blockers.append(Blocker("An officer recommendation is required before a decision."))
    organisation_id = user_organisation_id(user)
    if organisation_id is not None and organisation_id == application.organisation_id:
        blockers.append(
            Blocker(
                "You belong to the applicant: your own organisation's case must be decided by someone else.", FourEyes
            )
        )
    if user.pk in recommenders:
        blockers.append(
            Blocker("You made an officer recommendation on this case: another official must decide it.", FourEyes)
        )
    return blockers


def available_actions(application_or_licence: Application | Licence, user: Actor) -> list[str]:
    """The names of the transitions `user` may take on the record now, from the table: what a page offers."""
    workflow = APPLICATION if isinstance(application_or_licence, Application) else LICENCE
    return [t.name for t in workflow.available_to(application_or_licence.status, user)]


def consignee_lpp_usage(party_id: int | None, year: int) -> tuple[int, int]:
    """(TPP notified this year for the consignee party across all exporters, the LPP threshold in force now)."""
    return consignee_lpp_used_tpp(party_id, year), agreements.policy_in_force().lpp_threshold_tpp


@dataclass(frozen=True)
class ConsigneeUsage:
    party: object | None  # agreements.models.Party
    candidates: tuple  # visible parties the text could mean, when it names none exactly


def consignee_usage_lookup(user: Actor, *, party_id: int | None, name: str, country: str) -> ConsigneeUsage:
    """Which register party the exporter page's "this consignee's use" means: the one picked from the
    type-ahead (in scope), else the exact normalised name in the country, else the visible parties matching the
    text (one → that one)."""
    visible = parties_visible_to(user).filter(merged_into__isnull=True)
    if party_id:
        party = parties_visible_to(user).filter(pk=party_id).first()
        return ConsigneeUsage(agreements.party_survivor(party) if party else None, ())
    if not (name or "").strip():
        return ConsigneeUsage(None, ())
    if country:
        exact = agreements.party_match(name, country)
        if exact is not None:
            return ConsigneeUsage(exact, ())
        visible = visible.filter(country_id=country)
    candidates = tuple(agreements.party_search(visible, name).order_by("name", "id")[:10])
    return ConsigneeUsage(candidates[0] if len(candidates) == 1 else None, candidates)


def parties_on_filings(organisation_id: int) -> list[QuerySet]:
    """Ids of the register parties an organisation's applications and notifications name."""
    return [
        ApplicationParty.objects.filter(application__organisation_id=organisation_id).values("party_id"),
        LppNotification.objects.filter(organisation_id=organisation_id).values("consignee_party_id"),
    ]


def parties_visible_to(user: Actor | None) -> QuerySet[Party]:
    """The register as `user` may see it (agreements.selectors.parties_visible_to) with, for an exporter, the
    parties on its own organisation's filings: the scope of the parties API and admin, the exporter pages and
    party resolution during filing."""
    if user is None:  # a filing by no one (a command) names parties by their details only
        return Party.objects.none()
    organisation_id = user_organisation_id(user)
    on_filings = parties_on_filings(organisation_id) if organisation_id is not None else []
    return agreements.parties_visible_to(user, on_filings=on_filings)


def applications_for_listing(user: Actor) -> QuerySet[Application]:
    """Scoped applications with everything a page of them shows, in a constant number of queries.

    Joined: only what the caller's page shows (the destination is shown by its code, on the row). Each join adds
    PostgreSQL planning time to every page: the five joins of old took 4–9 ms to plan and 0.5 ms to run. The
    referrals are read only for those shown them (staff, agency reviewers): an exporter's page never shows them,
    and each prefetch costs a query and a queryset per row."""
    staff, reviewer = sees_internal_fields(user), reads_as_reviewer(user)
    shown_to_staff = ("organisation", "officer", "recommended_by") if staff else ("organisation",) if reviewer else ()
    referrals = (
        (Prefetch("referrals", queryset=Referral.objects.select_related("agency").order_by("agency__code")),)
        if staff or reviewer
        else ()
    )
    return (
        Application.objects.restrict(user, "view")
        .select_related("licence", "programme_version__programme", *shown_to_staff)
        .prefetch_related(
            Prefetch(
                "affirmations",
                queryset=CertificationAffirmation.objects.select_related("certification", "affirmed_by"),
            ),
            Prefetch("parties", queryset=ApplicationParty.objects.order_by("id")),
            Prefetch("lines", queryset=ApplicationLine.objects.select_related("product__chip").order_by("id")),
            Prefetch("info_requests", queryset=InfoRequest.objects.order_by("asked_at")),
            *referrals,
        )
    )


def licences_for_listing(user: Actor) -> QuerySet[Licence]:
    return (
        Licence.objects.restrict(user, "view")
        .select_related("application", "organisation", "programme_version__programme")
        .prefetch_related(
            Prefetch("lines", queryset=LicenceLine.objects.select_related("product").order_by("id")),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.prefetch_related(
                    Prefetch("lines", queryset=ShipmentLine.objects.select_related("licence_line")), "obligations"
                ).order_by("shipped_on", "id"),
            ),
            Prefetch("obligation_set", queryset=with_overdue(Obligation.objects.order_by("due_on", "id"))),
        )
    )


def licences_for_list_page(user: Actor) -> QuerySet[Licence]:
    """The exporter's licence list: the columns it shows, each licence's application with its ACN only, and its
    lines with their products; not the shipments, obligations and programme that `licences_for_listing` reads for
    the API and a licence's own page (five queries and a queryset per row). The application is selected with the
    row, not annotated onto it: the pager's count then reads the licences alone (an annotation keeps its join in
    the count, which read every one of the organisation's applications)."""
    return (
        Licence.objects.restrict(user, "view")
        .select_related("application")
        .only("number", "status", "valid_until", "application__acn")
        .prefetch_related(Prefetch("lines", queryset=LicenceLine.objects.select_related("product").order_by("id")))
    )


def controlled_product_ids(application: Application) -> set[int]:
    """The lines that count on a submitted application, as its frozen determination says (3A090.a/4A090.a, and
    those a programme brought into scope); for a draft or an older determination, the catalogue's ECCN."""
    frozen = application.determination or {}
    if "controlled_products" in frozen:
        return set(frozen["controlled_products"])
    return {line.product_id for line in application.lines.all() if line.product.is_controlled}


def certifications_to_affirm(application: Application) -> tuple[engine.CertificationFacts, ...]:
    """What submitting this draft now would ask the exporter to affirm: the certifications of the programme its
    determination applies (none when no programme applies or it cannot be determined yet)."""
    try:
        return determine(application_request(application, at=timezone.now())).certifications
    except ValidationError:
        return ()


def awaiting_decision_by(user: Viewer, queryset: QuerySet[Application]) -> QuerySet[Application]:
    """The cases in `queryset` awaiting `user`'s decision: under review, recommended by an officer, and not by
    `user` (the approver is never the recommending officer); none for someone who may not decide."""
    if not allowed(user, "licensing.decide_application"):
        return queryset.none()
    recommended = queryset.filter(status=ApplicationStatus.UNDER_REVIEW).exclude(recommendation="")
    return recommended.exclude(recommended_by=user.pk)


def declaration_in_effect(day: datetime.date | None = None) -> DeclarationText:
    """The declaration wording an exporter declares on `day` (today by default): the newest version in effect."""
    day = day or timezone.localdate()
    text = DeclarationText.objects.filter(effective_from__lte=day).order_by("-effective_from", "-version").first()
    if text is None:
        raise ValidationError({"declaration": "No declaration wording is in effect; an administrator must add one."})
    return text


def shipment_still_needs(shipment: Shipment) -> list[str]:
    """What a shipment still owes its licence's programme: the per-shipment evidence, until a reference is given
    (documents, and officers accepting them, come with the casework issue). Reads the licence's programme version,
    which `licences_for_listing` joins."""
    version = shipment.licence.programme_version
    if version is None or not version.shipment_evidence or shipment.evidence_reference:
        return []
    return [version.shipment_evidence]


def notifications_for_listing(user: Actor) -> QuerySet[LppNotification]:
    return LppNotification.objects.restrict(user, "view").prefetch_related("lines")


def shipped_by_allotment_party(allotment_ids: list[int]) -> dict[tuple[int, int | None], int]:
    """(allotment id, None) → TPP shipped under the licences drawing on it; (allotment id, party id) → the part
    shipped under licences whose draw was for that party (consignee or end user, merges followed). Three queries."""
    shipped = (
        ShipmentLine.objects.filter(shipment__licence__allotment_id__in=allotment_ids)
        .values("shipment__licence__allotment_id", "shipment__licence__number")
        .annotate(tpp=Sum(F("quantity") * F("licence_line__unit_tpp")))
    )
    by_licence = {
        (row["shipment__licence__allotment_id"], row["shipment__licence__number"]): row["tpp"] for row in shipped
    }
    totals: dict[tuple[int, int | None], int] = {}
    for (allotment_id, _), tpp in by_licence.items():
        totals[(allotment_id, None)] = totals.get((allotment_id, None), 0) + tpp
    draws = list(
        LedgerEntryParty.objects.filter(
            entry__kind=LedgerKind.RESERVE,
            entry__allotment_id__in=allotment_ids,
            entry__reference__in={number for _, number in by_licence},
        ).values_list("entry__allotment_id", "entry__reference", "party_id")
    )
    live = deal_selectors.survivors_of({party_id for _, _, party_id in draws})
    for allotment_id, number, party_id in {(a, n, live[p]) for a, n, p in draws}:
        key = (allotment_id, party_id)
        totals[key] = totals.get(key, 0) + by_licence.get((allotment_id, number), 0)
    return totals


# Casework: the officer's proposals, the agencies' conditions, open questions and a decision's allotment effect


def open_info_request(application: Application) -> InfoRequest | None:
    """The request for information still awaiting the exporter's answer (neither answered nor withdrawn)."""
    return (
        application.info_requests.filter(answered_at__isnull=True, withdrawn_at__isnull=True)
        .order_by("-asked_at")
        .first()
    )


def agency_conditions(application: Application) -> list[tuple[str, str]]:
    """(agency name, condition) for every condition an agency asked for in its answer to a referral."""
    referrals = application.referrals.filter(answered_by__isnull=False).select_related("agency")
    return [(referral.agency.name, text) for referral in referrals for text in referral.conditions or []]


@dataclass(frozen=True)
class CapEffect:
    party: str
    capacity_tpp: int
    committed_tpp: int
    draw_tpp: int

    @property
    def after_tpp(self) -> int:
        return self.committed_tpp + self.draw_tpp


@dataclass(frozen=True)
class AllotmentEffect:
    """What a decision does to the allotment it draws on, computed now (the service re-checks under its lock)."""

    allotment: Allotment
    capacity_tpp: int
    committed_tpp: int
    draw_tpp: int
    caps: tuple[CapEffect, ...] = ()

    @property
    def after_tpp(self) -> int:
        return self.committed_tpp + self.draw_tpp

    @property
    def remaining_after_tpp(self) -> int:
        return self.capacity_tpp - self.after_tpp


@dataclass(frozen=True)
class DecisionEffect:
    """The allotments a decision draws on (none: `reason` says why), and any refusal the approval would meet."""

    effects: tuple[AllotmentEffect, ...]
    reason: str = ""
    refusal: str = ""


def decision_effect(
    application: Application, quantities: dict[int, int] | None, *, approve: bool, at: datetime.datetime | None = None
) -> DecisionEffect:
    """The allotment effect of approving `quantities` (product id → units; None: as requested) — or of denying
    (`approve` False: nothing is drawn) — as the determination at `at` (default now) sees it."""
    at = at or timezone.now()
    request = application_request(application, at=at, quantities=quantities, skip_lpp=True)
    result = determine(request)
    draw = result.requested_tpp if approve else 0
    if result.allotment_id is None:
        if result.requires_allotment:
            return DecisionEffect((), reason="No allotment applies today, and this export needs one.")
        return DecisionEffect((), reason="No allotment applies: this export draws on none.")
    allotment = Allotment.objects.get(pk=result.allotment_id)
    party_ids = [p for p in (request.consignee_party, *request.end_user_parties) if p is not None]
    survivors = list(dict.fromkeys(deal_selectors.survivors_of(party_ids).values())) if party_ids else []
    caps = tuple(
        CapEffect(cap.party.name, cap.capacity_tpp, cap.committed_tpp, draw)
        for cap in (deal_selectors.cap_usage([allotment.pk], party_ids=survivors) if survivors else [])
    )
    effect = AllotmentEffect(
        allotment=allotment,
        capacity_tpp=agreements.effective_capacity(allotment, at),
        committed_tpp=allotment.committed_tpp,
        draw_tpp=draw,
        caps=caps,
    )
    refusal = ""
    if approve and result.outcome != engine.Outcome.LICENCE_REQUIRED:
        refusal = f"The determination now is {result.outcome.value}: the approval would be refused."
    elif approve and draw > agreements.remaining_of(effect.capacity_tpp, effect.committed_tpp):
        refusal = "This draw exceeds what the allotment has left: the approval would be refused."
    elif approve and any(cap.after_tpp > cap.capacity_tpp for cap in caps):
        refusal = "This draw exceeds a party cap: the approval would be refused."
    return DecisionEffect((effect,), refusal=refusal)
