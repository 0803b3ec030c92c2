"""The impact preview of a regime switch: every pending application, its determination now and as proposed."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements import services as agreements_services
from agreements.choices import AllotmentSource
from agreements.models import Allotment, Policy
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


def preview(client, query, url="/api/v1/policy/impact/"):
    before, policies, allotments = f.db_state(), Policy.objects.count(), Allotment.objects.count()
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"summary", "count", "next", "results"}
    assert body["count"] == len(body["results"])
    # a preview writes nothing: no policy, no allotment (a Tier 2 period it would open stays hypothetical)
    assert f.db_state() == before and Policy.objects.count() == policies and Allotment.objects.count() == allotments
    return {row["id"]: row for row in body["results"]}


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


# Every parameter of the proposal applies (SPEC § 3, last paragraph)

ALLOCATION = 790_000_000


def test_a_proposal_with_uplift_3_shows_three_times_the_allocation_less_what_is_committed(admin, pending):
    cases, _ = pending
    uae_allocation = Allotment.objects.get(country_id="AE", source=AllotmentSource.TIER_ALLOCATION)
    f.shrink_allotment(uae_allocation, leave_tpp=2 * ALLOCATION - 316_640_000)  # 316,640,000 TPP committed
    uae_allocation.refresh_from_db()
    assert uae_allocation.committed_tpp == 316_640_000
    rows = preview(admin, "kind=tiered&g2g_uplift=3")
    uae = rows[cases["uae"].pk]
    assert uae["current"]["allotment"]["remaining_tpp"] == 2 * ALLOCATION - 316_640_000 == 1_263_360_000
    assert uae["proposed"]["allotment"]["remaining_tpp"] == 3 * ALLOCATION - 316_640_000 == 2_053_360_000
    assert "multiplied by 3" in uae["proposed"]["reasons"][-1]["text"]


def test_the_summary_compares_every_parameter(admin, pending):
    body = admin.get("/api/v1/policy/impact/?kind=tiered&g2g_uplift=3&grace_days=45&licence_validity_days=365").json()
    summary = {row["parameter"]: row for row in body["summary"]}
    assert (summary["g2g_uplift"]["current"], summary["g2g_uplift"]["proposed"]) == ("2", "3")
    assert summary["grace_days"]["proposed"] == 45 and summary["licence_validity_days"]["changed"] is True
    assert summary["kind"]["changed"] is False and summary["lpp_threshold_tpp"]["changed"] is False
    assert summary["g2g_uplift"]["label"].startswith("G2G uplift")


def test_a_tier2_period_the_proposal_would_open_is_computed_from_its_figures_without_writing_rows(admin, pending):
    cases, _ = pending
    start = timezone.localdate().replace(month=1, day=1)  # a new period containing today, later than the one on record
    end = start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    assert policy_in_force().tier2_period_start < start
    assert not Allotment.objects.filter(source=AllotmentSource.TIER_ALLOCATION, period_start=start).exists()
    rows = preview(
        admin,
        f"kind=tiered&tier2_period_start={start}&tier2_period_end={end}&tier2_allocation_tpp={100 * H100_TPP}",
    )
    india = rows[cases["india"].pk]  # 5,000 H100 to India, no agreement: 100 H100e of new allocation is too little
    assert india["proposed"]["allotment"] == {
        "id": None,
        "hypothetical": True,
        "remaining_tpp": 100 * H100_TPP,
        "remaining_h100e": "100.00",
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    assert india["current"]["allotment"]["id"] is not None  # today: the allocation on record
    assert (india["proposed"]["outcome"], india["proposed"]["presumption"]) == ("licence_required", "denial")
    uae = rows[cases["uae"].pk]  # an agreement is in force: the new allocation is uplifted by the factor in force
    assert uae["proposed"]["allotment"]["remaining_tpp"] == 2 * 100 * H100_TPP


def test_the_impact_of_a_proposal_on_record_applies_exactly_its_parameters(admin, pending):
    cases, _ = pending
    proposal = agreements_services.policy_propose(
        actor=make_user("policy_admin"), kind="tiered", reason="x", g2g_uplift=3
    )
    rows = preview(admin, "", url=f"/api/v1/policy/{proposal.pk}/impact/")
    assert rows[cases["uae"].pk]["proposed"]["allotment"]["remaining_tpp"] == 3 * ALLOCATION
    assert rows.keys() == {application.pk for application in cases.values()}
    assert admin.get("/api/v1/policy/999999/impact/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "kind=tiered&g2g_uplift=",
        "kind=tiered&g2g_uplift=null",
        "kind=tiered&lpp_threshold_tpp=",
        "kind=tiered&tier2_period_start=",
        "kind=tiered&tier2_period_end=2020-01-01",
        "kind=tiered&size_bands=null",
        'kind=tiered&size_bands=[{"h100e": 5, "condition": "a"}]',
        "kind=tiered&grace_days=-1",
        "kind=tiered&uplift=3",
        "kind=",
    ],
)
def test_bad_parameters_of_a_preview_are_400(admin, query):
    response = admin.get(f"/api/v1/policy/impact/?{query}")
    assert response.status_code == 400, response.content


def test_size_bands_are_given_as_json(admin, pending):
    bands = '[{"h100e": 10, "condition": "a"}, {"h100e": 20, "condition": "b"}, {"h100e": 30, "condition": "c"}]'
    body = admin.get(f"/api/v1/policy/impact/?kind=global&size_bands={bands}").json()
    summary = {row["parameter"]: row for row in body["summary"]}
    assert summary["size_bands"]["proposed"][0] == {"h100e": 10, "condition": "a"}


# The summary over every pending application, the rows filtered, and the detail as CSV (issue 16 item 3)


def test_the_summary_counts_every_pending_case_and_its_tpp_per_change_and_destination(admin, pending):
    cases, _ = pending
    body = admin.get("/api/v1/policy/impact/?kind=global&lpp_threshold_tpp=0").json()
    assert body["pending"] == 4 and body["changed"] == 3
    changes = {(c["current"]["outcome"], c["proposed"]["presumption"]): c for c in body["changes"]}
    denied = changes[("licence_required", "denial")]  # India, now approval: no agreement under the global regime
    india_tpp = cases["india"].requested_tpp + cases["referred"].requested_tpp
    assert (denied["applications"], denied["requested_tpp"], denied["changed"]) == (2, india_tpp, True)
    by_destination = {(d["destination"], d["current"]["outcome"]): d for d in body["destinations"]}
    assert by_destination[("IN", "lpp_eligible")]["applications"] == 1  # the small one, denied as proposed
    assert by_destination[("AE", "licence_required")]["changed"] is False
    assert sum(d["applications"] for d in body["destinations"]) == 4


def test_the_rows_filter_by_change_and_destination_and_page(admin, pending):
    cases, _ = pending
    changed = preview(admin, "kind=global&lpp_threshold_tpp=0&changed=true")
    assert set(changed) == {cases[name].pk for name in ("india", "small", "referred")}
    body = admin.get("/api/v1/policy/impact/?kind=global&destination=AE").json()
    assert [row["id"] for row in body["results"]] == [cases["uae"].pk] and body["pending"] == 4
    first = admin.get("/api/v1/policy/impact/?kind=global&page_size=3").json()
    assert (len(first["results"]), first["count"]) == (3, 4) and first["next"]


def test_the_detail_downloads_as_csv_one_line_per_pending_case(admin, pending):
    cases, _ = pending
    response = admin.get("/api/v1/policy/impact/csv/?kind=global&lpp_threshold_tpp=0")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {line["acn"] for line in lines} == {application.acn for application in cases.values()}
    india = next(line for line in lines if line["acn"] == cases["india"].acn)
    assert (india["current_presumption"], india["proposed_rule"], india["changed"]) == (
        "approval",
        "global.no_agreement",
        "yes",
    )


def test_a_proposal_on_record_previews_and_downloads_its_own_impact(admin, pending):
    proposal = agreements_services.policy_propose(actor=None, kind="global", reason="Switch", lpp_threshold_tpp=0)
    body = admin.get(f"/api/v1/policy/{proposal.pk}/impact/").json()
    assert (body["pending"], body["changed"]) == (4, 3)
    response = admin.get(f"/api/v1/policy/{proposal.pk}/impact/csv/?changed=true")
    assert len(b"".join(response.streaming_content).decode().strip().splitlines()) == 1 + 3


def test_the_proposal_page_in_the_admin_shows_the_summary_pages_and_links_the_csv(pending, client, monkeypatch):
    from licensing.admin import policy_side

    monkeypatch.setattr(policy_side, "IMPACT_PAGE_SIZE", 2)
    proposal = agreements_services.policy_propose(actor=None, kind="global", reason="Switch", lpp_threshold_tpp=0)
    client.force_login(make_user("policy_admin"))
    page = client.get(f"/admin/agreements/policy/{proposal.pk}/change/").content.decode()
    assert "Impact on all 4 pending applications" in page and "(3 would change)" in page
    assert f"/api/v1/policy/{proposal.pk}/impact/csv/" in page
    assert "Page 1 of 2" in page
    second = client.get(f"/admin/agreements/policy/{proposal.pk}/change/?page=2&changed=1").content.decode()
    assert "Page 2 of 2" in second and "that would change" in second


# Above settings.IMPACT_PREVIEW_SYNC_LIMIT pending cases: a background run, its progress on the page, then its result

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_many_pending_cases_are_previewed_by_a_task_with_its_progress_on_the_page(
    pending, client, settings, django_capture_on_commit_callbacks
):
    from licensing.choices import ImpactRunStatus
    from licensing.models import ImpactRun
    from licensing.services import impact_runs

    settings.IMPACT_PREVIEW_SYNC_LIMIT = 3  # four are pending
    settings.TASKS = IMMEDIATE
    proposal = agreements_services.policy_propose(actor=None, kind="global", reason="Switch", lpp_threshold_tpp=0)
    client.force_login(make_user("policy_admin"))
    url = f"/admin/agreements/policy/{proposal.pk}/change/"
    offered = client.get(url).content.decode()
    assert "Compute the impact on every pending application" in offered
    assert not ImpactRun.objects.filter(policy=proposal).exists()  # opening the page writes nothing
    start = f"/admin/agreements/policy/{proposal.pk}/impact-runs/"
    assert client.get(start).status_code == 405
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        started = client.post(start)
    assert started.status_code == 303 and started["Location"] == url
    waiting = client.get(url).content.decode()
    assert "Computing the impact on every pending application" in waiting and "Refresh to see how far" in waiting
    assert "Compute it again" not in waiting
    run = ImpactRun.objects.get(policy=proposal)
    assert run.status == ImpactRunStatus.QUEUED and len(enqueued) == 1
    assert client.post(start) and ImpactRun.objects.filter(policy=proposal).count() == 1  # the same run, not another

    for callback in enqueued:  # the worker: the task enqueued on commit
        callback()
    run.refresh_from_db()
    assert (run.status, run.pending, run.done, run.summary["changed"]) == (ImpactRunStatus.DONE, 4, 4, 3)
    assert impact_runs.impact_run_compute(run_id=run.pk) == ImpactRunStatus.DONE  # run again: nothing to do

    done = client.get(url).content.decode()
    assert "Impact on all 4 pending applications" in done and "(3 would change)" in done
    assert "Refresh to see how far" not in done
    download = client.get(f"/admin/agreements/policy/{proposal.pk}/impact-runs/{run.pk}/csv/")
    assert download["Content-Type"] == "text/csv"
    assert len(download.content.decode().strip().splitlines()) == 1 + 4
