"""The two-person regime switch (SPEC § 4 v2): a policy administrator proposes, another approves (or it is
withdrawn); only approved policies are ever in force."""

import datetime

import pytest
from django.utils import timezone

from agreements import services
from agreements.choices import AllotmentSource, PolicyStatus, Tier
from agreements.errors import OwnProposal
from agreements.models import Allotment, Policy
from agreements.selectors import countries_with_tier, policies_scheduled, policy_in_force
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(client_for):
    return client_for("policy_admin")


@pytest.fixture
def second_admin(client_for):
    return client_for("policy_admin")


def propose(client, **body):
    response = client.post("/api/v1/policy/", {"kind": "global", "reason": "Global regime", **body}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# API: propose, approve, withdraw


def test_a_proposal_changes_nothing_until_another_policy_admin_approves_it(admin_api, second_admin):
    body = propose(admin_api, reason="Global licensing regime adopted", lpp_threshold_tpp=0)
    assert (body["status"], body["kind"], body["lpp_threshold_tpp"]) == ("proposed", "global", 0)
    assert body["tier2_allocation_tpp"] == 790_000_000  # carried over
    assert (body["proposed_from"], body["effective_from"]) == (None, None)
    assert admin_api.get("/api/v1/policy/").json()["kind"] == "tiered"
    assert policy_in_force().kind == "tiered"
    event = AuditEvent.objects.get(verb="policy.proposed")
    assert (event.actor, event.payload["reason"]) == (admin_api.user, "Global licensing regime adopted")

    response = second_admin.post(f"/api/v1/policy/{body['id']}/approve/")
    assert response.status_code == 200, response.json()
    approved = response.json()
    assert (approved["status"], approved["approved_by"]) == ("approved", second_admin.user.username)
    current = admin_api.get("/api/v1/policy/").json()
    assert (current["id"], current["kind"], current["lpp_threshold_tpp"]) == (body["id"], "global", 0)
    event = AuditEvent.objects.get(verb="policy.approved")
    assert event.actor == second_admin.user
    assert event.payload["proposed_from"] is None
    instant = datetime.datetime.fromisoformat(approved["effective_from"].replace("Z", "+00:00"))
    assert datetime.datetime.fromisoformat(event.payload["effective_from"]) == instant


def test_the_proposer_cannot_approve_their_own_switch(admin_api):
    body = propose(admin_api)
    response = admin_api.post(f"/api/v1/policy/{body['id']}/approve/")
    assert response.status_code == 409
    assert "another policy administrator must approve it" in response.json()["detail"]
    assert Policy.objects.get(pk=body["id"]).status == PolicyStatus.PROPOSED
    assert not AuditEvent.objects.filter(verb="policy.approved").exists()
    assert policy_in_force().kind == "tiered"


@pytest.mark.parametrize("role", ["exporter", "negotiator", "licensing_officer", "approving_official"])
def test_only_policy_admins_propose_approve_or_withdraw(client_for, admin_api, role):
    body = propose(admin_api)
    client = client_for(role)
    assert client.post("/api/v1/policy/", {"kind": "global", "reason": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/policy/{body['id']}/approve/").status_code == 403
    assert client.post(f"/api/v1/policy/{body['id']}/withdraw/").status_code == 403
    assert Policy.objects.count() == 2 and Policy.objects.get(pk=body["id"]).status == PolicyStatus.PROPOSED


def test_the_proposer_or_another_admin_may_withdraw_and_a_withdrawn_one_cannot_be_approved(admin_api, second_admin):
    first, second = propose(admin_api), propose(admin_api, reason="Another")
    assert admin_api.post(f"/api/v1/policy/{first['id']}/withdraw/").json()["status"] == "withdrawn"
    response = second_admin.post(f"/api/v1/policy/{second['id']}/withdraw/", {"reason": "Not now"}, format="json")
    assert response.status_code == 200 and response.json()["withdrawn_by"] == second_admin.user.username
    assert AuditEvent.objects.filter(verb="policy.withdrawn").count() == 2
    refused = second_admin.post(f"/api/v1/policy/{first['id']}/approve/")
    assert refused.status_code == 409 and "withdrawn" in refused.json()["detail"]
    assert policy_in_force().kind == "tiered"


def test_proposals_are_listed_and_each_can_be_read(admin_api, second_admin, client_for):
    waiting, withdrawn = propose(admin_api), propose(admin_api, reason="Dropped")
    admin_api.post(f"/api/v1/policy/{withdrawn['id']}/withdraw/")
    negotiator = client_for("negotiator")
    listed = negotiator.get("/api/v1/policy/proposals/").json()["results"]
    assert [row["id"] for row in listed] == [waiting["id"]]
    assert [r["id"] for r in negotiator.get("/api/v1/policy/proposals/?status=withdrawn").json()["results"]] == [
        withdrawn["id"]
    ]
    assert negotiator.get(f"/api/v1/policy/{waiting['id']}/").json()["status"] == "proposed"
    assert client_for("exporter").get("/api/v1/policy/proposals/").status_code == 403
    assert negotiator.get("/api/v1/policy/proposals/?status=bogus").status_code == 400


def test_a_future_instant_is_kept_at_approval(admin_api, second_admin):
    later = timezone.now() + datetime.timedelta(days=30)
    body = propose(admin_api, reason="From next month", effective_from=later.isoformat())
    second_admin.post(f"/api/v1/policy/{body['id']}/approve/")
    policy = Policy.objects.get(pk=body["id"])
    assert policy.proposed_from == policy.effective_from == later
    assert policy_in_force().kind == "tiered"
    assert policy_in_force(later).kind == "global"
    assert list(policies_scheduled()) == [policy]


def test_an_instant_past_by_the_approval_means_now_and_both_are_recorded():
    proposer, approver = make_user("policy_admin"), make_user("policy_admin")
    soon = timezone.now() + datetime.timedelta(seconds=1)
    proposal = services.policy_propose(actor=proposer, kind="global", reason="Soon", effective_from=soon)
    Policy.objects.filter(pk=proposal.pk).update(proposed_from=soon - datetime.timedelta(days=2))  # time passes
    before = timezone.now()
    approved = services.policy_approve(actor=approver, policy=proposal)
    assert approved.proposed_from == soon - datetime.timedelta(days=2)
    assert before <= approved.effective_from <= timezone.now()
    event = AuditEvent.objects.get(verb="policy.approved")
    assert event.payload["proposed_from"] == approved.proposed_from.isoformat()
    assert event.payload["effective_from"] == approved.effective_from.isoformat()
    assert policy_in_force().pk == approved.pk


def test_earlier_policies_stay_and_answer_for_their_time(admin_api, second_admin):
    second_admin.post(f"/api/v1/policy/{propose(admin_api)['id']}/approve/")
    assert Policy.objects.count() == 2
    assert policy_in_force(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)).kind == "tiered"
    assert policy_in_force().kind == "global"


def test_the_initial_policy_is_on_record_as_approved():
    (initial,) = Policy.objects.all()
    assert initial.status == PolicyStatus.APPROVED
    assert initial.proposed_from == initial.effective_from == datetime.datetime(2025, 1, 13, tzinfo=datetime.UTC)
    assert initial.grace_days == 30


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "global"}, "reason"),
        ({"kind": "global", "reason": "   "}, "reason"),
        ({"kind": "feudal", "reason": "x"}, "kind"),
        ({"kind": "global", "reason": "x", "lpp_threshold_tpp": -1}, "lpp_threshold_tpp"),
        ({"kind": "global", "reason": "x", "lpp_threshold_tpp": None}, "lpp_threshold_tpp"),
        ({"kind": "global", "reason": "x", "effective_from": "2020-01-01T00:00:00Z"}, "effective_from"),
        ({"kind": "global", "reason": "x", "effective_from": ""}, "effective_from"),
        ({"kind": "global", "reason": "x", "size_bands": [{"h100e": 5, "condition": "a"}]}, "size_bands"),
        ({"kind": "global", "reason": "x", "g2g_uplift": "0.5"}, "g2g_uplift"),
        ({"kind": "global", "reason": "x", "g2g_uplift": ""}, "g2g_uplift"),
        ({"kind": "global", "reason": "x", "grace_days": -1}, "grace_days"),
        ({"kind": "global", "reason": "x", "uplift": 3}, "uplift"),
        ({"kind": "tiered", "reason": "x", "tier2_period_end": "2024-01-01"}, "tier2_period_end"),
    ],
    ids=[
        "no-reason",
        "blank-reason",
        "unknown-kind",
        "negative-lpp",
        "null-lpp",
        "past",
        "empty-instant",
        "two-few-bands",
        "uplift-below-one",
        "empty-uplift",
        "negative-grace",
        "unknown-parameter",
        "period-ends-before-it-starts",
    ],
)
def test_bad_proposals_are_400_and_write_nothing(admin_api, body, field):
    response = admin_api.post("/api/v1/policy/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Policy.objects.count() == 1
    assert not AuditEvent.objects.filter(verb__startswith="policy.").exists()


def test_approving_a_proposal_that_opens_a_new_tier2_period_gives_every_tier2_country_its_allocation(
    admin_api, second_admin
):
    current = policy_in_force()
    start = current.tier2_period_end + datetime.timedelta(days=1)
    end = start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    body = {
        "kind": "tiered",
        "tier2_period_start": start.isoformat(),
        "tier2_period_end": end.isoformat(),
        "tier2_allocation_tpp": 800_000_000,
    }
    proposal = propose(admin_api, reason="Next Tier 2 period", **body)
    opened = Allotment.objects.filter(source=AllotmentSource.TIER_ALLOCATION, period_start=start)
    assert not opened.exists()  # a proposal opens nothing
    response = second_admin.post(f"/api/v1/policy/{proposal['id']}/approve/")
    assert response.status_code == 200, response.json()
    tier2 = set(
        countries_with_tier(end)
        .filter(tier=Tier.TIER_2, counts_as_us=False, uninhabited=False)
        .values_list("code", flat=True)
    )
    assert tier2 and set(opened.values_list("country_id", flat=True)) == tier2
    assert set(opened.values_list("period_end", "capacity_tpp", "committed_tpp")) == {(end, 800_000_000, 0)}


# Services: status, audit, nothing written on refusal


def _state():
    return (
        list(Policy.objects.order_by("pk").values_list("pk", "status", "effective_from", "approved_by")),
        AuditEvent.objects.count(),
        Allotment.objects.count(),
    )


def test_services_refuse_the_proposer_and_a_second_approval_and_write_nothing():
    proposer, approver, third = make_user("policy_admin"), make_user("policy_admin"), make_user("policy_admin")
    proposal = services.policy_propose(actor=proposer, kind="global", reason="x")
    assert proposal.status == PolicyStatus.PROPOSED and proposal.effective_from is None
    before = _state()
    with pytest.raises(OwnProposal):
        services.policy_approve(actor=proposer, policy=proposal)
    assert _state() == before
    services.policy_approve(actor=approver, policy=proposal)
    before = _state()
    with pytest.raises(InvalidTransition):
        services.policy_approve(actor=third, policy=proposal)
    with pytest.raises(InvalidTransition):
        services.policy_withdraw(actor=approver, policy=proposal)
    assert _state() == before


def test_only_approved_policies_count_as_in_force_or_scheduled():
    proposer = make_user("policy_admin")
    later = timezone.now() + datetime.timedelta(days=3)
    services.policy_propose(actor=proposer, kind="global", reason="x", effective_from=later)
    withdrawn = services.policy_propose(actor=proposer, kind="global", reason="y")
    services.policy_withdraw(actor=proposer, policy=withdrawn)
    assert policy_in_force(later + datetime.timedelta(days=1)).kind == "tiered"
    assert not policies_scheduled().exists()
