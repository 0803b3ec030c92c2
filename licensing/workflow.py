"""The application and licence workflows (SPEC § 4) as transition tables.

Every status change of an application or a licence is one of these transitions, to its own target, taken
through licensing.services.status.set_status. Moves nobody takes by hand (the last awaited agency answer, a
fully shipped licence, the end of validity) are SYSTEM transitions, taken with the actor None."""

from licensing.choices import ApplicationStatus as A
from licensing.choices import LicenceStatus as L
from licensing.choices import ObligationStatus as O
from licensing.choices import ProposalStatus as P
from portal.workflow import SYSTEM, Transition, Workflow

FILE = "licensing.file_application"
REVIEW = "licensing.review_application"
DECIDE = "licensing.decide_application"
REFERRAL = "licensing.review_referral"
MANAGE = "licensing.manage_licence"
SHIP = "licensing.report_shipment"
SUBMIT_OBLIGATION = "licensing.submit_obligation"
REVIEW_OBLIGATION = "licensing.review_obligation"

NOT_FINAL = frozenset({A.DRAFT, A.SUBMITTED, A.UNDER_REVIEW, A.INFO_REQUESTED, A.REFERRED})

APPLICATION = Workflow(
    entity="application",
    transitions=(
        Transition("edit", frozenset({A.DRAFT}), A.DRAFT, FILE),
        Transition("submit", frozenset({A.DRAFT}), A.SUBMITTED, FILE),
        Transition("start_review", frozenset({A.SUBMITTED, A.REFERRED}), A.UNDER_REVIEW, REVIEW),
        Transition("request_info", frozenset({A.UNDER_REVIEW}), A.INFO_REQUESTED, REVIEW),
        Transition("respond", frozenset({A.INFO_REQUESTED}), A.UNDER_REVIEW, FILE),
        # While the exporter has not answered, the officer may reword the question or withdraw it (the clock runs
        # again on withdrawal, as on an answer).
        Transition("amend_info_request", frozenset({A.INFO_REQUESTED}), A.INFO_REQUESTED, REVIEW),
        Transition(
            "withdraw_info_request", frozenset({A.INFO_REQUESTED}), A.UNDER_REVIEW, REVIEW, reason_required=True
        ),
        Transition("refer", frozenset({A.UNDER_REVIEW}), A.REFERRED, REVIEW),
        Transition("agency_recommend", frozenset({A.REFERRED}), A.REFERRED, REFERRAL),
        # The last awaited agency answer sends the case back to review, in the same transaction.
        Transition("referrals_answered", frozenset({A.REFERRED}), A.UNDER_REVIEW, SYSTEM),
        Transition("recommend", frozenset({A.UNDER_REVIEW}), A.UNDER_REVIEW, REVIEW),
        Transition("approve", frozenset({A.UNDER_REVIEW}), A.APPROVED, DECIDE),
        Transition("deny", frozenset({A.UNDER_REVIEW}), A.DENIED, DECIDE, reason_required=True),
        Transition("return", frozenset({A.SUBMITTED, A.UNDER_REVIEW}), A.RETURNED, REVIEW, reason_required=True),
        Transition("withdraw", NOT_FINAL, A.WITHDRAWN, FILE),
    ),
)

LICENCE = Workflow(
    entity="licence",
    transitions=(
        Transition("ship", frozenset({L.ACTIVE}), L.ACTIVE, SHIP),
        # Fully shipped: the shipment that takes the last unit exhausts the licence.
        Transition("exhaust", frozenset({L.ACTIVE}), L.EXHAUSTED, SYSTEM),
        Transition("suspend", frozenset({L.ACTIVE}), L.SUSPENDED, MANAGE, reason_required=True),
        Transition("reinstate", frozenset({L.SUSPENDED}), L.ACTIVE, MANAGE, reason_required=True),
        Transition("revoke", frozenset({L.ACTIVE, L.SUSPENDED}), L.REVOKED, MANAGE, reason_required=True),
        # Past its validity (the expire_licences command).
        Transition("expire", frozenset({L.ACTIVE, L.SUSPENDED}), L.EXPIRED, SYSTEM),
    ),
)

# What a licence owes (SPEC § 2 Obligation): the exporter submits (again, after a rejection); an officer accepts
# or rejects with a reason. Payment of a revenue share is a submission too.
OBLIGATION = Workflow(
    entity="obligation",
    transitions=(
        Transition("submit", frozenset({O.OPEN, O.REJECTED}), O.SUBMITTED, SUBMIT_OBLIGATION),
        Transition("accept", frozenset({O.SUBMITTED}), O.ACCEPTED, REVIEW_OBLIGATION),
        Transition("reject", frozenset({O.SUBMITTED}), O.REJECTED, REVIEW_OBLIGATION, reason_required=True),
    ),
)

# The staff queue "Overdue obligations": the system raises a proposal to suspend; an approving official
# confirms it (the licence is suspended) or dismisses it with a reason.
SUSPENSION_PROPOSAL = Workflow(
    entity="suspension_proposal",
    transitions=(
        Transition("confirm", frozenset({P.OPEN}), P.CONFIRMED, MANAGE),
        Transition("dismiss", frozenset({P.OPEN}), P.DISMISSED, MANAGE, reason_required=True),
    ),
)

# The audit verb each transition records (a move to the same status records its use case).
VERBS = {
    ("application", "edit"): "application.changed",
    ("application", "submit"): "application.submitted",
    ("application", "start_review"): "application.review_started",
    ("application", "request_info"): "application.info_requested",
    ("application", "respond"): "application.responded",
    ("application", "amend_info_request"): "application.info_request_amended",
    ("application", "withdraw_info_request"): "application.info_request_withdrawn",
    ("application", "refer"): "application.referred",
    ("application", "agency_recommend"): "application.agency_recommended",
    ("application", "referrals_answered"): "application.review_resumed",
    ("application", "recommend"): "application.recommended",
    ("application", "approve"): "application.approved",
    ("application", "deny"): "application.denied",
    ("application", "return"): "application.returned",
    ("application", "withdraw"): "application.withdrawn",
    ("licence", "ship"): "licence.shipped",
    ("licence", "exhaust"): "licence.exhausted",
    ("licence", "suspend"): "licence.suspended",
    ("licence", "reinstate"): "licence.reinstated",
    ("licence", "revoke"): "licence.revoked",
    ("licence", "expire"): "licence.expired",
    ("obligation", "submit"): "obligation.submitted",
    ("obligation", "accept"): "obligation.accepted",
    ("obligation", "reject"): "obligation.rejected",
    ("suspension_proposal", "confirm"): "suspension_proposal.confirmed",
    ("suspension_proposal", "dismiss"): "suspension_proposal.dismissed",
}
