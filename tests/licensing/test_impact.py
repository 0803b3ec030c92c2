"""The impact preview of a regime switch: every pending application, its determination now and as proposed."""

import pytest
from rest_framework.test import APIClient

from agreements.models import Policy
from agreements.selectors import policy_in_force
from agreements.units import H100_TPP
from licensing import services
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    client = APIClient()
    client.force_authenticate(make_user("policy_admin"))
    return client


@pytest.fixture
def pending():
    """Pending cases in every pending status, and decided or draft ones that must not appear."""
    exporter = make_user("exporter", organisation="Acme AI Systems Inc.")
    f.agreement_in_force("AE", capacity_tpp=100_000 * H100_TPP)
    cases = {
        "india": f.submitted(exporter, destination="IN", quantity=5000),
        "uae": f.under_review(exporter, destination="AE", quantity=5000, consignee="Gulf Lab"),
        "small": f.info_requested(exporter, destination="IN", quantity=100, consignee="Small Lab"),
        "referred": f.referred(exporter, destination="IN", quantity=2000, consignee="Third Lab"),
    }
    hidden = [
        f.draft(exporter),
        f.approved(exporter, consignee="Done Lab"),
        services.application_withdraw(actor=exporter, application=f.submitted(exporter, consignee="Gone Lab")),
    ]
    return cases, hidden


def preview(client, query):
    before, policies = f.db_state(), Policy.objects.count()
    response = client.get(f"/api/v1/policy/impact/?{query}")
    assert response.status_code == 200, response.content
    assert f.db_state() == before and Policy.objects.count() == policies  # a preview writes nothing
    return {row["id"]: row for row in response.json()}


def test_switching_to_global_shows_each_pending_case_now_and_as_proposed(admin, pending):
    cases, hidden = pending
    rows = preview(admin, "kind=global&lpp_threshold_tpp=0")
    assert set(rows) == {application.pk for application in cases.values()}
    assert not {application.pk for application in hidden} & set(rows)

    india = rows[cases["india"].pk]
    assert (india["acn"], india["status"], india["destination"]) == (cases["india"].acn, "submitted", "IN")
    assert (india["current"]["regime"], india["current"]["outcome"], india["current"]["presumption"]) == (
        "tiered",
        "licence_required",
        "approval",
    )
    assert (india["proposed"]["regime"], india["proposed"]["outcome"], india["proposed"]["presumption"]) == (
        "global",
        "licence_required",
        "denial",
    )
    assert "global.no_agreement" in [reason["rule"] for reason in india["proposed"]["reasons"]]
    assert india["changed"] is True

    uae = rows[cases["uae"].pk]
    assert (uae["proposed"]["outcome"], uae["proposed"]["presumption"]) == ("licence_required", "approval")
    assert uae["proposed"]["allotment"]["remaining_tpp"] == 100_000 * H100_TPP  # the agreement's allotment
    assert uae["current"]["allotment"]["id"] != uae["proposed"]["allotment"]["id"]

    small = rows[cases["small"].pk]
    assert (small["current"]["outcome"], small["proposed"]["outcome"]) == ("lpp_eligible", "licence_required")
    assert small["changed"] is True
    assert rows[cases["referred"].pk]["status"] == "referred"


def test_the_preview_changes_nothing_in_force(admin, pending):
    preview(admin, "kind=global&lpp_threshold_tpp=0")
    assert policy_in_force().kind == "tiered"
    cases, _ = pending
    cases["india"].refresh_from_db()
    assert cases["india"].determination["regime"] == "tiered"


def test_a_tiered_proposal_with_a_higher_threshold_turns_cases_into_notifications(admin, pending):
    cases, _ = pending
    rows = preview(admin, f"kind=tiered&lpp_threshold_tpp={6000 * H100_TPP}")
    india = rows[cases["india"].pk]
    assert (india["current"]["outcome"], india["proposed"]["outcome"]) == ("licence_required", "lpp_eligible")
    assert rows[cases["small"].pk]["changed"] is False


def test_the_preview_lists_oldest_first(admin, pending):
    cases, _ = pending
    ordered = list(preview(admin, "kind=global"))
    submitted_at = {a.pk: a.submitted_at for a in cases.values()}
    assert ordered == sorted(ordered, key=lambda pk: (submitted_at[pk], pk))


def test_a_negotiator_may_preview(pending):
    client = APIClient()
    client.force_authenticate(make_user("negotiator"))
    assert client.get("/api/v1/policy/impact/?kind=global").status_code == 200


def test_an_empty_queue_previews_as_an_empty_list(admin):
    assert preview(admin, "kind=global") == {}
