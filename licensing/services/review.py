"""The licensing officer's and the agencies' side: review, questions, referral, recommendation, return."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from licensing import selectors
from licensing.choices import OFFICER_RECOMMENDATIONS, ApplicationStatus, Recommendation, RecommendationKind
from licensing.models import Application, InfoRequest, RecommendationEntry, Referral
from licensing.services.applications import lock_application
from licensing.services.letters import render_letters_on_commit
from licensing.services.status import changing_status, set_status
from portal.choices import REVIEWING_AGENCIES
from portal.errors import InvalidTransition
from portal.models import Agency
from portal.permissions import Actor
from portal.selectors import user_agency_code

REFERRAL_DAYS = 30


def application_start_review(*, actor: Actor, application: Application) -> Application:
    """Take a submitted case, or bring a referred one back once every agency answered or ran out of time."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "start_review", actor=actor) as change:
            if change.previous == ApplicationStatus.REFERRED:
                open_referrals = selectors.open_referrals(timezone.now(), application=application)
                waiting = sorted(open_referrals.values_list("agency__code", flat=True))
                if waiting:
                    raise InvalidTransition(
                        f"Still waiting for {', '.join(waiting)}: review resumes when they answer or their 30 days "
                        "pass."
                    )
            application.officer = application.officer or actor
            change.payload = {"from": change.previous}
    return application


def application_request_info(*, actor: Actor, application: Application, question: str) -> Application:
    """Ask the exporter for more information; the 90-day clock stops until they answer."""
    if not (question or "").strip():
        raise ValidationError({"question": "Write the question for the exporter."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "request_info", actor=actor, payload={"question": question.strip()}):
            now = timezone.now()
            InfoRequest.objects.create(application=application, question=question.strip(), asked_by=actor, asked_at=now)
            application.paused_at = now
    return application


def application_refer(*, actor: Actor, application: Application, agencies: list[str]) -> Application:
    """Refer to Defense, State and/or Energy, each with 30 days to recommend."""
    codes = sorted(set(agencies or []))
    if not codes or not set(codes) <= set(REVIEWING_AGENCIES):
        raise ValidationError({"agencies": f"Refer to one or more of: {', '.join(REVIEWING_AGENCIES)}."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "refer", actor=actor) as change:
            _refer(application, actor, codes, change.payload)
    return application


def _refer(application: Application, actor: Actor, codes: list[str], payload: dict) -> None:
    """New referrals, each due in 30 days; the payload of the referral's audit event is filled in."""
    now = timezone.now()
    due = now + datetime.timedelta(days=REFERRAL_DAYS)
    # A case under review has no referral still awaited: any unanswered one has lapsed (no objection).
    # Close it, so the agency's new referral is its one open referral.
    lapsed_referrals = application.referrals.filter(agency__code__in=codes, answered_at__isnull=True)
    lapsed = sorted(lapsed_referrals.values_list("agency__code", flat=True))
    lapsed_referrals.update(answered_at=now, rationale="No answer within 30 days: counted as no objection.")
    Referral.objects.bulk_create(
        [
            Referral(application=application, agency=agency, referred_by=actor, referred_at=now, due_at=due)
            for agency in Agency.objects.filter(code__in=codes)
        ]
    )
    payload.update({"agencies": codes, "due_at": due.isoformat(), **({"lapsed": lapsed} if lapsed else {})})


def application_agency_recommend(
    *,
    actor: Actor,
    application: Application,
    recommendation: str,
    rationale: str = "",
    conditions: list[str] | None = None,
) -> Application:
    """An agency answers its referral (approve, approve with conditions, or deny); the last awaited answer sends
    the case back to review. Conditions are required with approve_with_conditions and offered to the approver."""
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Recommend approve, approve_with_conditions or deny."})
    conditions = [c.strip() for c in conditions or [] if c and c.strip()]
    if recommendation == Recommendation.APPROVE_WITH_CONDITIONS and not conditions:
        raise ValidationError({"conditions": "Approve with conditions: state the conditions your agency asks for."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        code = user_agency_code(actor)
        payload = {"agency": code, "recommendation": recommendation, "rationale": rationale, "conditions": conditions}
        with changing_status(application, "agency_recommend", actor=actor, payload=payload):
            now = timezone.now()
            referral = selectors.awaited_referral(application, code)
            if referral is None:
                raise InvalidTransition("Your agency has no open referral on this application.")
            referral.recommendation, referral.rationale = recommendation, rationale.strip()
            referral.conditions = conditions
            referral.answered_by, referral.answered_at = actor, now
            referral.save()
            RecommendationEntry.objects.create(
                application=application,
                kind=RecommendationKind.AGENCY,
                agency_id=referral.agency_id,
                author=actor,
                recommendation=recommendation,
                rationale=rationale.strip(),
                conditions=conditions,
                created_at=now,
            )
        if not selectors.open_referrals(now, application=application).exists():
            set_status(application, "referrals_answered", actor=None)
    return application


def application_recommend(
    *, actor: Actor, application: Application, recommendation: str, rationale: str
) -> Application:
    """The officer's recommendation, required before a decision (and barring its author from deciding)."""
    if recommendation not in OFFICER_RECOMMENDATIONS:
        raise ValidationError({"recommendation": "Recommend approve or deny."})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": "Give the rationale for the recommendation."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        payload = {"recommendation": recommendation, "rationale": rationale.strip()}
        with changing_status(application, "recommend", actor=actor, payload=payload):
            application.recommendation, application.recommendation_rationale = recommendation, rationale.strip()
            application.recommended_by = actor
            application.officer = application.officer or actor
            RecommendationEntry.objects.create(
                application=application,
                kind=RecommendationKind.OFFICER,
                author=actor,
                recommendation=recommendation,
                rationale=rationale.strip(),
                created_at=timezone.now(),
            )
    return application


def application_return(*, actor: Actor, application: Application, reason: str) -> Application:
    """Return without action (RWA): corrections come as a new application."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "return", actor=actor, reason=reason, payload={"reason": reason.strip()}):
            application.decision_reason = reason.strip()
            application.decided_by, application.decided_at = actor, timezone.now()
        render_letters_on_commit(application)
    return application
