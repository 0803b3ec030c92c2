"""The application and licence workflows (SPEC § 4) as transition tables."""

from licensing.choices import ApplicationStatus as A
from licensing.choices import LicenceStatus as L
from portal.workflow import Transition, Workflow

FILE = "licensing.file_application"
REVIEW = "licensing.review_application"
DECIDE = "licensing.decide_application"
REFERRAL = "licensing.review_referral"
MANAGE = "licensing.manage_licence"
SHIP = "licensing.report_shipment"

NOT_FINAL = frozenset({A.DRAFT, A.SUBMITTED, A.UNDER_REVIEW, A.INFO_REQUESTED, A.REFERRED})

APPLICATION = Workflow(
    entity="application",
    transitions=(
        Transition("edit", frozenset({A.DRAFT}), A.DRAFT, FILE),
        Transition("submit", frozenset({A.DRAFT}), A.SUBMITTED, FILE),
        Transition("start_review", frozenset({A.SUBMITTED, A.REFERRED}), A.UNDER_REVIEW, REVIEW),
        Transition("request_info", frozenset({A.UNDER_REVIEW}), A.INFO_REQUESTED, REVIEW),
        Transition("respond", frozenset({A.INFO_REQUESTED}), A.UNDER_REVIEW, FILE),
        Transition("refer", frozenset({A.UNDER_REVIEW}), A.REFERRED, REVIEW),
        Transition("agency_recommend", frozenset({A.REFERRED}), A.REFERRED, REFERRAL),
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
        Transition("exhaust", frozenset({L.ACTIVE}), L.EXHAUSTED, SHIP),
        Transition("suspend", frozenset({L.ACTIVE}), L.SUSPENDED, MANAGE, reason_required=True),
        Transition("reinstate", frozenset({L.SUSPENDED}), L.ACTIVE, MANAGE, reason_required=True),
        Transition("revoke", frozenset({L.ACTIVE, L.SUSPENDED}), L.REVOKED, MANAGE, reason_required=True),
        Transition("expire", frozenset({L.ACTIVE, L.SUSPENDED}), L.EXPIRED, MANAGE),
    ),
)
