"""The licensing officer's and the agencies' side: review, questions, referral, recommendation, return."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from licensing import selectors
from licensing.choices import OFFICER_RECOMMENDATIONS, ApplicationStatus, Recommendation, RecommendationKind
from licensing.models import Application, InfoRequest, RecommendationEntry, Referral
from licensing.services.applications import lock_application
from licensing.services.letters import render_letters_on_commit
from licensing.services.status import changing_status, set_status
from portal.choices import REVIEWING_AGENCIES
from portal.display import day
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


def _proposed_quantities(application: Application, items: list[dict[str, Any]] | None) -> dict[str, int]:
    """Product id (as text) → the officer's proposed quantity, each between 0 and the line's requested quantity,
    controlled lines only; a bad one → 400 naming its line. None or []: no proposal (as requested)."""
    if not items:
        return {}
    lines = list(application.lines.select_related("product"))
    by_product = {line.product_id: (number, line) for number, line in enumerate(lines, start=1)}
    controlled = selectors.controlled_product_ids(application)
    proposed: dict[str, int] = {}
    for item in items:
        product, quantity = item["product"], item["quantity"]
        pid = product.pk if hasattr(product, "pk") else int(product)
        if pid not in by_product:
            raise ValidationError({"items": f"{product} is not on this application: propose only its lines."})
        number, line = by_product[pid]
        label = f"Line {number} ({line.product})"
        if pid not in controlled:
            raise ValidationError({"items": f"{label} is not controlled: it is never approved, so nothing to propose."})
        if str(pid) in proposed:
            raise ValidationError({"items": f"{label} appears twice: propose one quantity per line."})
        if quantity < 0:
            raise ValidationError({"items": f"{label}: a proposed quantity cannot be negative ({quantity:,})."})
        if quantity > line.quantity:
            raise ValidationError({"items": f"{label}: {quantity:,} proposed exceeds the {line.quantity:,} requested."})
        proposed[str(pid)] = quantity
    return proposed


def application_recommend(
    *,
    actor: Actor,
    application: Application,
    recommendation: str,
    rationale: str,
    items: list[dict[str, Any]] | None = None,
    conditions: list[str] | None = None,
) -> Application:
    """The officer's recommendation, required before a decision (and barring its author from deciding). With
    approve it may propose a quantity per line (`items`, each 0 … requested) and `conditions`; both are offered to
    the approver, who decides."""
    if recommendation not in OFFICER_RECOMMENDATIONS:
        raise ValidationError({"recommendation": "Recommend approve or deny."})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": "Give the rationale for the recommendation."})
    conditions = list(dict.fromkeys(c.strip() for c in conditions or [] if c and c.strip()))
    if recommendation == Recommendation.DENY and (items or conditions):
        raise ValidationError(
            {"recommendation": "Quantities and conditions are proposed with approve: a denial proposes none."}
        )
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        proposed = _proposed_quantities(application, items)
        payload: dict[str, Any] = {"recommendation": recommendation, "rationale": rationale.strip()}
        if proposed:
            payload["proposed_items"] = proposed
        if conditions:
            payload["conditions"] = conditions
        with changing_status(application, "recommend", actor=actor, payload=payload):
            application.recommendation, application.recommendation_rationale = recommendation, rationale.strip()
            application.recommended_quantities, application.recommended_conditions = proposed, conditions
            application.recommended_by = actor
            application.officer = application.officer or actor
            RecommendationEntry.objects.create(
                application=application,
                kind=RecommendationKind.OFFICER,
                author=actor,
                recommendation=recommendation,
                rationale=rationale.strip(),
                conditions=conditions,
                proposed_quantities=proposed,
                created_at=timezone.now(),
            )
    return application


def _open_info_request(application: Application, request_id: int | None) -> InfoRequest:
    """The request named (404 when not on this application), still awaiting its answer (409 otherwise)."""
    requests = application.info_requests.select_for_update()
    if request_id is None:
        request = requests.filter(answered_at__isnull=True, withdrawn_at__isnull=True).order_by("-asked_at").first()
        if request is None:
            raise InvalidTransition("There is no unanswered request for information on this application.")
        return request
    try:
        request = requests.get(pk=request_id)
    except InfoRequest.DoesNotExist as error:
        raise Http404("No such request for information on this application.") from error
    if request.withdrawn_at is not None:
        raise InvalidTransition(
            f"This request for information was withdrawn on {day(request.withdrawn_at)}: it needs no answer and "
            "can no longer be changed."
        )
    if request.answered_at is not None:
        raise InvalidTransition(
            f"The exporter answered this request on {day(request.answered_at)}: an answered question stays as "
            "asked. Ask a new one instead."
        )
    return request


def info_request_amend(
    *, actor: Actor, application: Application, question: str, info_request: int | None = None
) -> Application:
    """Reword the unanswered question; the exporter is told (inbox and e-mail); the old wording is audited."""
    if not (question or "").strip():
        raise ValidationError({"question": "Write the amended question for the exporter."})
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "amend_info_request", actor=actor) as change:
            request = _open_info_request(application, info_request)
            previous = request.question
            request.question, request.amended_at = question.strip(), timezone.now()
            request.save(update_fields=["question", "amended_at"])
            change.payload = {"info_request": request.pk, "previous_question": previous, "question": request.question}
    return application


def info_request_withdraw(
    *, actor: Actor, application: Application, reason: str, info_request: int | None = None
) -> Application:
    """Withdraw the unanswered question with a reason: the case returns to review and its 90-day clock runs
    again, as on an answer; the exporter is told."""
    with transaction.atomic():
        application = lock_application(actor, application.pk)
        with changing_status(application, "withdraw_info_request", actor=actor, reason=reason) as change:
            request = _open_info_request(application, info_request)
            now = timezone.now()
            request.withdrawn_by, request.withdrawn_at, request.withdrawal_reason = actor, now, reason.strip()
            request.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawal_reason"])
            if application.due_at and application.paused_at:
                application.due_at += now - application.paused_at
            application.paused_at = None
            change.payload = {"info_request": request.pk, "question": request.question, "reason": reason.strip()}
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
