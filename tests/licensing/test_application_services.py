"""The exporter's and the officer's services on an application: draft, submit, the 90-day clock, return, withdraw.

Each test checks the status, the quota ledger (untouched before a decision), the audit trail, and that a refused
call wrote nothing at all.
"""

import datetime
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agreements.models import Country
from licensing import selectors, services
from licensing.choices import ApplicationStatus as S
from licensing.errors import NotControlled
from licensing.models import Application, NumberSequence
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

ACN = re.compile(r"^[A-Z]\d{6}$")
DAY = datetime.timedelta(days=1)


def events(application, verb):
    return AuditEvent.objects.filter(target_type="licensing.application", target_id=str(application.pk), verb=verb)


def at(instant):
    """Pin the clock the services read."""
    return mock.patch("django.utils.timezone.now", return_value=instant)


# Submit


def test_submit_assigns_an_acn_freezes_the_determination_and_starts_the_90_day_clock():
    application = f.draft(quantity=5000)
    before = f.db_state()
    submitted_at = timezone.now().replace(microsecond=0)
    with at(submitted_at):
        application = services.application_submit(
            actor=application.created_by, application=application, declaration=True
        )
    application.refresh_from_db()

    assert application.status == S.SUBMITTED
    assert ACN.match(application.acn)
    assert (application.submitted_at, application.due_at) == (submitted_at, submitted_at + 90 * DAY)
    assert application.submitted_by == application.created_by
    assert application.determination["outcome"] == "licence_required"
    assert application.requested_tpp == 5000 * 15_832
    assert application.allotment == f.tier2_allotment("IN")
    assert application.consignee_key == "gulfcompute"
    assert f.db_state()["committed"] == before["committed"]  # a submission draws nothing
    (event,) = events(application, "application.submitted")
    assert event.payload == {
        "acn": application.acn,
        "outcome": "licence_required",
        "requested_tpp": 5000 * 15_832,
        "declaration_version": 1,
    }


def test_the_frozen_determination_does_not_follow_later_changes():
    application = f.submitted(quantity=5000)
    frozen = application.determination
    f.shrink_allotment(f.tier2_allotment("IN"), leave_tpp=0)
    application.refresh_from_db()
    assert application.determination == frozen
    assert frozen["presumption"] == "approval"
    now = selectors.determine(selectors.application_request(application, at=timezone.now()))
    assert now.presumption.value == "denial"  # the rules now say otherwise; the frozen copy stays


def test_submitting_uncontrolled_items_only_is_refused_and_consumes_no_number():
    first = f.submitted()
    h20_only = f.draft(items=[("H20", 10_000)])
    before = f.db_state()
    with pytest.raises(NotControlled, match="Not controlled"):
        services.application_submit(actor=h20_only.created_by, application=h20_only, declaration=True)
    assert f.db_state() == before
    h20_only.refresh_from_db()
    assert (h20_only.status, h20_only.acn) == (S.DRAFT, None)
    following = f.submitted()
    assert int(following.acn[1:]) == int(first.acn[1:]) + 1  # no number skipped or shared


