"""Reads of the case side: the catalogue, the facts a determination needs, and scoping."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from agreements import selectors as agreements
from agreements.choices import AllotmentSource, PolicyKind, Tier
from agreements.models import Agreement, Allotment, Policy
from agreements.units import h100e
from licensing import determination as engine
from licensing.choices import PENDING_APPLICATION_STATUSES, ApplicationStatus, PartyRole
from licensing.models import (
    Application,
    ApplicationLine,
    InfoRequest,
    Licence,
    LicenceLine,
    LppNotification,
    Party,
    Product,
    Referral,
    Shipment,
    ShipmentLine,
)
from portal.choices import Role
from portal.selectors import (
    audit_events_for,
    user_agency_code,
    user_has_role,
    user_is_staff,
    user_organisation_id,
)


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


def _allotment_facts(
    allotment: Allotment | None, at: datetime.datetime, *, proposal: Policy | None = None
) -> engine.AllotmentFacts | None:
    if allotment is None:
        return None
    return engine.AllotmentFacts(
        id=allotment.pk,
        capacity_tpp=agreements.effective_capacity(allotment, at, policy=proposal),
        committed_tpp=allotment.committed_tpp,
        period_start=allotment.period_start,
        period_end=allotment.period_end,
    )


def _proposed_allotment_facts(
    proposal: Policy, destination: str, tier: int | None, existing: Allotment | None, at: datetime.datetime
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
        return _allotment_facts(existing, at, proposal=proposal)
    capacity = proposal.tier2_allocation_tpp
    if agreements.agreement_in_force(destination, at) is not None:
        capacity = agreements.uplifted_capacity(capacity, proposal.g2g_uplift)
    return engine.AllotmentFacts(
        id=None,  # hypothetical: not on record until the proposal is approved
        capacity_tpp=capacity,
        committed_tpp=0,
        period_start=proposal.tier2_period_start,
        period_end=proposal.tier2_period_end,
    )


def gather_facts(request: engine.Request, *, policy: Policy | None = None) -> engine.Facts:
    """Everything the engine needs, as recorded at `request.at` (under `policy` if given: a proposal, whose every
    parameter applies, its Tier 2 allocation and uplift included)."""
    at, on = request.at, request.at.date()
    proposal, policy = policy, policy or agreements.policy_in_force(at)
    tiers = agreements.tiers_on({request.destination, *request.end_user_hq}, on)
    agreement = agreements.agreement_in_force(request.destination, at)
    source = AllotmentSource.AGREEMENT if policy.kind == PolicyKind.GLOBAL else AllotmentSource.TIER_ALLOCATION
    consignee = engine.normalise_name(request.consignee)
    allotment = agreements.applicable_allotment(request.destination, at, source=source)
    return engine.Facts(
        policy=_policy_facts(policy),
        destination_tier=tiers[request.destination],
        hq_tiers={code: tier for code, tier in tiers.items() if tier is not None},
        agreement=_terms_facts(agreement, on) if agreement else None,
        allotment=(
            _allotment_facts(allotment, at)
            if proposal is None
            else _proposed_allotment_facts(proposal, request.destination, tiers[request.destination], allotment, at)
        ),
        consignee_lpp_used_tpp=consignee_lpp_used_tpp(consignee, at.year),
        consignee_installed_tpp=(
            agreements.installed_tpp(agreement_id=agreement.pk, consignee=consignee) if agreement else 0
        ),
    )


def determine(request: engine.Request, *, policy: Policy | None = None) -> engine.Determination:
    return engine.determine(request, gather_facts(request, policy=policy))


# Scope: what a user may see. Out-of-scope records are simply not in the queryset (404).


def applications_visible_to(user: AbstractBaseUser) -> QuerySet[Application]:
    """Exporters: their organisation's, drafts included. Staff: every submitted one (a draft is the
    exporter's own until sent). Agency reviewers: those referred to their agency."""
    applications = Application.objects.all()
    if not user.is_authenticated:
        return applications.none()
    scope = Q(pk__in=[])
    if user_is_staff(user):
        scope |= ~Q(status=ApplicationStatus.DRAFT)
    if user_has_role(user, Role.EXPORTER) and user_organisation_id(user):
        scope |= Q(organisation_id=user_organisation_id(user))
    if user_has_role(user, Role.AGENCY_REVIEWER) and user_agency_code(user):
        scope |= Q(Exists(Referral.objects.filter(application=OuterRef("pk"), agency__code=user_agency_code(user))))
    return applications.filter(scope)


