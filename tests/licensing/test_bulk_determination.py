"""Determinations in bulk (licensing.bulk) answer exactly as the single determination does: for every pending
application of a seeded world — tiered, global and baseline regimes, proposals opening a Tier 2 period, programmes,
party caps, LPP use, parent chains — the same outcome, presumption, rules, allotment and remaining, texts and all."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import selectors as agreements_selectors
from agreements import services as agreements_services
from agreements.models import Party
from agreements.selectors import policy_in_force
from agreements.units import H100_TPP
from licensing import bulk, selectors, services
from licensing.choices import PENDING_APPLICATION_STATUSES
from licensing.models import Application
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

FALCON = {"name": "Falcon Compute", "country": "QA", "hq_country": "QA"}


def _capped_agreement() -> None:
    """QA: an agreement in force whose allotment caps Falcon Compute at 2,000 H100e of 10,000."""
    f.capped_agreement("QA", party=FALCON)


def _submitted_under_programme(exporter, **kwargs) -> Application:
    """To China, affirming what the programme that applies asks."""
    application = f.draft(exporter, destination="CN", **kwargs)
    affirmed = [c.id for c in selectors.certifications_to_affirm(application)]
    return services.application_submit(
        actor=exporter, application=application, declaration=True, certifications=affirmed
    )


@pytest.fixture
def world():
    """seed_bulk's mix of tiers and statuses, then the cases it does not make: a capped party, a consignee with LPP
    use, a programme export, a scoped-in chip, an end user owned from China, an agreement with the uplift."""
    call_command("seed_bulk", applications=120, batch_size=60, stdout=StringIO())
    exporter = make_user("exporter", organisation="Bulk Equality Ltd")
    _capped_agreement()
    f.agreement_in_force("AE", capacity_tpp=50_000 * H100_TPP)
    f.approved(exporter, destination="QA", quantity=500, consignee="Falcon Compute")  # draws on Falcon's cap
    f.submitted(exporter, destination="QA", quantity=1_000, consignee="Falcon Compute")
    f.under_review(exporter, destination="QA", quantity=800, consignee="Doha Cloud")
    f.submitted(exporter, destination="AE", quantity=3_000, consignee="Gulf Lab")
    f.notify(exporter, destination="IN", consignee="Small Co", quantity=1_000)
    f.submitted(exporter, destination="IN", quantity=1_200, consignee="Small Co")  # LPP used this year counts
    _submitted_under_programme(exporter, items=[("H200 SXM", 100)], consignee="Shanghai Compute")
    _submitted_under_programme(exporter, items=[("H20", 500)], consignee="Beijing Compute")
    owned = f.submitted(exporter, destination="MY", quantity=2_000, consignee="Lion City Compute")
    parent = Party.objects.create(
        name="Dragon Holdings",
        normalised_name="dragonholdings",
        country_id="CN",
        hq_country_id="CN",
        created_at=timezone.now(),
    )
    Party.objects.filter(pk__in=owned.parties.values("party_id")).update(ultimate_parent=parent)


def _pending() -> list[Application]:
    return list(
        Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES)
        .prefetch_related("parties", "lines__product__chip")
        .order_by("submitted_at", "id")
    )


def _proposals():
    base = policy_in_force()
    today = timezone.localdate()
    next_year = datetime.date(today.year + 1, 1, 1)
    return [
        None,
        agreements_services.proposed_policy(base=base, kind="tiered", g2g_uplift=3, lpp_threshold_tpp=2_000 * H100_TPP),
        agreements_services.proposed_policy(
            base=base, kind="tiered", tier2_period_start=today, tier2_period_end=next_year, tier2_allocation_tpp=10**9
        ),
        agreements_services.proposed_policy(base=base, kind="global", lpp_threshold_tpp=0),
        agreements_services.proposed_policy(base=base, kind="global"),
        agreements_services.proposed_policy(base=base, kind="baseline"),
    ]


def _assert_same_answers() -> int:
    now = timezone.now()
    applications = _pending()
    cases = bulk.pending_cases(now)
    assert [case.id for case in cases] == [application.pk for application in applications]
    for case, application in zip(cases, applications, strict=True):
        assert case.request == selectors.application_request(application, at=now)
    compared = 0
    for proposal in _proposals():
        answers = bulk.determine_many([case.request for case in cases], policy=proposal)
        for case, answer in zip(cases, answers, strict=True):
            single = selectors.determine(case.request, policy=proposal)
            assert answer == single, (case.acn, proposal and proposal.kind, answer, single)
            compared += 1
    return compared


def test_bulk_and_single_determinations_agree_on_every_pending_application_under_every_regime(world):
    pending = Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES).count()
    assert pending >= 40  # the seeded mix, and the cases added above
    assert _assert_same_answers() == 6 * pending
    f.switch_to_global()  # the global regime in force: installations and the agreements' own allotments count
    assert _assert_same_answers() == 6 * pending


def test_the_answers_cover_every_kind_of_case(world):
    """Not a vacuous comparison: the world holds tiered, global and baseline answers, programmes, caps and LPP."""
    now = timezone.now()
    cases = bulk.pending_cases(now)
    rules = set()
    for proposal in _proposals():
        for answer in bulk.determine_many([case.request for case in cases], policy=proposal):
            rules |= {reason.rule for reason in answer.reasons}
    expected = {
        "tiered.allocation",
        "global.allotment",
        "global.no_agreement",
        "global.party_cap",
        "baseline.d1_d4",
        "programme.case_by_case",
        "programme.scope_in",
        "common.tier3_end_user_hq",
    }
    assert expected <= rules, expected - rules


def test_a_batch_takes_a_constant_number_of_queries(world):
    """The same questions asked five times over cost no query more; every fact is read once per batch."""
    requests = [case.request for case in bulk.pending_cases(timezone.now())]
    with CaptureQueriesContext(connection) as once:
        bulk.determine_many(requests)
    with CaptureQueriesContext(connection) as five_times:
        bulk.determine_many(requests * 5)
    assert len(five_times) == len(once) <= 20


@pytest.mark.parametrize("on", [datetime.date(2025, 6, 1), datetime.date(2026, 3, 1)])
def test_country_facts_in_one_query_are_the_tiers_groups_and_us_of_the_three_selectors(on):
    codes = {"US", "PR", "GU", "CN", "HK", "MO", "IN", "AE", "DE", "KH", "CY", "SD", "IR"}
    with CaptureQueriesContext(connection) as one:
        facts = agreements_selectors.country_facts_on(codes, on)
    assert len(one) == 1
    assert facts.tiers == agreements_selectors.tiers_on(codes, on)
    assert facts.groups == agreements_selectors.groups_on(codes, on)
    assert facts.counting_as_us == agreements_selectors.countries_counting_as_us(codes) == {"US", "PR", "GU"}


def test_reading_whole_tables_for_big_batches_gives_the_same_answers(world, monkeypatch):
    """Past WHOLE_TABLE_ABOVE ids a batch reads every party, LPP total and installation instead of an IN list."""
    monkeypatch.setattr(bulk, "WHOLE_TABLE_ABOVE", 0)
    f.switch_to_global()
    pending = Application.objects.filter(status__in=PENDING_APPLICATION_STATUSES).count()
    assert _assert_same_answers() == 6 * pending