def test_a_submission_failing_after_the_number_was_taken_gives_the_number_back():
    """The ACN counter moves inside the submission's transaction: a failure later in it rolls it back."""
    first = f.submitted()
    application = f.draft()
    before = f.db_state()
    with (
        mock.patch("licensing.services.status.audit_record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.application_submit(actor=application.created_by, application=application, declaration=True)
    assert f.db_state() == before
    second = services.application_submit(actor=application.created_by, application=application, declaration=True)
    assert int(second.acn[1:]) == int(first.acn[1:]) + 1
    assert NumberSequence.objects.get(name="acn").value == int(second.acn[1:])


def test_uncontrolled_lines_stay_for_information_and_count_for_nothing():
    application = f.submitted(items=[("H100 SXM", 2000), ("H20", 5000)])
    assert application.requested_tpp == 2000 * 15_832
    assert application.determination["outcome"] == "licence_required"


def test_acns_are_never_shared():
    acns = [f.submitted().acn for _ in range(5)]
    assert len(set(acns)) == 5 and all(ACN.match(acn) for acn in acns)


def test_submitting_twice_is_refused():
    application = f.submitted()
    before = f.db_state()
    with pytest.raises(InvalidTransition, match="submitted"):
        services.application_submit(actor=application.created_by, application=application, declaration=True)
    assert f.db_state() == before


def test_only_the_organisation_submits_its_applications():
    application = f.draft()
    rival, officer = make_user("exporter", organisation="Rival Chips"), make_user("licensing_officer")
    before = f.db_state()
    with pytest.raises(Application.DoesNotExist):  # out of scope: it does not exist for them
        services.application_submit(actor=rival, application=application, declaration=True)
    with pytest.raises(Application.DoesNotExist):  # staff do not see a draft until it is sent
        services.application_submit(actor=officer, application=application, declaration=True)
    assert f.db_state() == before


# Editing


def test_a_draft_can_be_changed_wholesale():
    application = f.draft(quantity=5000)
    services.application_update(
        actor=application.created_by,
        application=application,
        destination=Country.objects.get(code="AE"),
        items=[{"product": f.product("H200 SXM"), "quantity": 300}],
    )
    application.refresh_from_db()
    assert application.status == S.DRAFT  # still the exporter's draft: editing sends nothing
    assert application.acn is None
    assert application.destination_id == "AE"
    assert [(line.product.name, line.quantity) for line in application.lines.all()] == [("H200 SXM", 300)]
    (event,) = events(application, "application.changed")
    assert event.payload["destination"] == "AE"


@pytest.mark.parametrize("state", [f.submitted, f.under_review, f.info_requested, f.referred])
def test_an_application_is_frozen_once_submitted(state):
    application = state()
    before = f.db_state()
    with pytest.raises(InvalidTransition, match="allowed only from draft"):
        services.application_update(
            actor=application.created_by, application=application, items=[{"product": f.product(), "quantity": 1}]
        )
    assert f.db_state() == before


def test_a_bad_edit_leaves_the_draft_as_it_was():
    application = f.draft(quantity=5000)
    before = f.db_state()
    with pytest.raises(ValidationError):
        services.application_update(
            actor=application.created_by,
            application=application,
            parties={"ultimate_consignee": {"name": "  ", "address": "", "country": application.destination}},
        )
    assert f.db_state() == before
    assert application.parties.get(role="ultimate_consignee").name == "Gulf Compute LLC"


# Requests for information: the clock stops and starts again


def test_a_request_for_information_pauses_the_clock_and_the_answer_pushes_the_due_date_back():
    t0 = timezone.now().replace(microsecond=0)
    officer = make_user("licensing_officer")
    with at(t0):
        application = f.under_review(officer=officer)
    assert application.due_at == t0 + 90 * DAY

    with at(t0 + 10 * DAY):
        application = services.application_request_info(
            actor=officer, application=application, question="Who operates the site?"
        )
    application.refresh_from_db()
    assert (application.status, application.paused_at) == (S.INFO_REQUESTED, t0 + 10 * DAY)
    assert events(application, "application.info_requested").get().payload == {"question": "Who operates the site?"}

    with at(t0 + 17 * DAY + datetime.timedelta(hours=5)):
        application = services.application_respond(
            actor=application.created_by, application=application, answer="  The consignee itself.  "
        )
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert application.paused_at is None
    assert application.due_at == t0 + 97 * DAY + datetime.timedelta(hours=5)  # 7 days 5 hours paused
    info = application.info_requests.get()
    assert (info.answer, info.answered_at) == ("The consignee itself.", t0 + 17 * DAY + datetime.timedelta(hours=5))
    assert events(application, "application.responded").get().payload == {"answer": "The consignee itself."}


def test_two_requests_for_information_add_up():
    t0 = timezone.now().replace(microsecond=0)
    officer = make_user("licensing_officer")
    with at(t0):
        application = f.under_review(officer=officer)
    for start, answered in ((5, 8), (20, 30)):
        with at(t0 + start * DAY):
            services.application_request_info(actor=officer, application=application, question="More?")
        with at(t0 + answered * DAY):
            services.application_respond(actor=application.created_by, application=application, answer="Here.")
    application.refresh_from_db()
    assert application.due_at == t0 + (90 + 3 + 10) * DAY


@pytest.mark.parametrize("answer", ["", "   "])
def test_an_empty_answer_is_refused(answer):
    application = f.info_requested()
    before = f.db_state()
    with pytest.raises(ValidationError) as refused:
        services.application_respond(actor=application.created_by, application=application, answer=answer)
    assert "answer" in refused.value.message_dict
    assert f.db_state() == before


def test_an_empty_question_is_refused():
    officer = make_user("licensing_officer")
    application = f.under_review(officer=officer)
    before = f.db_state()
    with pytest.raises(ValidationError):
        services.application_request_info(actor=officer, application=application, question=" ")
    assert f.db_state() == before


def test_answering_without_an_open_question_is_refused():
    application = f.under_review()
    before = f.db_state()
    with pytest.raises(InvalidTransition):
        services.application_respond(actor=application.created_by, application=application, answer="Unasked.")
    assert f.db_state() == before


# Return without action


@pytest.mark.parametrize("state", [f.submitted, f.under_review])
def test_return_without_action_records_the_reason(state):
    officer = make_user("licensing_officer")
    application = state(officer=officer) if state is f.under_review else state()
    before = f.db_state()
    services.application_return(actor=officer, application=application, reason="  Missing end-user statement. ")
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (S.RETURNED, "Missing end-user statement.")
    assert application.decided_by == officer
    assert f.db_state()["committed"] == before["committed"]
    assert events(application, "application.returned").get().payload == {"reason": "Missing end-user statement."}


@pytest.mark.parametrize("reason", ["", "  "])
def test_return_needs_a_reason(reason):
    officer = make_user("licensing_officer")
    application = f.under_review(officer=officer)
    before = f.db_state()
    with pytest.raises(ValidationError):
        services.application_return(actor=officer, application=application, reason=reason)
    assert f.db_state() == before


@pytest.mark.parametrize(
    "state, refusal",
    [
        (f.draft, Application.DoesNotExist),  # a draft is the exporter's own until sent
        (f.info_requested, InvalidTransition),
        (f.referred, InvalidTransition),
        (f.approved, InvalidTransition),
    ],
)
def test_return_only_from_submitted_or_under_review(state, refusal):
    application, officer = state(), make_user("licensing_officer")
    before = f.db_state()
    with pytest.raises(refusal):
        services.application_return(actor=officer, application=application, reason="No.")
    assert f.db_state() == before


# Withdrawal


@pytest.mark.parametrize("state", [f.draft, f.submitted, f.under_review, f.info_requested, f.referred])
def test_the_exporter_withdraws_from_any_state_not_final(state):
    application = state()
    previous = application.status
    before = f.db_state()
    services.application_withdraw(actor=application.created_by, application=application, reason="Order cancelled")
    application.refresh_from_db()
    assert (application.status, application.paused_at) == (S.WITHDRAWN, None)
    assert f.db_state()["committed"] == before["committed"]
    payload = events(application, "application.withdrawn").get().payload
    assert payload == {"from": previous, "reason": "Order cancelled"}


def test_a_colleague_in_the_same_organisation_may_withdraw():
    application = f.submitted()
    colleague = make_user("exporter", organisation=application.organisation.name)
    assert services.application_withdraw(actor=colleague, application=application).status == S.WITHDRAWN


def _denied():
    application = f.recommended(recommendation="deny")
    return services.application_deny(actor=make_user("approving_official"), application=application, reason="No.")


def _returned():
    officer = make_user("licensing_officer")
    return services.application_return(actor=officer, application=f.submitted(), reason="Incomplete.")


def _withdrawn():
    application = f.submitted()
    return services.application_withdraw(actor=application.created_by, application=application)


@pytest.mark.parametrize("state", [f.approved, _denied, _returned, _withdrawn])
def test_a_final_application_cannot_be_withdrawn(state):
    application = state()
    before = f.db_state()
    with pytest.raises(InvalidTransition):
        services.application_withdraw(actor=application.created_by, application=application)
    assert f.db_state() == before


def test_only_the_exporter_withdraws():
    application = f.under_review()
    staff = [make_user(role) for role in ("licensing_officer", "approving_official", "policy_admin")]
    rival = make_user("exporter", organisation="Rival Chips")
    before = f.db_state()
    for user in staff:
        with pytest.raises(PermissionDenied):
            services.application_withdraw(actor=user, application=application)
    with pytest.raises(Application.DoesNotExist):
        services.application_withdraw(actor=rival, application=application)
    assert f.db_state() == before
