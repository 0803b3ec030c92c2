"""The moves nobody takes by hand, each a named SYSTEM transition of licensing.workflow, and the one helper
every status change goes through (licensing.services.status.set_status)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from licensing import services
from licensing.choices import ApplicationStatus as S
from licensing.choices import LicenceStatus as L
from licensing.models import Application, Licence
from licensing.services.status import set_status
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def last_event(record) -> AuditEvent:
    return AuditEvent.objects.filter(target_type=record._meta.label_lower, target_id=str(record.pk)).latest("id")


def reviewer(agency: str):
    return make_user("agency_reviewer", agency=agency)


# referrals_answered: the last awaited agency answer sends the case back to review.


def test_the_last_awaited_answer_moves_the_case_back_to_review_as_the_system():
    application = f.referred(agencies=("defense", "state"))

    services.application_agency_recommend(actor=reviewer("defense"), application=application, recommendation="approve")
    assert Application.objects.get(pk=application.pk).status == S.REFERRED  # State is still awaited

    services.application_agency_recommend(actor=reviewer("state"), application=application, recommendation="deny")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    event = last_event(application)
    assert (event.verb, event.actor_id) == ("application.review_resumed", None)  # the system, not the reviewer


def test_no_person_moves_a_referred_case_back_by_hand():
    application = f.referred(agencies=("defense",))
    superuser = make_user("licensing_officer")
    superuser.is_superuser = True
    superuser.save()
    officer = make_user("licensing_officer")
    before = f.db_state()

    for person in (officer, superuser):
        with pytest.raises(PermissionDenied, match="the system does it"):
            set_status(Application.objects.get(pk=application.pk), "referrals_answered", actor=person)

    assert f.db_state() == before


# exhaust: the shipment that takes the last unit exhausts the licence.


def test_the_last_unit_shipped_exhausts_the_licence_as_the_system():
    licence = f.licence(quantity=10)
    exporter = licence.application.created_by
    item = {"product": licence.lines.get().product}

    services.shipment_report(
        actor=exporter, licence=licence, shipped_on=timezone.localdate(), items=[item | {"quantity": 4}]
    )
    assert Licence.objects.get(pk=licence.pk).status == L.ACTIVE

    services.shipment_report(
        actor=exporter, licence=licence, shipped_on=timezone.localdate(), items=[item | {"quantity": 6}]
    )
    licence.refresh_from_db()
    assert licence.status == L.EXHAUSTED
    event = last_event(licence)
    assert (event.verb, event.actor_id) == ("licence.exhausted", None)


def test_no_person_exhausts_a_licence_by_hand():
    licence = f.licence()
    before = f.db_state()
    with pytest.raises(PermissionDenied):
        set_status(licence, "exhaust", actor=licence.application.created_by)
    assert f.db_state() == before


# expire: past its validity (the expire_licences command).


def test_expiry_is_taken_by_the_system():
    licence = f.licence()
    expired = services.licences_expire(today=licence.valid_until + datetime.timedelta(days=1))

    assert expired == [licence.number]
    licence.refresh_from_db()
    assert licence.status == L.EXPIRED
    event = last_event(licence)
    assert (event.verb, event.actor_id) == ("licence.expired", None)


def test_no_person_expires_a_licence_by_hand():
    licence = f.licence()
    official = make_user("approving_official")
    before = f.db_state()
    with pytest.raises(PermissionDenied):
        set_status(licence, "expire", actor=official)
    assert f.db_state() == before


# The helper itself


def test_set_status_moves_to_the_transitions_own_target_and_audits_it():
    application = f.submitted()
    officer = make_user("licensing_officer")

    change = set_status(application, "start_review", actor=officer)

    assert (change.previous, change.transition.target) == (S.SUBMITTED, S.UNDER_REVIEW)
    assert Application.objects.get(pk=application.pk).status == S.UNDER_REVIEW
    event = last_event(application)
    assert (event.verb, event.actor_id) == ("application.review_started", officer.pk)


def test_set_status_refuses_a_move_the_table_does_not_have_and_writes_nothing():
    application = f.draft()
    before = f.db_state()
    with pytest.raises(InvalidTransition):
        set_status(application, "approve", actor=None)
    assert f.db_state() == before
    assert application.status == S.DRAFT  # not even the caller's copy moved
