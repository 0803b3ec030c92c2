"""Putting the baseline regime in force takes two policy administrators (SPEC § 4 v2), through the API as for any
other regime; the proposer cannot approve it."""

import pytest

from agreements.choices import PolicyKind, PolicyStatus
from agreements.models import Policy
from agreements.selectors import policy_in_force
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

BODY = {"kind": "baseline", "reason": "BIS will not enforce the tiered rule: the earlier controls apply"}


def test_a_baseline_proposal_is_in_force_only_once_another_policy_admin_approves_it(client_for):
    proposer, approver = client_for("policy_admin"), client_for("policy_admin")
    response = proposer.post("/api/v1/policy/", BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"]) == ("baseline", "proposed")
    assert body["tier2_allocation_tpp"] == 790_000_000  # parameters carry over from the policy in force
    assert proposer.get("/api/v1/policy/").json()["kind"] == "tiered"

    own = proposer.post(f"/api/v1/policy/{body['id']}/approve/")
    assert own.status_code == 409
    assert "another policy administrator must approve it" in own.json()["detail"]
    assert Policy.objects.get(pk=body["id"]).status == PolicyStatus.PROPOSED
    assert not AuditEvent.objects.filter(verb="policy.approved").exists()

    approved = approver.post(f"/api/v1/policy/{body['id']}/approve/")
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", approver.user.username)
    current = proposer.get("/api/v1/policy/").json()
    assert (current["id"], current["kind"]) == (body["id"], "baseline")
    assert policy_in_force().get_kind_display() == "Baseline (Country Groups, case by case)"
    proposed, approval = AuditEvent.objects.get(verb="policy.proposed"), AuditEvent.objects.get(verb="policy.approved")
    assert (proposed.actor, proposed.payload["kind"]) == (proposer.user, PolicyKind.BASELINE)
    assert (approval.actor, approval.payload["kind"]) == (approver.user, PolicyKind.BASELINE)


def test_an_unknown_regime_is_still_refused(client_for):
    response = client_for("policy_admin").post("/api/v1/policy/", {**BODY, "kind": "rescinded"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    assert Policy.objects.count() == 1


def test_the_preview_query_and_the_schema_offer_the_baseline(client_for):
    schema = client_for("policy_admin").get("/api/v1/schema/?format=json").json()
    assert "baseline" in schema["components"]["schemas"]["PolicyKindEnum"]["enum"]
    (parameter,) = [p for p in schema["paths"]["/api/v1/policy/impact/"]["get"]["parameters"] if p["name"] == "kind"]
    assert set(parameter["schema"]["enum"]) == {"tiered", "baseline", "global"}
