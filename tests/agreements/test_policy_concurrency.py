"""Two policy administrators approving one proposal at the same moment: exactly one wins (the row lock in
policy_approve; the second sees it approved and is refused)."""

import threading

import pytest
from django.db import connection, connections

from agreements import services
from agreements.models import Policy
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]


def test_two_approvals_of_one_proposal_at_once_leave_exactly_one_winner():
    proposer = make_user("policy_admin")
    approvers = [make_user("policy_admin"), make_user("policy_admin")]
    proposal = services.policy_propose(actor=proposer, kind="global", reason="x")
    barrier, outcomes = threading.Barrier(2), []

    def approve(user):
        try:
            barrier.wait()
            services.policy_approve(actor=user, policy=proposal)
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert AuditEvent.objects.filter(verb="policy.approved").count() == 1
    assert Policy.objects.get(pk=proposal.pk).approved_by in approvers
