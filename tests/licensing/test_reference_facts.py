"""The reference facts kept across requests (licensing.reference_facts, portal.reference_stamp): a determination
reads none of their tables while they are unchanged, sees a programme edit, a policy switch or an agreement's
status or terms changed on the next request, is never poisoned by a write rolled back, and answers exactly as
reading every table does."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import deal_selectors
from agreements import selectors as agreements_selectors
from agreements import services as agreements_services
from agreements.models import Agreement, AgreementStatusChange, TermsVersion, TierMembership
from licensing import selectors
from licensing.models import Product, ProgrammeVersion
from licensing.reference_facts import reference_facts
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.test_bulk_determination import _pending, _proposals, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

CHINA_RULE = "FR Doc 2026-00789"
REFERENCE_TABLES = (
    "agreements_policy",
    "agreements_tiermembership",
    "agreements_countrygroupmembership",
    '"agreements_country"',
    "licensing_product",
    "licensing_programme",
    'FROM "agreements_agreement"',  # the allotment's query orders by its agreement (a join), which is no read of it
    "agreements_agreementstatuschange",
    "agreements_termsversion",
    "agreements_investmentmilestone",
)


@pytest.fixture
def exporter(client_for):
    return client_for("exporter")


PRODUCT_IDS: dict[str, int] = {}


def ask(client, destination="CN", product="H200 SXM", quantity=100):
    if product not in PRODUCT_IDS:  # the catalogue's ids are the migration's: read once, outside the counts
        PRODUCT_IDS[product] = Product.objects.get(name=product).pk
    body = {
        "destination": destination,
        "items": [{"product": PRODUCT_IDS[product], "quantity": quantity}],
        "consignee": "Lotus Compute",
        "end_use_category": "commercial_datacenter",
    }
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_second_determination_reads_no_reference_table(exporter):
    ask(exporter)
    with CaptureQueriesContext(connection) as second:
        result = ask(exporter)
    assert result["programme"]["citation"] == CHINA_RULE
    read = [q["sql"] for q in second if any(table in q["sql"] for table in REFERENCE_TABLES)]
    assert read == []
    assert len(second) <= 3  # the stamp, the consignee's match, the allotment (no caps bind it)


def test_a_programme_edit_is_seen_by_the_next_determination(exporter):
    assert ask(exporter)["programme"]["conditions"] == list(
        ProgrammeVersion.objects.get(programme__citation=CHINA_RULE, effective_until__isnull=True).conditions
    )
    version = ProgrammeVersion.objects.get(programme__citation=CHINA_RULE, effective_until__isnull=True)
    version.conditions = [*version.conditions, "Quarterly site report."]
    version.save()
    assert "Quarterly site report." in ask(exporter)["conditions"]


def test_a_programme_ended_by_a_bulk_update_is_seen_too(exporter):
    assert ask(exporter)["programme"] is not None
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ProgrammeVersion.objects.filter(programme__citation=CHINA_RULE, effective_until__isnull=True).update(
        effective_until=yesterday
    )
    assert ask(exporter)["programme"] is None


def test_a_policy_switch_is_seen_by_the_next_determination(exporter):
    assert ask(exporter, destination="IN", product="H100 SXM", quantity=1700)["regime"] == "tiered"
    f.switch_to_global()
    assert ask(exporter, destination="IN", product="H100 SXM", quantity=1700)["regime"] == "global"


def test_an_agreement_suspended_is_seen_by_the_next_determination(exporter):
    agreement = f.agreement_in_force("IN")
    question = {"destination": "IN", "product": "H100 SXM", "quantity": 1700}
    assert ask(exporter, **question)["agreement"] == agreement.pk
    agreements_services.agreement_suspend(actor=None, agreement=agreement, reason="Talks paused")
    assert ask(exporter, **question)["agreement"] is None


def test_terms_changed_by_a_bulk_update_are_seen_too(exporter):
    agreement = f.agreement_in_force("IN")
    f.switch_to_global()
    question = {"destination": "IN", "product": "H100 SXM", "quantity": 1700}
    assert "Compute-usage reports to BIS" in ask(exporter, **question)["conditions"]
    TermsVersion.objects.filter(agreement=agreement).update(security_conditions=["Quarterly site inspection"])
    conditions = ask(exporter, **question)["conditions"]
    assert "Quarterly site inspection" in conditions and "Compute-usage reports to BIS" not in conditions


def test_the_kept_agreements_answer_as_their_tables_at_every_instant():
    """An agreement in force, suspended, resumed, amended from a later date, with a milestone falling due: the
    agreement, terms version and overdue milestones in force at each instant, kept and read, are the same."""
    today = timezone.localdate()
    agreement = f.agreement_in_force("IN")
    f.agreement_in_force("IN")  # a second one: the newest in force is the one that applies
    agreements_services.amendment_create(
        actor=None,
        agreement=agreement,
        effective_from=today + datetime.timedelta(days=10),
        reason="Reciprocal investment schedule",
        terms={
            "investment_milestones": [
                {"description": "Phase one", "amount_usd": Decimal("1E8"), "due_on": today + datetime.timedelta(days=5)}
            ]
        },
    )
    agreements_services.agreement_suspend(actor=None, agreement=agreement, reason="Talks paused")
    agreements_services.agreement_resume(actor=None, agreement=agreement, reason="Talks resumed")
    reference = reference_facts()
    now = timezone.now()
    instants = [now + datetime.timedelta(days=days) for days in (-400, -1, 0, 6, 11, 2000)]
    instants += [change.at for change in AgreementStatusChange.objects.all()]
    for at in instants:
        kept = reference.agreement_in_force("IN", at)
        assert kept == agreements_selectors.agreement_in_force("IN", at), at
        for candidate in Agreement.objects.all():
            terms = reference.terms_in_force(candidate, at.date())
            assert terms == agreements_selectors.terms_in_force(candidate, at.date()), at
            assert reference.overdue_milestones(candidate, terms.version, at) == deal_selectors.overdue_milestones(
                candidate, terms.version, at
            ), at


def test_a_rolled_back_write_does_not_poison_what_is_kept(exporter):
    """Inside the transaction the determination sees its own write (and keeps it under that write's stamp);
    rolled back, the stamp is the one before it again, and the next determination reads the committed tiers."""
    question = {"destination": "IN", "product": "H100 SXM", "quantity": 1700}
    assert ask(exporter, **question)["presumption"] == "approval"

    class RolledBack(Exception):
        """Raised to roll the transaction back."""

    with pytest.raises(RolledBack), transaction.atomic():
        TierMembership.objects.create(
            country_id="IN", tier=3, effective_from=timezone.localdate(), source="rolled back"
        )
        during = ask(exporter, **question)
        assert (during["presumption"], during["allotment"]) == ("denial", None)
        assert "common.tier3_destination" in [reason["rule"] for reason in during["reasons"]]
        raise RolledBack
    after = ask(exporter, **question)
    assert after["presumption"] == "approval"
    assert "common.tier3_destination" not in [reason["rule"] for reason in after["reasons"]]


def test_the_kept_facts_give_the_answers_reading_every_table_gives(world):  # noqa: F811
    """Every pending application of the seeded world, under the policy in force and every kind of proposal, then
    under the global regime: the determination from kept facts equals the one from the tables."""
    now = timezone.now()
    compared = 0
    for _ in range(2):
        for proposal in _proposals():
            for application in _pending():
                request = selectors.application_request(application, at=now)
                kept = selectors.determine(request, policy=proposal)
                read = selectors.determine(request, policy=proposal, cached=False)
                assert kept == read, (application.acn, proposal and proposal.kind)
                compared += 1
        f.switch_to_global()
        now = timezone.now()
    assert compared >= 2 * 6 * 40


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a second connection reads while the first's write is uncommitted, which SQLite's "
    "shared in-memory test database refuses (table locked)",
)
def test_another_connection_keeps_reading_the_committed_facts_until_the_write_commits():
    """A writer's uncommitted programme edit is invisible to a determination on another connection (its stamp is
    not yet committed either); once committed, the next determination there sees it."""
    request = selectors.application_request(
        f.draft(make_user("exporter"), destination="CN", items=[("H200 SXM", 100)]), at=timezone.now()
    )
    assert selectors.determine(request).programme is not None
    written, release, seen = threading.Event(), threading.Event(), {}

    def writer() -> None:
        try:
            with transaction.atomic():
                ProgrammeVersion.objects.filter(programme__citation=CHINA_RULE).update(
                    effective_until=timezone.localdate() - datetime.timedelta(days=1)
                )
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    seen["during"] = selectors.determine(request).programme
    release.set()
    thread.join(10)
    seen["after"] = selectors.determine(request).programme
    assert seen["during"] is not None
    assert seen["after"] is None