def licences_visible_to(user: AbstractBaseUser) -> QuerySet[Licence]:
    licences = Licence.objects.all()
    if user_is_staff(user):
        return licences
    if user_has_role(user, Role.EXPORTER) and user_organisation_id(user):
        return licences.filter(organisation_id=user_organisation_id(user))
    return licences.none()


def notifications_visible_to(user: AbstractBaseUser) -> QuerySet[LppNotification]:
    notifications = LppNotification.objects.all()
    if user_is_staff(user):
        return notifications
    if user_has_role(user, Role.EXPORTER) and user_organisation_id(user):
        return notifications.filter(organisation_id=user_organisation_id(user))
    return notifications.none()


def is_internal_viewer(user: AbstractBaseUser) -> bool:
    """Staff and agency reviewers see internal fields (recommendations, notes); exporters never do."""
    return user_is_staff(user) or user_has_role(user, Role.AGENCY_REVIEWER)


# The application's own data, as the engine's question


def application_request(
    application: Application, *, at: datetime.datetime, quantities: dict[int, int] | None = None, skip_lpp=False
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


def has_recommended(application: Application, user: AbstractBaseUser) -> bool:
    """Whether `user` made an officer recommendation on the case: the standing one, or one since replaced
    (the append-only audit trail keeps every recommendation)."""
    if application.recommended_by_id == user.pk:
        return True
    events = audit_events_for(target_type=Application._meta.label_lower, target_id=str(application.pk))
    return events.filter(verb="application.recommended", actor_id=user.pk).exists()


def pending_demand(allotment_ids: list[int]) -> dict[int, int]:
    """TPP of submitted, undecided applications that would draw on each allotment."""
    rows = (
        Application.objects.filter(allotment_id__in=allotment_ids, status__in=PENDING_APPLICATION_STATUSES)
        .values("allotment_id")
        .annotate(total=Sum("requested_tpp"))
    )
    return {row["allotment_id"]: row["total"] for row in rows}


def open_referrals(application: Application, at: datetime.datetime) -> QuerySet[Referral]:
    """Referrals still awaited: unanswered and not past their 30-day due date."""
    return application.referrals.filter(answered_at__isnull=True, due_at__gt=at)


def consignee_lpp_usage(consignee: str, year: int) -> tuple[int, int]:
    """(TPP notified this year for the consignee across all exporters, the LPP threshold in force now)."""
    return consignee_lpp_used_tpp(
        engine.normalise_name(consignee), year
    ), agreements.policy_in_force().lpp_threshold_tpp


def applications_for_listing(user: AbstractBaseUser) -> QuerySet[Application]:
    """Scoped applications with everything a page of them shows, in a constant number of queries.

    Joined: only what the caller's page shows (the destination is shown by its code, on the row). Each join adds
    PostgreSQL planning time to every page: the five joins of old took 4–9 ms to plan and 0.5 ms to run."""
    shown_to_staff = ("organisation", "officer", "recommended_by") if is_internal_viewer(user) else ()
    return (
        applications_visible_to(user)
        .select_related("licence", *shown_to_staff)
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("id")),
            Prefetch("lines", queryset=ApplicationLine.objects.select_related("product__chip").order_by("id")),
            Prefetch("info_requests", queryset=InfoRequest.objects.order_by("asked_at")),
            Prefetch("referrals", queryset=Referral.objects.select_related("agency").order_by("agency__code")),
        )
    )


def licences_for_listing(user: AbstractBaseUser) -> QuerySet[Licence]:
    return (
        licences_visible_to(user)
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


def notifications_for_listing(user: AbstractBaseUser) -> QuerySet[LppNotification]:
    return notifications_visible_to(user).prefetch_related("lines")


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
    """Current and proposed determination of each pending application, as of now. The proposal's every parameter
    applies (SPEC § 3): a Tier 2 allocation it would open is shown with no id (`hypothetical`)."""
    now = timezone.now()
    rows = []
    for application in pending_applications():
        request = application_request(application, at=now)
        current = determine(request).as_dict()
        proposed = _proposed_determination(request, proposal)
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


def _proposed_determination(request: engine.Request, proposal: Policy) -> dict:
    facts = gather_facts(request, policy=proposal)
    determination = engine.determine(request, facts)
    answer = determination.as_dict()
    remaining = determination.allotment_remaining_tpp
    if answer["allotment"] is None and remaining is not None and facts.allotment is not None:
        answer["allotment"] = {  # drawn on a Tier 2 allocation the proposal would open (no row yet)
            "id": None,
            "hypothetical": True,
            "remaining_tpp": remaining,
            "remaining_h100e": str(h100e(remaining)),
            "period_start": facts.allotment.period_start.isoformat(),
            "period_end": facts.allotment.period_end.isoformat(),
        }
    return answer
