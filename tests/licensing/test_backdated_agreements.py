"""A determination at instant t reads the agreement's status as it took effect, which may be before it was recorded
(SPEC § 3: "status changes carry the instant they took effect, which may lie in the past")."""

import datetime

import pytest
from django.utils import timezone

from agreements import services as agreements_services
from agreements.models import Country
from agreements.units import H100_TPP
from licensing import determination as engine
from licensing import selectors

pytestmark = pytest.mark.django_db

ALLOCATION = 790_000_000


def backdated_agreement(country: str, *, in_force_at: datetime.datetime):
    start = (in_force_at - datetime.timedelta(days=60)).date()
    agreement = agreements_services.agreement_create(
        actor=None,
        country=Country.objects.get(code=country),
        reference=f"G2G-{country}-BACK",
        title="Ratified some time ago",
        valid_from=start,
        valid_until=start.replace(year=start.year + 3),
        terms={"government_assurances": True},
    )
    for step, before in (("start_negotiation", 20), ("sign", 10), ("enter_into_force", 0)):
        agreement = getattr(agreements_services, f"agreement_{step}")(
            actor=None, agreement=agreement, effective_at=in_force_at - datetime.timedelta(days=before)
        )
    return agreement


def asked_at(at: datetime.datetime) -> engine.Determination:
    request = engine.Request(
        destination="AE",
        lines=(engine.Line(product_id=1, quantity=5_000, unit_tpp=H100_TPP, controlled=True, label="H100"),),
        consignee="Gulf Lab",
        end_users=("Gulf Lab",),
        end_user_hq=("AE",),
        end_use_category="commercial_datacenter",
        at=at,
    )
    return selectors.determine(request)


def test_an_agreement_entered_into_force_at_a_past_instant_is_in_force_after_it_and_not_before():
    in_force_at = timezone.now() - datetime.timedelta(days=30)
    agreement = backdated_agreement("AE", in_force_at=in_force_at)

    after = asked_at(in_force_at + datetime.timedelta(days=1))
    assert after.agreement_id == agreement.pk
    assert after.allotment_remaining_tpp == 2 * ALLOCATION  # the Tier 2 allocation, uplifted while in force

    before = asked_at(in_force_at - datetime.timedelta(days=1))
    assert before.agreement_id is None
    assert before.allotment_remaining_tpp == ALLOCATION
