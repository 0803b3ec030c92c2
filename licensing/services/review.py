"""The licensing officer's and the agencies' side: review, questions, referral, recommendation, return."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from licensing import selectors
from licensing.choices import ApplicationStatus, Recommendation
from licensing.models import Application, InfoRequest, Referral
from licensing.services.applications import lock_application
from licensing.workflow import APPLICATION
from portal.choices import REVIEWING_AGENCIES
from portal.errors import InvalidTransition
from portal.models import Agency
from portal.permissions import Actor
from portal.selectors import user_agency_code
from portal.services import audit_record

REFERRAL_DAYS = 30


def application_start_review(*, actor: Actor, application: Application) -> Application:
    """Take a submitted case, or bring a referred one back once every agency answered or ran out of time."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        APPLICATION.check("start_review", application.status, actor)
        now = timezone.now()
        if application.status == ApplicationStatus.REFERRED:
            waiting = sorted(selectors.open_referrals(application, now).values_list("agency__code", flat=True))
            if waiting:
                raise InvalidTransition(
                    f"Still waiting for {', '.join(waiting)}: review resumes when they answer or their 30 days pass."
                )
        previous = application.status
        application.status = ApplicationStatus.UNDER_REVIEW
        application.officer = application.officer or actor
        application.save()
        audit_record(actor=actor, verb="application.review_started", target=application, payload={"from": previous})
    return application


def application_request_info(*, actor: Actor, application: Application, question: str) -> Application:
    """Ask the exporter for more information; the 90-day clock stops until they answer."""
    if not (question or "").strip():
        raise ValidationError({"question": "Write the question for the exporter."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        APPLICATION.check("request_info", application.status, actor)
        now = timezone.now()
        InfoRequest.objects.create(application=application, question=question.strip(), asked_by=actor, asked_at=now)
        application.status = ApplicationStatus.INFO_REQUESTED
        application.paused_at = now
        application.save()
        audit_record(
            actor=actor, verb="application.info_requested", target=application, payload={"question": question.strip()}
        )
    return application


def application_refer(*, actor: Actor, application: Application, agencies: list[str]) -> Application:
    """Refer to Defense, State and/or Energy, each with 30 days to recommend."""
    codes = sorted(set(agencies or []))
    if not codes or not set(codes) <= set(REVIEWING_AGENCIES):
        raise ValidationError({"agencies": f"Refer to one or more of: {', '.join(REVIEWING_AGENCIES)}."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        APPLICATION.check("refer", application.status, actor)
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
        application.status = ApplicationStatus.REFERRED
        application.save()
        audit_record(
            actor=actor,
            verb="application.referred",
            target=application,
            payload={"agencies": codes, "due_at": due.isoformat(), **({"lapsed": lapsed} if lapsed else {})},
        )
    return application


def application_agency_recommend(
    *, actor: Actor, application: Application, recommendation: str, rationale: str = ""
) -> Application:
    """An agency answers its referral; the last awaited answer sends the case back to review."""
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Recommend approve or deny."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        APPLICATION.check("agency_recommend", application.status, actor)
        now = timezone.now()
        referral = application.referrals.filter(agency__code=user_agency_code(actor), answered_at__isnull=True).first()
        if referral is None:
            raise InvalidTransition("Your agency has no open referral on this application.")
        referral.recommendation, referral.rationale = recommendation, rationale.strip()
        referral.answered_by, referral.answered_at = actor, now
        referral.save()
        payload = {"agency": user_agency_code(actor), "recommendation": recommendation, "rationale": rationale}
        audit_record(actor=actor, verb="application.agency_recommended", target=application, payload=payload)
        if not selectors.open_referrals(application, now).exists():
            application.status = ApplicationStatus.UNDER_REVIEW
            application.save()
            audit_record(actor=None, verb="application.review_resumed", target=application, payload={})
    return application


def application_recommend(
    *, actor: Actor, application: Application, recommendation: str, rationale: str
) -> Application:
    """The officer's recommendation, required before a decision (and barring its author from deciding)."""
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Recommend approve or deny."})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": "Give the rationale for the recommendation."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        APPLICATION.check("recommend", application.status, actor)
        application.recommendation, application.recommendation_rationale = recommendation, rationale.strip()
        application.recommended_by = actor
        application.officer = application.officer or actor
        application.save()
        audit_record(
            actor=actor,
            verb="application.recommended",
            target=application,
            payload={"recommendation": recommendation, "rationale": rationale.strip()},
        )
    return application


def application_return(*, actor: Actor, application: Application, reason: str) -> Application:
    """Return without action (RWA): corrections come as a new application."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        APPLICATION.check("return", application.status, actor, reason=reason)
        application.status = ApplicationStatus.RETURNED
        application.decision_reason = reason.strip()
        application.decided_by, application.decided_at = actor, timezone.now()
        application.save()
        audit_record(actor=actor, verb="application.returned", target=application, payload={"reason": reason.strip()})
    return application
