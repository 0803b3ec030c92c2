"""The workflow actions a case page offers: one per transition of licensing.workflow.APPLICATION that a person
takes in the admin, each calling the same service as the API."""

from licensing import services
from licensing.admin.forms import (
    AgencyRecommendForm,
    ApproveForm,
    ConfirmForm,
    DenyForm,
    QuestionForm,
    RecommendForm,
    ReferForm,
    ReturnForm,
)
from portal.admin_workflow import WorkflowAction

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
