"""The decision: recommendation first, four eyes, approval re-determined at decision time, denial with a reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import services as agreements_services
from agreements.errors import AllotmentExhausted
from agreements.models import Country, CountryGroupMembership, LedgerEntry
from agreements.units import H100_TPP
from licensing import services
from licensing.choices import ApplicationStatus as S
from licensing.choices import LicenceStatus
from licensing.errors import DecisionRefused, FourEyes
from licensing.models import Application, Licence
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def approved_event(application):
    return AuditEvent.objects.get(
        target_type="licensing.application", target_id=str(application.pk), verb="application.approved"
    )


def approve(application, approver=None, **kwargs):
    return services.application_approve(
        actor=approver or make_user("approving_official"), application=application, **kwargs
    )


def refused(error, application, approver=None, **kwargs):
    """Approval is refused with `error` and writes nothing at all."""
    approver = approver or make_user("approving_official")
    before = f.db_state()
    with pytest.raises(error) as raised:
        approve(application, approver, **kwargs)
    assert f.db_state() == before
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert not Licence.objects.filter(application=application).exists()
    return raised.value


# A whole approval


def test_approval_reserves_on_the_allotment_and_issues_the_licence_in_one_go():
    application = f.recommended(quantity=5000)
    allotment = f.tier2_allotment("IN")
    approver = make_user("approving_official")
    approve(application, approver, conditions=["No re-export", "  ", "No re-export"])
    application.refresh_from_db()
    licence = application.licence
    allotment.refresh_from_db()

    assert (application.status, application.decided_by) == (S.APPROVED, approver)
    assert licence.status == LicenceStatus.ACTIVE
    assert licence.number.startswith(f"G2G-{timezone.now().year}-") and len(licence.number) != 7
    assert licence.conditions == ["No re-export"]
    assert (licence.allotment, licence.reserved_tpp) == (allotment, 5000 * H100_TPP)
    assert [(line.product.name, line.approved_quantity, line.unit_tpp) for line in licence.lines.all()] == [
        ("H100 SXM", 5000, H100_TPP)
    ]
    assert licence.valid_until - licence.valid_from == datetime.timedelta(days=1_461)
    assert allotment.committed_tpp == 5000 * H100_TPP
    (entry,) = LedgerEntry.objects.filter(allotment=allotment)
    assert (entry.kind, entry.tpp, entry.reference, entry.consignee) == (
        "reserve",
        5000 * H100_TPP,
        licence.number,
        "gulfcompute",
    )
    payload = approved_event(application).payload
    assert (payload["licence"], payload["reserved_tpp"], payload["justification"]) == (licence.number, entry.tpp, "")
    assert AuditEvent.objects.filter(verb="licence.issued", target_id=str(licence.pk)).exists()


def test_a_partial_approval_draws_only_the_approved_quantity():
    application = f.recommended(items=[("H100 SXM", 5000), ("HGX H100 8-GPU", 100)])
    approve(application, items=[{"product": f.product(), "quantity": 4000}])
    licence = Licence.objects.get(application=application)
    assert [(line.product.name, line.approved_quantity) for line in licence.lines.all()] == [("H100 SXM", 4000)]
    assert licence.reserved_tpp == 4000 * H100_TPP == f.tier2_allotment().committed_tpp


def test_approving_exactly_the_requested_quantity_is_a_whole_approval():
    application = f.recommended(quantity=5000)
    approve(application, items=[{"product": f.product(), "quantity": 5000}])
    assert Licence.objects.get(application=application).reserved_tpp == 5000 * H100_TPP


def test_more_than_requested_is_refused():
    application = f.recommended(quantity=5000)
    error = refused(ValidationError, application, items=[{"product": f.product(), "quantity": 5001}])
    assert "exceeds the 5,000 requested" in str(error)


def test_an_uncontrolled_line_is_never_approved():
    application = f.recommended(items=[("H100 SXM", 2000), ("H20", 500)])
    error = refused(ValidationError, application, items=[{"product": f.product("H20"), "quantity": 500}])
    assert "not controlled" in str(error)
    approve(application)  # everything: the H20 line stays on the application for information only
    licence = Licence.objects.get(application=application)
    assert [line.product.name for line in licence.lines.all()] == ["H100 SXM"]
    assert licence.reserved_tpp == 2000 * H100_TPP


def test_a_product_not_on_the_application_is_refused():
    application = f.recommended(quantity=5000)
    refused(ValidationError, application, items=[{"product": f.product("H200 SXM"), "quantity": 1}])


def test_the_same_product_twice_is_refused():
    application = f.recommended(quantity=5000)
    item = {"product": f.product(), "quantity": 1}
    refused(ValidationError, application, items=[item, item])


# Four eyes


def test_an_officer_recommendation_comes_before_any_decision():
    application = f.under_review()
    error = refused(DecisionRefused, application)
    assert "recommendation is required" in error.message
    approver = make_user("approving_official")
    before = f.db_state()
    with pytest.raises(DecisionRefused):
        services.application_deny(actor=approver, application=application, reason="No.")
    assert f.db_state() == before


def test_the_recommending_official_never_decides_even_holding_both_roles():
    both = make_user("licensing_officer", "approving_official")
    application = f.recommended(officer=both)
    error = refused(FourEyes, application, approver=both)
    assert "another official" in error.message
    before = f.db_state()
    with pytest.raises(FourEyes):
        services.application_deny(actor=both, application=application, reason="No.")
    assert f.db_state() == before
    approve(application, make_user("approving_official"))  # a second pair of eyes may
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_a_recommendation_replaced_by_a_colleague_still_bars_its_author_from_deciding():
    """Four eyes looks at every recommendation made on the case, not only the one that stands."""
    both = make_user("licensing_officer", "approving_official")
    colleague = make_user("licensing_officer")
    application = f.recommended(officer=both, recommendation="deny")
    services.application_recommend(actor=colleague, application=application, recommendation="approve", rationale="Ok")
    refused(FourEyes, application, approver=both)
    before = f.db_state()
    with pytest.raises(FourEyes):
        services.application_deny(actor=both, application=application, reason="No.")
    assert f.db_state() == before


def test_one_person_with_both_roles_may_decide_what_a_colleague_recommended():
    both = make_user("licensing_officer", "approving_official")
    application = f.recommended()
    approve(application, both)
    application.refresh_from_db()
    assert application.decided_by == both


@pytest.mark.parametrize("role", ["licensing_officer", "policy_admin"])
def test_only_approving_officials_decide(role):
    application = f.recommended()
    refused(PermissionDenied, application, approver=make_user(role))


# Re-determined at decision time


def test_an_application_lpp_eligible_when_submitted_is_approved_on_the_allotment():
    application = f.recommended(quantity=1_000, consignee="Small Lab")
    assert application.determination["outcome"] == "lpp_eligible"
    assert application.allotment is None
    approve(application)
    licence = Licence.objects.get(application=application)
    assert (licence.allotment, licence.reserved_tpp) == (f.tier2_allotment(), 1_000 * H100_TPP)
    payload = approved_event(application).payload["determination"]
    assert (payload["outcome"], payload["presumption"]) == ("licence_required", "approval")


def test_approval_to_a_destination_that_became_tier_3_needs_a_justification_and_draws_nothing():
    """SPEC § 3.1 step 4: Tier 3 means a licence with a presumption of denial, approvable only with a
    justification, drawing on no allotment (it was 'prohibited' before v2)."""
    application = f.recommended()
    agreements_services.tier_membership_set(
        actor=None,
        country=Country.objects.get(code="IN"),
        tier=3,
        effective_from=timezone.localdate(),
        source="Test: arms embargo imposed",
    )
    error = refused(ValidationError, application)
    assert "justification" in error.message_dict
    approve(application, justification="Overriding: end use verified by the embassy.")
    licence = Licence.objects.get(application=application)
    assert (licence.allotment_id, licence.reserved_tpp) == (None, 0)
    assert not LedgerEntry.objects.filter(reference=licence.number).exists()


def test_approval_is_refused_when_the_destination_came_under_a_comprehensive_embargo():
    application = f.recommended()
    CountryGroupMembership.objects.create(
        country_id="IN", group="E:2", effective_from=timezone.localdate(), source="Test: embargo imposed"
    )
    error = refused(DecisionRefused, application, justification="Overriding.")
    assert "prohibited" in error.message


def test_approval_is_refused_under_the_global_regime_without_agreement_or_allotment():
    application = f.recommended()
    f.switch_to_global(lpp_threshold_tpp=0)
    error = refused(DecisionRefused, application, justification="Overriding.")
    assert "no allotment" in error.message


def test_approval_under_the_global_regime_draws_on_the_agreement_and_carries_its_conditions():
    agreement = f.agreement_in_force("IN", capacity_tpp=10_000 * H100_TPP)
    f.switch_to_global(lpp_threshold_tpp=0)
    application = f.recommended(quantity=500)
    approve(application)
    licence = Licence.objects.get(application=application)
    assert licence.allotment.agreement == agreement
    assert "Compute-usage reports to BIS" in licence.conditions
    assert f.tier2_allotment().committed_tpp == 0


@pytest.mark.parametrize("justification", ["", "We accept the risk."])
def test_approval_beyond_the_remaining_allotment_is_refused_and_writes_nothing(justification):
    application = f.recommended(quantity=5000)
    allotment = f.tier2_allotment()
    f.shrink_allotment(allotment, leave_tpp=5000 * H100_TPP - 1)
    error = refused(AllotmentExhausted, application, justification=justification)
    assert "remaining" in error.message
    assert LedgerEntry.objects.filter(allotment=allotment).count() == 1  # only the earlier draw


def test_approval_of_exactly_the_remaining_allotment_is_allowed():
    application = f.recommended(quantity=5000)
    allotment = f.tier2_allotment()
    f.shrink_allotment(allotment, leave_tpp=5000 * H100_TPP)
    approve(application)
    allotment.refresh_from_db()
    assert allotment.committed_tpp == allotment.capacity_tpp


def test_a_partial_approval_can_fit_what_remains():
    application = f.recommended(quantity=5000)
    f.shrink_allotment(f.tier2_allotment(), leave_tpp=3000 * H100_TPP)
    approve(application, items=[{"product": f.product(), "quantity": 3000}])
    assert Licence.objects.get(application=application).reserved_tpp == 3000 * H100_TPP


# Overriding a denial needs a justification


def test_an_agency_denial_recommendation_is_overridden_only_with_a_justification():
    application = f.reviewed_after_referral(recommendation="deny")
    officer = make_user("licensing_officer")
    services.application_recommend(actor=officer, application=application, recommendation="approve", rationale="Ok")
    error = refused(ValidationError, application, justification="   ")
    assert "an agency recommended denial" in str(error)
    approve(application, justification="  Defense's concern is met by condition 3.  ")
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert approved_event(application).payload["justification"] == "Defense's concern is met by condition 3."


def test_a_presumption_of_denial_is_overridden_only_with_a_justification():
    f.agreement_in_force("IN", capacity_tpp=10_000 * H100_TPP, excluded_end_users=["GULF COMPUTE, L.L.C."])
    f.switch_to_global(lpp_threshold_tpp=0)
    application = f.recommended(quantity=500)
    error = refused(ValidationError, application)
    assert "the presumption is denial" in str(error)
    approve(application, justification="Excluded in error; amendment pending.")
    payload = approved_event(application).payload
    assert payload["justification"] == "Excluded in error; amendment pending."
    assert payload["determination"]["presumption"] == "denial"


def test_an_officer_recommending_denial_does_not_need_a_justification_to_approve():
    application = f.recommended(recommendation="deny")
    approve(application)
    application.refresh_from_db()
    assert application.status == S.APPROVED


# Deny, and deciding twice


def test_deny_records_the_reason_and_draws_nothing():
    application = f.recommended()
    approver = make_user("approving_official")
    before = f.db_state()
    services.application_deny(actor=approver, application=application, reason=" End user unverifiable. ")
    application.refresh_from_db()
    assert (application.status, application.decision_reason, application.decided_by) == (
        S.DENIED,
        "End user unverifiable.",
        approver,
    )
    assert f.db_state()["committed"] == before["committed"]
    assert not Licence.objects.filter(application=application).exists()
    event = AuditEvent.objects.get(verb="application.denied", target_id=str(application.pk))
    assert event.payload == {"reason": "End user unverifiable."}


@pytest.mark.parametrize("reason", ["", " \n "])
def test_deny_needs_a_reason(reason):
    application = f.recommended()
    approver = make_user("approving_official")
    before = f.db_state()
    with pytest.raises(ValidationError):
        services.application_deny(actor=approver, application=application, reason=reason)
    assert f.db_state() == before


def test_a_case_is_decided_once():
    application = f.approved()
    approver = make_user("approving_official")
    before = f.db_state()
    with pytest.raises(InvalidTransition):
        approve(application, approver)
    with pytest.raises(InvalidTransition):
        services.application_deny(actor=approver, application=application, reason="Changed my mind.")
    assert f.db_state() == before


@pytest.mark.parametrize(
    "state, refusal",
    [
        (f.draft, Application.DoesNotExist),  # a draft is the exporter's own until sent
        (f.submitted, InvalidTransition),
        (f.info_requested, InvalidTransition),
        (f.referred, InvalidTransition),
    ],
)
def test_only_a_case_under_review_is_decided(state, refusal):
    application = state()
    approver = make_user("approving_official")
    before = f.db_state()
    with pytest.raises(refusal):
        approve(application, approver)
    assert f.db_state() == before


# How long the allotment row is held (a regression guard for `make bench`'s approvals figure: users notice it only
# as approvals on one busy allotment queueing for each other, so the guard is on the statements, not on time)


def test_the_allotment_draw_is_one_conditional_update_followed_only_by_inserts():
    application = f.recommended(quantity=5000)
    allotment = f.tier2_allotment("IN")
    approver = make_user("approving_official")
    services.application_approve(actor=approver, application=f.recommended(quantity=10))  # warm the caches
    with CaptureQueriesContext(connection) as captured:
        approve(application, approver)
    statements = [query["sql"] for query in captured.captured_queries]
    draws = [i for i, sql in enumerate(statements) if sql.startswith("UPDATE agreements_allotment SET")]
    assert len(draws) == 1 and "committed_tpp + " in statements[draws[0]]
    assert not any("FOR UPDATE" in sql and "agreements_allotment" in sql for sql in statements)
    # Then the parties' caps in one UPDATE (none here: it matches no row), then only inserts.
    caps, *after = statements[draws[0] + 1 :]
    assert caps.startswith("UPDATE agreements_allotmentpartycap SET committed_tpp = committed_tpp + "), caps
    assert {sql.split()[0] for sql in after} <= {"INSERT", "RELEASE"}, after
    # The whole approval: 26 statements on SQLite, two of them the rows of its tasks (the letters, the exporter's
    # e-mail), written in the transaction since they commit with it (before, they were enqueued after the commit,
    # which a test's transaction never reaches). 27 before the allotment the determination read was drawn on
    # without reading it again. Without the tasks, 25: 27 before the agreement in force and its terms
    # were kept with the reference facts and the caps read only when the allotment has some; 33 before the products
    # were checked as read with the lines, the officer recommendations read once, the LPP figure a decision skips
    # left unread, the policy and the allotment's effective capacity taken from the determination's facts and the
    # exporter read with the locked case; 41 before the allotment was read once for the obligations and the draw
    # and before the caps were drawn on in one UPDATE; 45 before lines and parties were read once. PostgreSQL takes
    # its licence number from a sequence in one statement where SQLite reads and bumps a counter row in three.
    assert len(statements) <= (26 if connection.vendor == "sqlite" else 24), "\n".join(statements)
    # The case's lines, parties and recommendations are read by its id, in its order, without joining the case.
    assert not [sql for sql in statements if 'JOIN "licensing_application"' in sql], statements
    allotment.refresh_from_db()
    assert allotment.committed_tpp == (5000 + 10) * H100_TPP
