"""Messages about what licences owe (SPEC § 4 v2 Messages) and the daily job that sends some of them: an obligation
falling due or overdue tells the exporter's organisation (once), an officer's acceptance or rejection tells it too,
a proposal to suspend tells the approving officials; the job is also a django-tasks task, and marks overdue
investment milestones. E-mails go out by the task (locmem outbox)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from agreements.models import InvestmentMilestone
from licensing import services
from licensing.choices import ObligationKind
from licensing.models import Obligation, SuspensionProposal
from licensing.tasks import mark_overdue_obligations
from portal.models import AuditEvent, InboxMessage
from tests.factories import make_user
from tests.licensing.test_obligations import licence_under_agreement, make_overdue
from tests.tasks_for_tests import run_db_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter():
    user = make_user("exporter", organisation="Acme AI Systems Inc.")
    user.email = "ada@acme.example"
    user.save()
    return user


def subjects(user, about: str = "licensing.obligation") -> list[str]:
    messages = InboxMessage.objects.filter(recipient=user, about_type=about).order_by("id")
    return list(messages.values_list("subject", flat=True))


def first_report(licence) -> Obligation:
    return licence.obligation_set.filter(kind=ObligationKind.REPORT).order_by("due_on").first()


def test_an_obligation_falling_due_today_tells_the_organisations_users_once_and_mails_them(
    exporter, django_capture_on_commit_callbacks
):
    colleague = make_user("exporter", organisation="Acme AI Systems Inc.")
    rival = make_user("exporter", organisation="Northwind Servers Ltd")
    licence = licence_under_agreement(exporter)
    report = first_report(licence)
    Obligation.objects.filter(pk=report.pk).update(due_on=timezone.localdate())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("mark_overdue_obligations")
    expected = f"Due today: Periodic report on licence {licence.number}, due {timezone.localdate()}"
    assert subjects(exporter) == [expected] and subjects(colleague) == [expected]
    assert subjects(rival) == []
    run_db_worker()
    assert [m.subject for m in mail.outbox if m.to == ["ada@acme.example"] and "Due" in m.subject] == [expected]

    call_command("mark_overdue_obligations")
    assert subjects(exporter) == [expected]  # once


def test_an_overdue_obligation_tells_the_exporter_once_and_not_after_it_was_submitted(exporter):
    licence = licence_under_agreement(exporter)
    first, second = licence.obligation_set.filter(kind=ObligationKind.REPORT).order_by("due_on")[:2]
    make_overdue(first, 3)
    make_overdue(second, 2)
    services.obligation_submit(actor=exporter, obligation=second, text="Sent late.")
    call_command("mark_overdue_obligations")
    call_command("mark_overdue_obligations")
    first.refresh_from_db()
    overdue = [s for s in subjects(exporter) if s.startswith("Overdue:")]
    assert overdue == [f"Overdue: Periodic report on licence {licence.number}, due {first.due_on}"]


def test_acceptance_and_rejection_tell_the_exporter_with_the_reason(exporter):
    licence = licence_under_agreement(exporter)
    report = first_report(licence)
    officer = make_user("licensing_officer")
    services.obligation_submit(actor=exporter, obligation=report, text="Q1 use.")
    assert any("submitted for review" in s for s in subjects(officer))
    services.obligation_reject(actor=officer, obligation=report, reason="Name the end users.")
    rejected = InboxMessage.objects.get(recipient=exporter, subject__endswith=": rejected")
    assert rejected.body == "Name the end users." and rejected.about_id == str(report.pk)
    services.obligation_submit(actor=exporter, obligation=report, text="End users named.")
    services.obligation_accept(actor=officer, obligation=report)
    assert subjects(exporter)[-1] == f"Periodic report on licence {licence.number}, due {report.due_on}: accepted"
    assert not any(s.endswith(": accepted") for s in subjects(officer))  # not the one who decided


def test_a_proposal_to_suspend_tells_the_approving_officials_only(exporter):
    approver, officer = make_user("approving_official"), make_user("licensing_officer")
    licence = licence_under_agreement(exporter)
    make_overdue(first_report(licence), 31)
    call_command("mark_overdue_obligations")
    proposal = SuspensionProposal.objects.get()
    message = InboxMessage.objects.get(recipient=approver, about_type="licensing.suspensionproposal")
    assert message.about_id == str(proposal.pk) and licence.number in message.subject
    assert not InboxMessage.objects.filter(recipient=officer, about_type="licensing.suspensionproposal").exists()


def test_the_daily_job_as_a_task_is_idempotent(exporter):
    licence = licence_under_agreement(exporter)
    make_overdue(first_report(licence), 31)
    mark_overdue_obligations.enqueue()
    run_db_worker()
    mark_overdue_obligations.enqueue()
    run_db_worker()
    assert SuspensionProposal.objects.filter(licence=licence).count() == 1
    assert len([s for s in subjects(exporter) if s.startswith("Overdue:")]) == 1


def test_the_daily_job_marks_an_unverified_milestone_overdue_once_and_tells_the_negotiators(exporter):
    negotiator = make_user("negotiator")
    licence = licence_under_agreement(exporter, revenue_share_percent=Decimal("15"))
    agreement = licence.allotment.agreement
    terms = agreement.terms_versions.order_by("-version").first()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = InvestmentMilestone.objects.create(
        agreement=agreement, terms=terms, description="Phase 1", amount_usd=Decimal("100.00"), due_on=yesterday
    )
    waived = InvestmentMilestone.objects.create(
        agreement=agreement,
        terms=terms,
        description="Phase 0",
        amount_usd=Decimal("100.00"),
        due_on=yesterday,
        waived_at=timezone.now(),
        waiver_reason="Superseded.",
    )
    call_command("mark_overdue_obligations")
    call_command("mark_overdue_obligations")
    late.refresh_from_db()
    waived.refresh_from_db()
    assert late.overdue_marked_at is not None and waived.overdue_marked_at is None
    milestone_messages = InboxMessage.objects.filter(recipient=negotiator, about_type="agreements.investmentmilestone")
    assert [m.about_id for m in milestone_messages] == [str(late.pk)]
    assert "Phase 1" in milestone_messages.get().body
    marked = AuditEvent.objects.get(verb="milestone.marked_overdue")
    assert marked.target_id == str(late.pk) and marked.actor is None
