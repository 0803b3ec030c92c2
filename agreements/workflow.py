"""The agreement lifecycle (SPEC § 4) as one transition table."""

from agreements.choices import AgreementStatus as S
from portal.workflow import Transition, Workflow

NEGOTIATE = "agreements.negotiate_agreement"

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
