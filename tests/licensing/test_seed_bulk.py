"""seed_bulk at small scale: every status in proportion, numbers from the counters, licences only for approved cases,
ledger and allotments in agreement, an audit event per transition, and records the services go on working with."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Case, F, Q, Sum, When
from django.utils import timezone

from agreements.models import Allotment, LedgerEntry
from agreements.selectors import policy_in_force
from licensing import services
from licensing.choices import ApplicationStatus, LicenceStatus
from licensing.management.commands.seed_bulk import STATUS_SHARES
from licensing.models import (
    Application,
    Licence,
    LicenceLine,
    LppConsigneeYear,
    LppNotification,
    NumberSequence,
    Referral,
)
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

APPLICATIONS = 200


@pytest.fixture
def seeded():
    call_command("seed_bulk", applications=APPLICATIONS, batch_size=80, stdout=StringIO())


def events(verb: str) -> Counter:
    return Counter(AuditEvent.objects.filter(verb=verb).values_list("target_id", flat=True))


def test_a_bulk_world_is_consistent_with_the_domain(seeded):
    """One seeding, every check (seeding is the slow part): statuses, numbers, licences and ledger, audit, LPP."""
    statuses_in_proportion_with_numbers_from_the_counters()
    licences_only_for_approved_cases_and_every_draw_on_the_ledger()
    an_audit_event_for_each_main_transition()
    lpp_notifications_within_each_consignees_threshold()


def statuses_in_proportion_with_numbers_from_the_counters():
    counts = Counter(Application.objects.values_list("status", flat=True))
    expected = {status: int(APPLICATIONS * share) for status, share in STATUS_SHARES.items()}
    expected[ApplicationStatus.APPROVED] += APPLICATIONS - sum(expected.values())
    assert counts == expected
    assert set(counts) == set(ApplicationStatus.values)

    acns = list(Application.objects.exclude(acn=None).values_list("acn", flat=True))
    assert len(acns) == len(set(acns)) == NumberSequence.objects.get(name="acn").value  # advanced by the number used
    assert all(re.fullmatch(r"[A-Z]\d{6}", acn) for acn in acns)
    assert not Application.objects.filter(status=ApplicationStatus.DRAFT).exclude(acn=None).exists()
    for application in Application.objects.exclude(acn=None):
        assert application.determination["requested_tpp"] == application.requested_tpp > 0
        assert application.due_at is not None and application.consignee_key
    assert Application.objects.values("organisation").distinct().count() >= 3
    assert Application.objects.values("destination").distinct().count() >= 20


def licences_only_for_approved_cases_and_every_draw_on_the_ledger():
    approved = Application.objects.filter(status=ApplicationStatus.APPROVED)
    assert Licence.objects.count() == approved.count() == Licence.objects.filter(application__in=approved).count()
    numbers = list(Licence.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))  # serials taken as one block: never twice
    assert all(number == f"G2G-{number[4:8]}-{number[9:]}" and number[9:].isdigit() for number in numbers)
    assert not LicenceLine.objects.filter(shipped_quantity__gt=F("approved_quantity")).exists()
    assert not LicenceLine.objects.filter(
        licence__status=LicenceStatus.EXHAUSTED, shipped_quantity__lt=F("approved_quantity")
    ).exists()

    drawing = Licence.objects.exclude(allotment=None)
    assert drawing.exists() and drawing.count() < Licence.objects.count()  # Tier 2 draws and uncapped Tier 1
    for licence in drawing:
        assert LedgerEntry.objects.get(reference=licence.number, kind="reserve").tpp == licence.reserved_tpp > 0
    net = Sum(Case(When(ledger__kind="reserve", then="ledger__tpp"), default=-F("ledger__tpp")))
    for allotment in Allotment.objects.annotate(net=net):
        assert allotment.committed_tpp == (allotment.net or 0) <= allotment.capacity_tpp


def an_audit_event_for_each_main_transition():
    approved = Application.objects.filter(status=ApplicationStatus.APPROVED)
    assert set(events("application.submitted")) == {
        str(pk) for pk in Application.objects.exclude(acn=None).values_list("pk", flat=True)
    }
    assert set(events("application.approved")) == {str(pk) for pk in approved.values_list("pk", flat=True)}
    assert set(events("licence.issued")) == {str(pk) for pk in Licence.objects.values_list("pk", flat=True)}
    for verb, status in [("denied", "denied"), ("returned", "returned"), ("withdrawn", "withdrawn")]:
        assert len(events(f"application.{verb}")) == Application.objects.filter(status=status).count()
    assert len(events("licence.revoked")) == Licence.objects.filter(status=LicenceStatus.REVOKED).count()


def lpp_notifications_within_each_consignees_threshold():
    threshold = policy_in_force().lpp_threshold_tpp
    totals = LppNotification.objects.values("consignee_key", "year").annotate(total=Sum("total_tpp"))
    assert LppNotification.objects.count() == APPLICATIONS // 5
    assert all(row["total"] <= threshold for row in totals)
    assert LppConsigneeYear.objects.count() == totals.count()
    assert not LppNotification.objects.exclude(determination__outcome="lpp_eligible").exists()


def test_the_services_carry_on_from_the_seeded_states(seeded):
    """Approve, answer, agency recommendation and shipment: seeded records are what the services expect."""
    approver = make_user("approving_official")
    case = (
        Application.objects.filter(status=ApplicationStatus.UNDER_REVIEW, determination__outcome="licence_required")
        .exclude(recommended_by=None)
        .first()
    )
    approved = services.application_approve(actor=approver, application=case, justification="Checked.")
    assert approved.status == ApplicationStatus.APPROVED and approved.licence.number.startswith("G2G-")

    waiting = Application.objects.filter(status=ApplicationStatus.INFO_REQUESTED).first()
    answered = services.application_respond(actor=waiting.created_by, application=waiting, answer="Here it is.")
    assert answered.status == ApplicationStatus.UNDER_REVIEW and answered.due_at > waiting.due_at

    referral = Referral.objects.filter(application__status=ApplicationStatus.REFERRED, answered_at=None).first()
    reviewer = make_user("agency_reviewer", agency=referral.agency.code)
    services.application_agency_recommend(
        actor=reviewer, application=referral.application, recommendation="approve", rationale="No objection."
    )

    licence = Licence.objects.filter(status=LicenceStatus.ACTIVE).filter(Q(lines__shipped_quantity=0)).first()
    line = licence.lines.first()
    services.shipment_report(
        actor=licence.application.created_by,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": line.product, "quantity": 1}],
    )
    line.refresh_from_db()
    assert line.shipped_quantity == 1
