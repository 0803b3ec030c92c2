"""The workflow actions a case page offers: one per transition of licensing.workflow.APPLICATION that a person
takes in the admin, each calling the same service as the API."""

from typing import Any

from django.core.exceptions import ValidationError

from agreements.units import tpp_and_h100e
from licensing import selectors, services
from licensing.admin.forms import (
    AgencyRecommendForm,
    AmendQuestionForm,
    ApproveForm,
    ConfirmForm,
    DenyForm,
    QuestionForm,
    RecommendForm,
    ReferForm,
    ReturnForm,
    WithdrawQuestionForm,
)
from licensing.models import Application
from licensing.vocabulary import words
from portal.admin_workflow import ActionForm, WorkflowAction
from portal.display import day

EFFECT_HEADERS = ["Drawn on", "Capacity", "Committed now", "This draw", "After"]


def _effect_tables(effect: selectors.DecisionEffect) -> tuple[list[dict[str, Any]], list[str]]:
    """The allotment effect as the confirmation page shows it: one row per allotment drawn (and party cap)."""
    if not effect.effects:
        return [], [effect.reason]
    rows = []
    for item in effect.effects:
        allotment = item.allotment
        rows.append(
            (
                f"{words(allotment.source, 'allotment_source')} allotment, {allotment.country_id}, "
                f"{day(allotment.period_start)} – {day(allotment.period_end)}",
                tpp_and_h100e(item.capacity_tpp),
                tpp_and_h100e(item.committed_tpp),
                tpp_and_h100e(item.draw_tpp),
                tpp_and_h100e(item.after_tpp),
            )
        )
        rows += [
            (
                f"Party cap: {cap.party}",
                tpp_and_h100e(cap.capacity_tpp),
                tpp_and_h100e(cap.committed_tpp),
                tpp_and_h100e(cap.draw_tpp),
                tpp_and_h100e(cap.after_tpp),
            )
            for cap in item.caps
        ]
    return [{"caption": "Effect on the allotment", "headers": EFFECT_HEADERS, "rows": rows}], []


def approve_preview(admin: Any, application: Application, form: ActionForm) -> dict[str, Any]:
    """What approving with these inputs does: the lines approved against requested, the conditions, and the
    allotment effect (computed now; the approval re-determines and re-checks under its lock)."""
    kwargs = form.service_kwargs()
    approved = {item["product"].pk: item["quantity"] for item in kwargs["items"]}
    lines = [
        (str(line.product), f"{line.quantity:,}", f"{approved.get(line.product_id, 0):,}")
        for line in application.lines.select_related("product")
        if line.product_id in selectors.controlled_product_ids(application)
    ]
    tables: list[dict[str, Any]] = [
        {"caption": "Lines approved", "headers": ["Product", "Requested", "Approved"], "rows": lines}
    ]
    conditions = kwargs["conditions"]
    summary = [("Extra conditions", "; ".join(conditions) if conditions else "None beyond the determination's")]
    if kwargs["justification"].strip():
        summary.append(("Justification", kwargs["justification"].strip()))
    if not approved:
        return {"lines": summary, "tables": tables, "warning": "Approve at least one controlled line."}
    try:
        effect = selectors.decision_effect(application, approved, approve=True)
    except ValidationError as error:
        return {"lines": summary, "tables": tables, "warning": " ".join(error.messages)}
    effect_tables, notes = _effect_tables(effect)
    return {"lines": summary, "tables": tables + effect_tables, "notes": notes, "warning": effect.refusal}


def deny_preview(admin: Any, application: Application, form: ActionForm) -> dict[str, Any]:
    """What denying does: nothing is drawn; the allotment the case would have drawn on is shown as it stays."""
    reason = [("Reason told to the exporter", form.cleaned_data["reason"].strip())]
    try:
        effect = selectors.decision_effect(application, None, approve=False)
    except ValidationError as error:
        return {
            "lines": reason,
            "notes": ["Denying draws nothing on any allotment."],
            "warning": " ".join(error.messages),
        }
    tables, notes = _effect_tables(effect)
    notes = [*notes, "Denying draws nothing on any allotment."]
    return {"lines": reason, "tables": tables, "notes": notes}


ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction(
            "start_review",
            "Start review",
            "Take the case: it moves to under review, with you as its officer if it has none.",
            ConfirmForm,
            services.application_start_review,
            "{record}: review started.",
        ),
        WorkflowAction(
            "request_info",
            "Request information",
            "Ask the exporter a question. The 90-day clock stops until they answer.",
            QuestionForm,
            services.application_request_info,
            "{record}: question sent to the exporter; the 90-day clock is paused.",
        ),
        WorkflowAction(
            "amend_info_request",
            "Amend the question",
            "Reword the question the exporter has not answered yet. They are told; the old wording is kept in the "
            "audit trail.",
            AmendQuestionForm,
            services.info_request_amend,
            "{record}: question amended; the exporter is told.",
        ),
        WorkflowAction(
            "withdraw_info_request",
            "Withdraw the question",
            "Withdraw the unanswered question with a reason. Review resumes and the 90-day clock runs again.",
            WithdrawQuestionForm,
            services.info_request_withdraw,
            "{record}: question withdrawn; review resumes.",
        ),
        WorkflowAction(
            "refer",
            "Refer to agencies",
            "Ask Defense, State and/or Energy for their recommendation within 30 days.",
            ReferForm,
            services.application_refer,
            "{record}: referred. Each agency has 30 days to recommend.",
        ),
        WorkflowAction(
            "agency_recommend",
            "Record your agency's recommendation",
            "Answer the referral for your agency. The case returns to review when the last agency answers.",
            AgencyRecommendForm,
            services.application_agency_recommend,
            "{record}: your agency's recommendation is recorded.",
        ),
        WorkflowAction(
            "recommend",
            "Recommend",
            "The officer recommendation an approving official needs before deciding.",
            RecommendForm,
            services.application_recommend,
            "{record}: recommendation recorded.",
        ),
        WorkflowAction(
            "approve",
            "Approve",
            "Issue the licence for all or part of the request. It is determined again now and drawn on the "
            "allotment at once.",
            ApproveForm,
            services.application_approve,
            "{record}: approved; the licence is issued.",
            confirm="Approve it? The licence is issued and the allotment drawn on at once.",
            preview=approve_preview,
        ),
        WorkflowAction(
            "deny",
            "Deny",
            "Refuse the application. The exporter is told the reason.",
            DenyForm,
            services.application_deny,
            "{record}: denied.",
            danger=True,
            confirm="Deny it? The decision is final and the exporter is told the reason.",
            preview=deny_preview,
        ),
        WorkflowAction(
            "return",
            "Return without action",
            "Send the application back unprocessed (for example incomplete or misclassified).",
            ReturnForm,
            services.application_return,
            "{record}: returned without action.",
            danger=True,
            confirm="Return it? The case closes; the exporter must file a new application.",
        ),
    ]
}
