"""Investment milestones bind the agreement's new draws (SPEC § 3.4 step 7, § 3.3 step 5, § 4): past due and
neither verified nor waived → denial naming it (rule terms.investment_overdue); verified or waived → approval."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements import services as agreements_services
from agreements.models import InvestmentMilestone
from agreements.services import deals
from agreements.units import H100_TPP
from licensing import selectors
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

PHASE_ONE = "First US data-centre phase (Arizona)"


def _with_milestone(country: str, due_on: datetime.date):
    agreement = f.agreement_in_force(country, capacity_tpp=10_000 * H100_TPP, site_visits_accepted=True)
    agreements_services.amendment_create(
        actor=None,
        agreement=agreement,
        effective_from=agreement.valid_from,
        reason="Reciprocal investment schedule",
        terms={
            "investment_milestones": [
                {"description": PHASE_ONE, "amount_usd": Decimal("500000000.00"), "due_on": due_on, "us_site": "AZ"}
            ]
        },
    )
    return agreement, InvestmentMilestone.objects.get(agreement=agreement)


def _determine(country: str):
    application = f.under_review(destination=country, consignee="Pearl Cloud", quantity=100)
    return selectors.determine(selectors.application_request(application, at=timezone.now(), skip_lpp=True))


@pytest.mark.parametrize("switch,country", [(f.switch_to_global, "QA"), (f.switch_to_baseline, "AE")])
def test_an_overdue_unverified_milestone_denies_until_it_is_verified(switch, country):
    switch()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    agreement, milestone = _with_milestone(country, yesterday)

    denied = _determine(country)

    assert denied.presumption == "denial"
    [overdue] = [r for r in denied.reasons if r.rule == "terms.investment_overdue"]
    assert PHASE_ONE in overdue.text and str(yesterday) in overdue.text and agreement.reference in overdue.text

    negotiator = make_user("negotiator")
    deals.milestone_record(
        actor=negotiator, milestone_id=milestone.pk, delivered_usd=Decimal("5E8"), verified_usd=Decimal("5E8")
    )

    approved = _determine(country)
    assert approved.presumption == "approval"
    assert not any(r.rule == "terms.investment_overdue" for r in approved.reasons)
    event = AuditEvent.objects.filter(verb="milestone.recorded").latest("id")
    assert event.actor == negotiator and event.payload["after"]["verified_usd"] == "500000000.00"


def test_a_partly_verified_milestone_still_denies_and_a_waiver_lifts_it():
    f.switch_to_global()
    _, milestone = _with_milestone("QA", timezone.localdate() - datetime.timedelta(days=1))
    negotiator = make_user("negotiator")
    deals.milestone_record(
        actor=negotiator, milestone_id=milestone.pk, delivered_usd=Decimal("3E8"), verified_usd=Decimal("2E8")
    )
    assert _determine("QA").presumption == "denial"

    deals.milestone_waive(actor=negotiator, milestone_id=milestone.pk, reason="Phase merged into phase two")

    assert _determine("QA").presumption == "approval"
    assert AuditEvent.objects.filter(verb="milestone.waived", payload__reason="Phase merged into phase two").exists()


def test_a_milestone_not_yet_due_does_not_deny():
    f.switch_to_global()
    _with_milestone("QA", timezone.localdate())  # due today: not past due

    assert _determine("QA").presumption == "approval"


def test_only_a_negotiator_records_or_waives_and_refusals_write_nothing():
    f.switch_to_global()
    _, milestone = _with_milestone("QA", timezone.localdate())
    officer, negotiator = make_user("licensing_officer"), make_user("negotiator")
    events = AuditEvent.objects.count()

    with pytest.raises(Exception, match="permission|may not|not allowed"):
        deals.milestone_waive(actor=officer, milestone_id=milestone.pk, reason="No")
    with pytest.raises(Exception, match="cannot exceed"):
        deals.milestone_record(
            actor=negotiator, milestone_id=milestone.pk, delivered_usd=Decimal(1), verified_usd=Decimal(2)
        )
    with pytest.raises(Exception, match="Say why"):
        deals.milestone_waive(actor=negotiator, milestone_id=milestone.pk, reason="  ")

    milestone.refresh_from_db()
    assert (milestone.delivered_usd, milestone.waived_at) == (Decimal(0), None)
    assert AuditEvent.objects.count() == events
