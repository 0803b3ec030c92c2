"""Reads of the case side: the catalogue, the facts a determination needs, and scoping."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from agreements import selectors as agreements
from agreements.choices import AllotmentSource, PolicyKind
from agreements.models import Agreement, Allotment, Policy
from licensing import determination as engine
from licensing.choices import PENDING_APPLICATION_STATUSES, ApplicationStatus, Eccn, PartyRole, RecommendationKind
from licensing.errors import DecisionRefused, FourEyes
from licensing.models import (
    Application,
    ApplicationLine,
    InfoRequest,
    Licence,
    LicenceLine,
    LppNotification,
    Party,
    Product,
    RecommendationEntry,
    Referral,
    Shipment,
    ShipmentLine,
)
from licensing.workflow import APPLICATION, LICENCE
from portal.errors import InvalidTransition
from portal.permissions import Actor, allowed
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
    return tuple(
        engine.Line(
            product_id=item.product.pk,
            quantity=item.quantity,
            unit_tpp=item.product.tpp,
            controlled=item.product.is_controlled,
            label=str(item.product),
        )
        for item in items
    )


def consignee_lpp_used_tpp(consignee_key: str, year: int) -> int:
    """Accepted LPP notifications for a consignee in a calendar year, across all exporters."""
    total = LppNotification.objects.filter(consignee_key=consignee_key, year=year).aggregate(total=Sum("total_tpp"))
    return total["total"] or 0


def _policy_facts(policy: Policy) -> engine.PolicyFacts:
    return engine.PolicyFacts(
        kind=policy.kind,
        lpp_threshold_tpp=policy.lpp_threshold_tpp,
        size_bands=tuple(engine.SizeBand(band["h100e"], band["condition"]) for band in policy.size_bands),
        g2g_uplift=policy.g2g_uplift,
    )


def _terms_facts(agreement: Agreement, on: datetime.date) -> engine.TermsFacts:
    terms = agreements.terms_in_force(agreement, on)
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
    )


def _allotment_facts(allotment: Allotment | None, at: datetime.datetime) -> engine.AllotmentFacts | None:
    if allotment is None:
        return None
    return engine.AllotmentFacts(
        id=allotment.pk,
        capacity_tpp=agreements.effective_capacity(allotment, at),
        committed_tpp=allotment.committed_tpp,
        period_start=allotment.period_start,
        period_end=allotment.period_end,
    )


def _refuse_unclassified(request: engine.Request) -> None:
    """A chip awaiting classification (or a system holding one) cannot be determined on: 400 naming it."""
    ids = {line.product_id for line in request.lines}
    products = Product.objects.filter(pk__in=ids).select_related("chip")
    unclassified = sorted(str(product) for product in products if product.eccn == Eccn.UNCLASSIFIED)
    if unclassified:
        raise ValidationError(
            {
                "items": f"{', '.join(unclassified)}: not yet classified (TPP between 1,600 and 4,800 with no die "
                "area recorded, so performance density is unknown). Ask a policy administrator to record the die "
                "area; until then the product cannot be used on an application, notification or determination."
            }
        )


def gather_facts(request: engine.Request, *, policy: Policy | None = None) -> engine.Facts:
    """Everything the engine needs, as recorded at `request.at` (under `policy` if given: a proposal)."""
    at, on = request.at, request.at.date()
    _refuse_unclassified(request)
    policy = policy or agreements.policy_in_force(at)
    codes = {request.destination, *request.end_user_hq}
    tiers = agreements.tiers_on(codes, on)
    agreement = agreements.agreement_in_force(request.destination, at)
    source = AllotmentSource.AGREEMENT if policy.kind == PolicyKind.GLOBAL else AllotmentSource.TIER_ALLOCATION
    consignee = engine.normalise_name(request.consignee)
    return engine.Facts(
        policy=_policy_facts(policy),
        destination_tier=tiers[request.destination],
        hq_tiers={code: tier for code, tier in tiers.items() if tier is not None},
        agreement=_terms_facts(agreement, on) if agreement else None,
        allotment=_allotment_facts(agreements.applicable_allotment(request.destination, at, source=source), at),
        consignee_lpp_used_tpp=consignee_lpp_used_tpp(consignee, at.year),
        consignee_installed_tpp=(
            agreements.installed_tpp(agreement_id=agreement.pk, consignee=consignee) if agreement else 0
        ),
        groups=agreements.groups_on(codes, on),
        us_countries=agreements.countries_counting_as_us(codes),
    )


def determine(request: engine.Request, *, policy: Policy | None = None) -> engine.Determination:
    return engine.determine(request, gather_facts(request, policy=policy))


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
    return engine.Request(
        destination=application.destination_id,
        lines=request_lines(item for item in items if item.quantity > 0),
        consignee=consignee.name if consignee else "",
        end_users=tuple(p.name for p in end_users) or ((consignee.name,) if consignee else ()),
        end_user_hq=tuple(p.hq_country_id or p.country_id for p in end_users)
        or ((consignee.country_id,) if consignee else (application.destination_id,)),
        end_use_category=application.end_use_category,
        at=at,
        skip_lpp=skip_lpp,
    )


def pending_demand(allotment_ids: list[int]) -> dict[int, int]:
    """TPP of submitted, undecided applications that would draw on each allotment."""
    rows = (
        Application.objects.filter(allotment_id__in=allotment_ids, status__in=PENDING_APPLICATION_STATUSES)
        .values("allotment_id")
        .annotate(total=Sum("requested_tpp"))
    )
    return {row["allotment_id"]: row["total"] for row in rows}


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
    recommended = officer_recommendations(application)
    if not recommended.exists():
        blockers.append(Blocker("An officer recommendation is required before a decision."))
    organisation_id = user_organisation_id(user)
    if organisation_id is not None and organisation_id == application.organisation_id:
        blockers.append(
            Blocker(
                "You belong to the applicant: your own organisation's case must be decided by someone else.", FourEyes
            )
        )
    if recommended.filter(author_id=user.pk).exists():
        blockers.append(
            Blocker("You made an officer recommendation on this case: another official must decide it.", FourEyes)
        )
    return blockers


def available_actions(application_or_licence: Application | Licence, user: Actor) -> list[str]:
    """The names of the transitions `user` may take on the record now, from the table: what a page offers."""
    workflow = APPLICATION if isinstance(application_or_licence, Application) else LICENCE
    return [t.name for t in workflow.available_to(application_or_licence.status, user)]


def consignee_lpp_usage(consignee: str, year: int) -> tuple[int, int]:
    """(TPP notified this year for the consignee across all exporters, the LPP threshold in force now)."""
    return consignee_lpp_used_tpp(
        engine.normalise_name(consignee), year
    ), agreements.policy_in_force().lpp_threshold_tpp


def applications_for_listing(user: Actor) -> QuerySet[Application]:
    """Scoped applications with everything a page of them shows, in a constant number of queries.

    Joined: only what the caller's page shows (the destination is shown by its code, on the row). Each join adds
    PostgreSQL planning time to every page: the five joins of old took 4–9 ms to plan and 0.5 ms to run."""
    shown_to_staff = (
        ("organisation", "officer", "recommended_by")
        if sees_internal_fields(user)
        else ("organisation",)
        if reads_as_reviewer(user)
        else ()
    )
    return (
        Application.objects.restrict(user, "view")
        .select_related("licence", *shown_to_staff)
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("id")),
            Prefetch("lines", queryset=ApplicationLine.objects.select_related("product__chip").order_by("id")),
            Prefetch("info_requests", queryset=InfoRequest.objects.order_by("asked_at")),
            Prefetch("referrals", queryset=Referral.objects.select_related("agency").order_by("agency__code")),
        )
    )


def licences_for_listing(user: Actor) -> QuerySet[Licence]:
    return (
        Licence.objects.restrict(user, "view")
        .select_related("application", "organisation")
        .prefetch_related(
            Prefetch("lines", queryset=LicenceLine.objects.select_related("product").order_by("id")),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.prefetch_related(
                    Prefetch("lines", queryset=ShipmentLine.objects.select_related("licence_line"))
                ).order_by("shipped_on", "id"),
            ),
        )
    )


def notifications_for_listing(user: Actor) -> QuerySet[LppNotification]:
    return LppNotification.objects.restrict(user, "view").prefetch_related("lines")


def pending_applications(limit: int = 500) -> QuerySet[Application]:
    return (
        Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES)
        .select_related("organisation")
        .prefetch_related(
            "parties", Prefetch("lines", queryset=ApplicationLine.objects.select_related("product__chip"))
        )
        .order_by("submitted_at", "id")[:limit]
    )


def policy_impact_rows(proposal: Policy) -> list[dict]:
    """Current and proposed determination of each pending application, as of now."""
    now = timezone.now()
    rows = []
    for application in pending_applications():
        request = application_request(application, at=now)
        current = determine(request).as_dict()
        proposed = determine(request, policy=proposal).as_dict()
        rows.append(
            {
                "id": application.pk,
                "acn": application.acn,
                "status": application.status,
                "organisation": application.organisation.name,
                "destination": application.destination_id,
                "requested_tpp": application.requested_tpp,
                "current": current,
                "proposed": proposed,
                "changed": (current["outcome"], current["presumption"])
                != (proposed["outcome"], proposed["presumption"]),
            }
        )
    return rows
