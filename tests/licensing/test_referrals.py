"""Interagency referral: 30 days per agency, silence is no objection, the last answer resumes the review."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from licensing import services
from licensing.choices import ApplicationStatus as S
from licensing.models import Application
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def at(instant):
    return mock.patch("django.utils.timezone.now", return_value=instant)


def verbs(application):
    return list(
        AuditEvent.objects.filter(target_type="licensing.application", target_id=str(application.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def reviewer(agency):
    return make_user("agency_reviewer", agency=agency)


def test_a_referral_gives_each_agency_30_days():
    t0 = timezone.now().replace(microsecond=0)
    officer = make_user("licensing_officer")
    application = f.under_review(officer=officer)
    with at(t0):
        services.application_refer(actor=officer, application=application, agencies=["state", "defense", "state"])
    application.refresh_from_db()
    assert application.status == S.REFERRED
    referrals = list(application.referrals.order_by("agency__code"))
    assert [(r.agency.code, r.referred_at, r.due_at) for r in referrals] == [
        ("defense", t0, t0 + 30 * DAY),
        ("state", t0, t0 + 30 * DAY),
    ]
    event = AuditEvent.objects.get(verb="application.referred", target_id=str(application.pk))
    assert event.payload == {"agencies": ["defense", "state"], "due_at": (t0 + 30 * DAY).isoformat()}


@pytest.mark.parametrize("agencies", [[], ["commerce"], ["defense", "treasury"], ["DEFENSE"], [""]])
def test_referral_only_to_the_reviewing_agencies(agencies):
    officer = make_user("licensing_officer")
    application = f.under_review(officer=officer)
    before = f.db_state()
    with pytest.raises(ValidationError) as refused:
        services.application_refer(actor=officer, application=application, agencies=agencies)
    assert "agencies" in refused.value.message_dict
    assert f.db_state() == before


def test_an_agency_sees_and_answers_only_what_was_referred_to_it():
    application = f.referred(agencies=("defense", "state"))
    energy = reviewer("energy")
    before = f.db_state()
    with pytest.raises(Application.DoesNotExist):  # not in their scope: it does not exist for them
        services.application_agency_recommend(actor=energy, application=application, recommendation="deny")
    assert f.db_state() == before

    services.application_agency_recommend(
        actor=reviewer("state"), application=application, recommendation="deny", rationale="Diversion risk"
    )
    application.refresh_from_db()
    assert application.status == S.REFERRED  # Defense has not answered yet
    state = application.referrals.get(agency__code="state")
    assert (state.recommendation, state.rationale) == ("deny", "Diversion risk")
    assert application.referrals.get(agency__code="defense").answered_at is None


def test_an_agency_answers_once():
    application = f.referred(agencies=("defense", "state"))
    defense = reviewer("defense")
    services.application_agency_recommend(actor=defense, application=application, recommendation="approve")
    before = f.db_state()
    with pytest.raises(InvalidTransition, match="no open referral"):
        services.application_agency_recommend(actor=defense, application=application, recommendation="deny")
    assert f.db_state() == before


def test_the_last_answer_returns_the_case_to_review_in_the_same_transaction():
    application = f.referred(agencies=("defense", "state"))
    services.application_agency_recommend(actor=reviewer("defense"), application=application, recommendation="approve")
    services.application_agency_recommend(actor=reviewer("state"), application=application, recommendation="approve")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert verbs(application)[-3:] == [
        "application.agency_recommended",
        "application.agency_recommended",
        "application.review_resumed",
    ]


def test_a_failure_after_the_last_answer_keeps_the_case_referred():
    """The answer and the return to review are one transaction: neither is kept without the other."""
    application = f.referred(agencies=("defense",))
    defense = reviewer("defense")
    before = f.db_state()
    with (
        mock.patch("licensing.services.status.audit_record", side_effect=[None, RuntimeError("disk full")]),
        pytest.raises(RuntimeError),
    ):
        services.application_agency_recommend(actor=defense, application=application, recommendation="approve")
    assert f.db_state() == before
    assert application.referrals.get().answered_at is None


def test_an_agency_past_due_counts_as_no_objection():
    t0 = timezone.now().replace(microsecond=0)
    officer = make_user("licensing_officer")
    with at(t0):
        application = f.referred(officer=officer, agencies=("defense", "state"))
    defense = reviewer("defense")
    with at(t0 + 31 * DAY):  # State never answered; Defense answers late: nobody is awaited any more
        services.application_agency_recommend(actor=defense, application=application, recommendation="approve")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_start_review_on_a_referred_case_waits_for_agencies_within_their_30_days():
    t0 = timezone.now().replace(microsecond=0)
    officer = make_user("licensing_officer")
    with at(t0):
        application = f.referred(officer=officer, agencies=("defense", "energy"))
    before = f.db_state()
    with at(t0 + 29 * DAY), pytest.raises(InvalidTransition, match="defense, energy"):
        services.application_start_review(actor=officer, application=application)
    assert f.db_state() == before

    with at(t0 + 30 * DAY + datetime.timedelta(seconds=1)):
        services.application_start_review(actor=officer, application=application)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert AuditEvent.objects.get(
        verb="application.review_started", target_id=str(application.pk), payload__from="referred"
    )


def test_a_case_can_be_referred_again_after_an_agency_let_its_referral_lapse():
    t0 = timezone.now().replace(microsecond=0)
    officer = make_user("licensing_officer")
    with at(t0):
        application = f.referred(officer=officer, agencies=("defense",))
    with at(t0 + 31 * DAY):
        services.application_start_review(actor=officer, application=application)
        services.application_refer(actor=officer, application=application, agencies=["defense"])
    application.refresh_from_db()
    assert application.status == S.REFERRED
    lapsed, latest = application.referrals.order_by("referred_at")
    assert (lapsed.recommendation, lapsed.answered_at, lapsed.answered_by) == ("", t0 + 31 * DAY, None)
    assert "no objection" in lapsed.rationale
    assert (latest.due_at, latest.answered_at) == (t0 + 61 * DAY, None)
    event = AuditEvent.objects.filter(verb="application.referred", target_id=str(application.pk)).latest("id")
    assert event.payload["lapsed"] == ["defense"]
    defense = reviewer("defense")
    with at(t0 + 40 * DAY):
        services.application_agency_recommend(actor=defense, application=application, recommendation="approve")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


@pytest.mark.parametrize("role", ["exporter", "approving_official", "policy_admin"])
def test_only_officers_refer_and_only_reviewers_answer(role):
    officer = make_user("licensing_officer")
    application = f.under_review(officer=officer)
    user = application.created_by if role == "exporter" else make_user(role)
    before = f.db_state()
    with pytest.raises(PermissionDenied):
        services.application_refer(actor=user, application=application, agencies=["defense"])
    services.application_refer(actor=officer, application=application, agencies=["defense"])
    before = f.db_state()
    with pytest.raises(PermissionDenied):
        services.application_agency_recommend(actor=user, application=application, recommendation="approve")
    with pytest.raises(PermissionDenied):
        services.application_agency_recommend(actor=officer, application=application, recommendation="approve")
    assert f.db_state() == before


@pytest.mark.parametrize("recommendation", ["", "maybe", "APPROVE"])
def test_an_agency_recommends_approve_or_deny(recommendation):
    application = f.referred()
    defense = reviewer("defense")
    before = f.db_state()
    with pytest.raises(ValidationError):
        services.application_agency_recommend(actor=defense, application=application, recommendation=recommendation)
    assert f.db_state() == before
