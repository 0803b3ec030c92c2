"""The workflow actions an agreement's page and the agreement list offer (portal.admin_workflow): one per transition
of agreements.workflow.AGREEMENT that a negotiator takes by hand, each calling the same service as the API.
(`expire` happens by date, not by a person.)"""

from agreements import services
from agreements.admin.forms import transition_form
from portal.admin_workflow import WorkflowAction

ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction(
            "start_negotiation",
            "Start negotiation",
            "The draft goes to the negotiating table; its terms stay editable on its page until it is signed.",
            transition_form("start_negotiation"),
            services.agreement_start_negotiation,
            "Negotiation started: {record}.",
            list_description="Start negotiation on the selected agreements",
        ),
        WorkflowAction(
            "sign",
            "Sign",
            "Both parties have signed: from now on the terms change only by amendment.",
            transition_form("sign"),
            services.agreement_sign,
            "Signed: {record}.",
            list_description="Sign the selected agreements (today)",
            confirm="Sign it? From then on its terms change only by amendment.",
        ),
        WorkflowAction(
            "enter_into_force",
            "Enter into force",
            "The agreement takes effect: the periods of its allotment schedule become its allotments.",
            transition_form("enter_into_force"),
            services.agreement_enter_into_force,
            "Entered into force: {record}.",
            list_description="Enter the selected agreements into force",
            confirm="Enter it into force? Its allotments are created from the schedule and licences may draw on them.",
        ),
        WorkflowAction(
            "suspend",
            "Suspend",
            "The agreement stops applying until it is resumed.",
            transition_form("suspend"),
            services.agreement_suspend,
            "Suspended: {record}.",
            list_description="Suspend the selected agreements…",
        ),
        WorkflowAction(
            "resume",
            "Resume",
            "The suspended agreement is in force again.",
            transition_form("resume"),
            services.agreement_resume,
            "Resumed: {record}.",
            list_description="Resume the selected agreements…",
        ),
        WorkflowAction(
            "terminate",
            "Terminate",
            "Final: the agreement ends and cannot be resumed.",
            transition_form("terminate"),
            services.agreement_terminate,
            "Terminated: {record}.",
            danger=True,
            list_description="Terminate the selected agreements…",
            confirm="Terminate it? It ends for good and cannot be resumed.",
        ),
    ]
}
