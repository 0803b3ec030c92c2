"""The agreement lifecycle and the two-person regime switch (SPEC § 4) as transition tables."""

from agreements.choices import AgreementStatus as S
from agreements.choices import PolicyStatus as P
from portal.workflow import Transition, Workflow

NEGOTIATE = "agreements.negotiate_agreement"
SWITCH_POLICY = "agreements.switch_policy"

AGREEMENT = Workflow(
    entity="agreement",
    transitions=(
        Transition("start_negotiation", frozenset({S.DRAFT}), S.NEGOTIATING, NEGOTIATE),
        Transition("sign", frozenset({S.NEGOTIATING}), S.SIGNED, NEGOTIATE),
        Transition("enter_into_force", frozenset({S.SIGNED}), S.IN_FORCE, NEGOTIATE),
        Transition("suspend", frozenset({S.IN_FORCE}), S.SUSPENDED, NEGOTIATE, reason_required=True),
        Transition("resume", frozenset({S.SUSPENDED}), S.IN_FORCE, NEGOTIATE, reason_required=True),
        Transition("terminate", frozenset({S.IN_FORCE, S.SUSPENDED}), S.TERMINATED, NEGOTIATE, reason_required=True),
        Transition("expire", frozenset({S.SIGNED, S.IN_FORCE, S.SUSPENDED}), S.EXPIRED, NEGOTIATE),
    ),
)

# Terms change in place only while negotiating; afterwards by amendment, while the agreement lives.
AMENDABLE_STATUSES = frozenset({S.SIGNED, S.IN_FORCE, S.SUSPENDED})

# A policy is proposed by one policy administrator (policy_propose creates it `proposed`) and approved by another
# (the service refuses its proposer: a rule about who, beyond the permission) or withdrawn by any of them.
POLICY = Workflow(
    entity="policy",
    transitions=(
        Transition("approve", frozenset({P.PROPOSED}), P.APPROVED, SWITCH_POLICY),
        Transition("withdraw", frozenset({P.PROPOSED}), P.WITHDRAWN, SWITCH_POLICY),
    ),
)
