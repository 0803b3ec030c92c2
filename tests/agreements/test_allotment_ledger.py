"""The quota ledger (SPEC § 2): reserve and release are the only ways quota moves, and refusals move nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Sum
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.choices import AllotmentSource, LedgerKind
from agreements.errors import AllotmentExhausted
from agreements.models import Allotment, LedgerEntry
from agreements.selectors import allotment_usage, remaining_tpp
from agreements.units import H100_TPP
from portal.models import AuditEvent
from tests.agreements.factories import make_agreement, make_negotiator, period, this_year
from tests.factories import make_user

H100 = H100_TPP
CAPACITY = 1_000 * H100
TIER2_ALLOCATION = 790_000_000

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are made with a password; hashing it a million times per test buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def official():
    return make_user("approving_official")


@pytest.fixture
def allotment():
    """The allotment of an agreement with India in force: 1,000 H100e for this year."""
    agreement = make_agreement(S.IN_FORCE)
    return Allotment.objects.get(agreement=agreement)


def reserve(allotment, tpp, reference="L-1", actor=None, consignee="gulf compute llc"):
    return services.allotment_reserve(
        actor=actor, allotment_id=allotment.pk, tpp=tpp, consignee=consignee, reference=reference
    )


def release(allotment, tpp, reference="L-1", actor=None, consignee="gulf compute llc"):
    return services.allotment_release(
        actor=actor, allotment_id=allotment.pk, tpp=tpp, consignee=consignee, reference=reference
    )


def ledger_net(allotment) -> int:
    totals = dict(
        LedgerEntry.objects.filter(allotment=allotment)
        .values_list("kind")
        .annotate(t=Sum("tpp"))
        .values_list("kind", "t")
    )
    return totals.get(LedgerKind.RESERVE, 0) - totals.get(LedgerKind.RELEASE, 0)


def untouched(allotment) -> tuple[int, int, int]:
    allotment.refresh_from_db()
    return allotment.committed_tpp, LedgerEntry.objects.count(), AuditEvent.objects.count()


def test_reserve_and_release_move_committed_and_remaining_with_the_ledger(allotment, official):
    reserve(allotment, 300 * H100, "L-1", actor=official)
    reserve(allotment, 200 * H100, "L-2", actor=official)
    entry = release(allotment, 100 * H100, "L-1", actor=official)
    allotment.refresh_from_db()
    now = timezone.now()
    assert allotment.committed_tpp == 400 * H100
    assert remaining_tpp(allotment, now) == 600 * H100
    assert allotment.capacity_tpp - remaining_tpp(allotment, now) == ledger_net(allotment) == 400 * H100
    assert (entry.kind, entry.tpp, entry.reference, entry.actor) == (LedgerKind.RELEASE, 100 * H100, "L-1", official)
    assert list(LedgerEntry.objects.filter(allotment=allotment).values_list("kind", "tpp")) == [
        (LedgerKind.RESERVE, 300 * H100),
        (LedgerKind.RESERVE, 200 * H100),
        (LedgerKind.RELEASE, 100 * H100),
    ]


def test_exactly_what_remains_can_be_reserved(allotment):
    reserve(allotment, CAPACITY - 1, "L-1")
    reserve(allotment, 1, "L-2")
    allotment.refresh_from_db()
    assert remaining_tpp(allotment, timezone.now()) == 0
    assert allotment_usage([allotment])[0].remaining_tpp == 0


def test_a_reserve_beyond_what_remains_is_refused_and_writes_nothing(allotment):
    reserve(allotment, 900 * H100, "L-1")
    before = untouched(allotment)
    with pytest.raises(AllotmentExhausted) as refused:
        reserve(allotment, 100 * H100 + 1, "L-2")
    assert refused.value.extra == {"remaining_tpp": 100 * H100}
    assert "100.00 H100e" in refused.value.message
    assert untouched(allotment) == before


@pytest.mark.parametrize("tpp", [0, -H100])
def test_a_non_positive_amount_is_refused_and_writes_nothing(allotment, tpp):
    reserve(allotment, H100, "L-1")
    before = untouched(allotment)
    with pytest.raises(ValidationError):
        reserve(allotment, tpp, "L-2")
    with pytest.raises(ValidationError):
        release(allotment, tpp, "L-1")
    assert untouched(allotment) == before


def test_a_release_beyond_what_its_reference_holds_is_refused_and_writes_nothing(allotment):
    reserve(allotment, 300 * H100, "L-1")
    reserve(allotment, 300 * H100, "L-2")
    release(allotment, 100 * H100, "L-1")
    before = untouched(allotment)
    with pytest.raises(ValidationError, match="holds"):
        release(allotment, 200 * H100 + 1, "L-1")  # L-1 holds 200 H100e; L-2's draw is not L-1's to give back
    with pytest.raises(ValidationError):
        release(allotment, 1, "L-unknown")
    assert untouched(allotment) == before


def test_a_capacity_renegotiated_below_what_is_committed_shows_nothing_remaining_and_refuses_draws(allotment):
    negotiator = make_negotiator()
    reserve(allotment, 800 * H100, "L-1")
    start, end = this_year()
    services.amendment_create(
        actor=negotiator,
        agreement=allotment.agreement,
        effective_from=timezone.localdate(),
        reason="Capacity cut after diversion finding",
        terms={"allotments": [period(start, end, 500 * H100)]},
    )
    allotment.refresh_from_db()
    usage = allotment_usage([allotment])[0]
    assert (allotment.capacity_tpp, allotment.committed_tpp) == (500 * H100, 800 * H100)  # existing draws stay
    assert remaining_tpp(allotment, timezone.now()) == usage.remaining_tpp == 0  # never negative
    before = untouched(allotment)
    with pytest.raises(AllotmentExhausted):
        reserve(allotment, 1, "L-2")
    assert untouched(allotment) == before
    release(allotment, 400 * H100, "L-1")  # a revoked licence gives back its unshipped part
    allotment.refresh_from_db()
    assert remaining_tpp(allotment, timezone.now()) == 100 * H100


def test_the_tier2_allocation_doubles_while_an_agreement_with_the_country_is_in_force(official):
    allocation = Allotment.objects.get(country_id="IN", source=AllotmentSource.TIER_ALLOCATION)
    assert remaining_tpp(allocation, timezone.now()) == TIER2_ALLOCATION
    assert allotment_usage([allocation])[0].uplifted is False

    agreement = make_agreement(S.IN_FORCE)
    usage = allotment_usage([allocation])[0]
    assert (usage.capacity_tpp, usage.uplifted) == (2 * TIER2_ALLOCATION, True)
    reserve(allocation, TIER2_ALLOCATION + 1, "L-big", actor=official)  # only possible with the uplift
    allocation.refresh_from_db()
    assert remaining_tpp(allocation, timezone.now()) == TIER2_ALLOCATION - 1

    services.agreement_suspend(actor=None, agreement=agreement, reason="Diversion under investigation")
    usage = allotment_usage([allocation])[0]
    assert (usage.capacity_tpp, usage.uplifted, usage.remaining_tpp) == (TIER2_ALLOCATION, False, 0)
    with pytest.raises(AllotmentExhausted):
        reserve(allocation, 1, "L-next")


def test_an_agreement_elsewhere_does_not_uplift_india(official):
    make_agreement(S.IN_FORCE, country="AE")
    allocation = Allotment.objects.get(country_id="IN", source=AllotmentSource.TIER_ALLOCATION)
    assert allotment_usage([allocation])[0].capacity_tpp == TIER2_ALLOCATION


def test_the_uplift_follows_the_agreement_in_force_at_the_instant_asked(official):
    make_agreement(S.IN_FORCE, valid_from=timezone.localdate())
    allocation = Allotment.objects.get(country_id="IN", source=AllotmentSource.TIER_ALLOCATION)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    assert remaining_tpp(allocation, yesterday) == TIER2_ALLOCATION
    assert remaining_tpp(allocation, timezone.now()) == 2 * TIER2_ALLOCATION


def test_the_ledger_cannot_be_rewritten(allotment):
    entry = reserve(allotment, H100, "L-1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(tpp=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).tpp == H100
