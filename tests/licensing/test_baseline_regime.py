"""The baseline regime end to end (SPEC § 3.3, § 4): determinations with the seeded Country Groups, approvals
that draw on an agreement's allotment only where the determination names one, and the impact preview of a
proposed switch to it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.choices import AllotmentSource, LedgerKind, PolicyKind, PolicyStatus
from agreements.errors import AllotmentExhausted
from agreements.models import Allotment, LedgerEntry, Policy
from agreements.selectors import POLICY_PARAMETERS, policy_in_force
from agreements.services import policy_propose
from agreements.units import H100_TPP
from licensing import determination as engine
from licensing import selectors, services
from licensing.choices import ApplicationStatus
from licensing.errors import NotificationRefused
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_impact import preview
from tests.licensing.test_policy_switch_admin import URL, form, signed_in

pytestmark = pytest.mark.django_db

LICENCE, NO_LICENCE = engine.Outcome.LICENCE_REQUIRED, engine.Outcome.NO_LICENCE_REQUIRED
CASE_BY_CASE, APPROVAL, DENIAL = engine.Presumption.CASE_BY_CASE, engine.Presumption.APPROVAL, engine.Presumption.DENIAL
RESCISSION = datetime.datetime(2025, 5, 13, tzinfo=datetime.UTC)


def ask(destination: str, quantity: int = 10, *, at: datetime.datetime | None = None) -> engine.Determination:
    """What the rules in force at `at` (default now) say of `quantity` H100 exported from the US to a new
    consignee located and headquartered in `destination`."""
    consignee = "Falcon Compute"
    request = engine.Request(
        destination=destination,
        lines=selectors.request_lines([selectors.ItemRequest(f.product(), quantity)]),
        consignee=consignee,
        end_users=(consignee,),
        end_user_hq=(destination,),
        end_use_category="commercial_datacenter",
        at=at or timezone.now(),
    )
    return selectors.determine(request)


def rules(result: engine.Determination) -> list[str]:
    return [reason.rule for reason in result.reasons]


def baseline_since(instant: datetime.datetime) -> Policy:
    """The rescission recorded as it happened (DOMAIN.md § 1): the baseline regime in force from `instant`, with the
    parameters then in force. Written directly: the services put a switch in force from now on only."""
    current = policy_in_force(instant)
    return Policy.objects.create(
        kind=PolicyKind.BASELINE,
        status=PolicyStatus.APPROVED,
        proposed_from=instant,
        effective_from=instant,
        approved_at=instant,
        reason="BIS will not enforce the AI Diffusion rule (announcement of 2025-05-13)",
        **{name: getattr(current, name) for name in POLICY_PARAMETERS},
    )


@pytest.fixture
def baseline():
    return f.switch_to_baseline()


@pytest.fixture
def uae_agreement():
    return f.agreement_in_force("AE", capacity_tpp=1_000 * H100_TPP)


def agreement_allotment(agreement) -> Allotment:
    return Allotment.objects.get(agreement=agreement, source=AllotmentSource.AGREEMENT)


# Determinations under the baseline in force today


def test_the_uae_without_an_agreement_needs_a_licence_reviewed_case_by_case(baseline):
    result = ask("AE")
    assert (result.regime, result.outcome, result.presumption) == ("baseline", LICENCE, CASE_BY_CASE)
    assert rules(result) == ["baseline.d1_d4", "baseline.case_by_case"]
    assert "AE is in Country Group D:4" in result.reasons[0].text and "§ 742.6(a)(6)(iii)" in result.reasons[0].text
    assert result.as_dict()["allotment"] is None


def test_japan_needs_no_licence(baseline):
    result = ask("JP")
    assert (result.outcome, result.presumption) == (NO_LICENCE, None)
    assert rules(result) == ["baseline.no_requirement"]


def test_the_tier2_allocation_is_not_a_baseline_cap(baseline):
    """India (in no Country Group D) has a Tier 2 allocation on record: the baseline neither needs nor draws it."""
    result = ask("IN", 50_000)
    assert (result.outcome, result.allotment_id) == (NO_LICENCE, None)


def test_macau_before_any_programme_is_denial_under_the_baseline_recorded_from_the_rescission():
    baseline_since(RESCISSION)
    result = ask("MO", at=datetime.datetime(2025, 9, 1, 12, tzinfo=datetime.UTC))
    assert (result.regime, result.outcome, result.presumption) == ("baseline", LICENCE, DENIAL)
    assert rules(result)[0] == "common.d5_destination"
    assert "Country Group D:5 or Macau" in result.reasons[0].text
    before = ask("MO", at=datetime.datetime(2025, 5, 1, 12, tzinfo=datetime.UTC))  # the tiered rule then
    assert (before.regime, rules(before)[0]) == ("tiered", "common.tier3_destination")


def test_an_agreement_in_force_with_room_in_its_allotment_gives_approval_with_its_conditions(baseline, uae_agreement):
    result = ask("AE")
    allotment = agreement_allotment(uae_agreement)
    assert (result.outcome, result.presumption) == (LICENCE, APPROVAL)
    assert rules(result) == ["baseline.d1_d4", "baseline.agreement_allotment"]
    assert (result.allotment_id, result.allotment_remaining_tpp) == (allotment.pk, 1_000 * H100_TPP)
    assert result.conditions == ("Compute-usage reports to BIS", "Reporting: Quarterly")
    assert result.agreement_id == uae_agreement.pk


def test_an_agreement_that_entered_into_force_under_the_tiered_rule_keeps_its_allotment_after_the_switch():
    """Allotments are created when an agreement enters into force whatever the regime (SPEC § 4 Agreement): the
    tiered rule ignored this one (it only uplifted the Tier 2 allocation); the baseline draws on it."""
    agreement = f.agreement_in_force("AE", capacity_tpp=10_000 * H100_TPP)
    assert ask("AE", 2_000).allotment_id == f.tier2_allotment("AE").pk  # tiered: the uplifted Tier 2 allocation
    f.switch_to_baseline()
    result = ask("AE", 2_000)
    assert (result.presumption, result.allotment_id) == (APPROVAL, agreement_allotment(agreement).pk)


def test_an_exhausted_agreement_allotment_is_denial_stating_the_remaining_h100e(baseline, uae_agreement):
    f.shrink_allotment(agreement_allotment(uae_agreement), leave_tpp=5 * H100_TPP)
    result = ask("AE")
    assert (result.outcome, result.presumption) == (LICENCE, DENIAL)
    assert rules(result)[-1] == "baseline.agreement_allotment_exhausted"
    assert "Remaining allotment 5.00 H100e" in result.reasons[-1].text


# Approval: an allotment only where the determination names one


def test_approving_a_case_by_case_application_issues_a_licence_without_any_ledger_draw(baseline):
    application = f.recommended(destination="AE", quantity=10)
    assert application.determination["presumption"] == "case_by_case"
    approved = services.application_approve(actor=make_user("approving_official"), application=application)
    licence = approved.licence
    assert approved.status == ApplicationStatus.APPROVED
    assert (licence.allotment_id, licence.reserved_tpp) == (None, 0)
    assert not LedgerEntry.objects.exists()
    assert AuditEvent.objects.get(verb="application.approved").payload["allotment"] is None


def test_approving_under_an_agreement_allotment_reserves_on_it(baseline, uae_agreement):
    allotment = agreement_allotment(uae_agreement)
    application = f.recommended(destination="AE", quantity=10)
    licence = services.application_approve(actor=make_user("approving_official"), application=application).licence
    assert (licence.allotment_id, licence.reserved_tpp) == (allotment.pk, 10 * H100_TPP)
    entry = LedgerEntry.objects.get()
    assert (entry.allotment_id, entry.kind, entry.tpp, entry.reference) == (
        allotment.pk,
        LedgerKind.RESERVE,
        10 * H100_TPP,
        licence.number,
    )
    assert "Compute-usage reports to BIS" in licence.conditions
    allotment.refresh_from_db()
    assert allotment.committed_tpp == 10 * H100_TPP


def test_approving_beyond_the_agreement_allotment_is_refused_and_writes_nothing(baseline, uae_agreement):
    application = f.recommended(destination="AE", quantity=10)
    f.shrink_allotment(agreement_allotment(uae_agreement), leave_tpp=5 * H100_TPP)
    approver = make_user("approving_official")
    before = f.db_state()
    with pytest.raises(AllotmentExhausted, match="5.00 H100e"):
        services.application_approve(actor=approver, application=application, justification="Strategic partner")
    assert f.db_state() == before


# The impact preview of a proposed baseline


@pytest.fixture
def admin(client_for):
    return client_for("policy_admin")


def test_the_preview_of_a_baseline_shows_what_changes_for_pending_cases(admin):
    exporter = make_user("exporter", organisation="Acme AI Systems Inc.")
    uae = f.submitted(exporter, destination="AE", quantity=10, consignee="Gulf Lab")
    india = f.submitted(exporter, destination="IN", quantity=5000)
    rows = preview(admin, "kind=baseline")
    uae_row = rows[uae.pk]  # a notification would do under the tiered rule (LPP); the baseline has no LPP
    assert (uae_row["current"]["outcome"], uae_row["proposed"]["outcome"]) == ("lpp_eligible", "licence_required")
    assert uae_row["proposed"]["presumption"] == "case_by_case"
    assert rows[uae.pk]["proposed"]["regime"] == "baseline" and rows[uae.pk]["changed"]
    assert (rows[india.pk]["current"]["outcome"], rows[india.pk]["proposed"]["outcome"]) == (
        "licence_required",
        "no_licence_required",
    )
    assert rows[india.pk]["proposed"]["reasons"][-1]["rule"] == "baseline.no_requirement"
    assert policy_in_force().kind == "tiered"


def test_the_impact_of_a_baseline_proposal_on_record(admin):
    uae = f.submitted(destination="AE", quantity=10)
    proposal = policy_propose(actor=admin.user, kind=PolicyKind.BASELINE, reason="Tiered rule rescinded")
    rows = preview(admin, "", url=f"/api/v1/policy/{proposal.pk}/impact/")
    assert rows[uae.pk]["proposed"]["presumption"] == "case_by_case" and rows[uae.pk]["changed"]
    summary = admin.get(f"/api/v1/policy/{proposal.pk}/impact/").json()["summary"]
    kind = next(row for row in summary if row["parameter"] == "kind")
    assert (kind["current"], kind["proposed"], kind["changed"]) == ("tiered", "baseline", True)


# The switch in the admin: two policy administrators


def test_the_admin_proposes_a_baseline_with_its_impact_and_another_admin_approves_it():
    uae = f.submitted(destination="AE", quantity=10)
    proposer, approver = signed_in(), signed_in()
    page = proposer.post(URL, form(kind="baseline", lpp_threshold_tpp="26,900,000")).content.decode()
    assert "to the baseline regime" in page and uae.acn in page and "case by case" in page
    response = proposer.post(URL, {**form(kind="baseline", lpp_threshold_tpp="26,900,000"), "confirm": "1"})
    proposal = Policy.objects.get(status=PolicyStatus.PROPOSED)
    assert response.status_code == 302 and proposal.kind == PolicyKind.BASELINE
    approve = reverse("admin:agreements_policy_approve", args=[proposal.pk])
    proposer.post(approve)  # refused: the proposer may not approve
    assert Policy.objects.get(pk=proposal.pk).status == PolicyStatus.PROPOSED and policy_in_force().kind == "tiered"
    assert approver.post(approve).status_code == 302
    assert policy_in_force().pk == proposal.pk and policy_in_force().kind == "baseline"
    assert AuditEvent.objects.get(verb="policy.approved").actor == approver.user


def test_a_case_by_case_review_is_shown_in_words_to_the_exporter_and_the_officer(baseline):
    exporter = make_user("exporter", organisation="Acme AI Systems Inc.")
    application = f.submitted(exporter, destination="AE", quantity=10)
    client = Client()
    client.force_login(exporter)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Reviewed case by case." in page and "Presumption of case_by_case" not in page
    officer = Client()
    officer.force_login(make_user("licensing_officer"))
    admin_page = officer.get(reverse("admin:licensing_application_change", args=[application.pk])).content.decode()
    assert "Licence required, reviewed case by case — Baseline (Country Groups, case by case) regime" in admin_page


def test_a_notification_is_refused_under_the_baseline_which_has_no_lpp_exception_naming_its_rule(baseline):
    exporter = make_user("exporter")
    before = f.db_state()
    with pytest.raises(NotificationRefused) as refused:
        f.notify(exporter, destination="AE", quantity=10)
    assert "Apply for a licence: AE is in Country Group D:4" in str(refused.value)
    assert "Over the LPP threshold" not in str(refused.value)
    with pytest.raises(NotificationRefused, match="No licence or notification is required"):
        f.notify(exporter, destination="JP", quantity=10)
    assert f.db_state() == before
