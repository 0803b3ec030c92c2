"""LPP notifications: accepted only while `lpp_eligible`, counted per consignee across exporters, never drawn."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agreements.models import Country, LedgerEntry
from agreements.selectors import party_match
from agreements.units import H100_TPP
from licensing import selectors, services
from licensing.errors import NotificationRefused
from licensing.models import LppNotification
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

THRESHOLD = 26_900_000  # seeded policy: ≈ 1,699 H100e per consignee and calendar year


def refused(**kwargs):
    kwargs.setdefault("exporter", make_user("exporter"))
    before = f.db_state()
    with pytest.raises(NotificationRefused) as raised:
        f.notify(**kwargs)
    assert f.db_state() == before
    return raised.value


def test_an_lpp_eligible_notification_is_accepted_and_draws_on_no_allotment():
    exporter = make_user("exporter", organisation="Small Exporter Ltd")
    before = f.db_state()
    notification = f.notify(exporter, consignee="  Small Co ", quantity=1000)
    assert notification.organisation.name == "Small Exporter Ltd"
    assert (notification.consignee, notification.consignee_key) == ("Small Co", "small")  # "Co" ignored
    assert (notification.total_tpp, notification.year) == (1000 * H100_TPP, timezone.now().year)
    assert notification.determination["outcome"] == "lpp_eligible"
    assert [(line.product.name, line.quantity) for line in notification.lines.all()] == [("H100 SXM", 1000)]
    after = f.db_state()
    assert after["committed"] == before["committed"]
    assert after["agreements.LedgerEntry"] == before["agreements.LedgerEntry"]
    event = AuditEvent.objects.get(verb="notification.filed", target_id=str(notification.pk))
    assert event.payload == {
        "consignee": "Small Co",
        "party": notification.consignee_party_id,
        "total_tpp": 1000 * H100_TPP,
        "year": notification.year,
    }


def test_the_threshold_is_counted_across_exporters_and_spellings_of_the_consignee():
    first = make_user("exporter", organisation="First Chips Inc.")
    second = make_user("exporter", organisation="Second Chips GmbH")
    third = make_user("exporter", organisation="Third Chips KK")
    f.notify(first, consignee="Small Co", quantity=1000)
    f.notify(second, consignee="small co.", quantity=699)  # 1,699 H100 in all: still within the threshold
    party = party_match("SMALL  CO", "IN")
    assert selectors.consignee_lpp_usage(party.pk, timezone.now().year) == (1699 * H100_TPP, THRESHOLD)
    error = refused(exporter=third, consignee="S.M.A.L.L. Co", quantity=1)
    assert "apply for a licence" in error.message
    assert error.extra["outcome"] == "licence_required"
    f.notify(third, consignee="Another Co", quantity=1)  # another consignee has its own threshold


def test_one_notification_over_the_threshold_is_refused_with_the_way_forward():
    error = refused(quantity=1700)
    assert "Over the LPP threshold" in error.message and "apply for a licence" in error.message
    f.notify(quantity=1699)


def test_uncontrolled_items_need_no_notification():
    error = refused(name="H20", quantity=10_000)
    assert "Not controlled" in error.message
    assert error.extra["outcome"] == "not_controlled"


def test_nothing_is_notified_to_macau():
    """LPP is not available for Tier 3 / D:5 / Macau: a licence, presumption of denial (SPEC § 3.1 step 4)."""
    error = refused(destination="MO", quantity=1)
    assert error.message.startswith("Apply for a licence: MO is in Tier 3")
    assert error.extra["outcome"] == "licence_required"


def test_nothing_is_notified_to_an_embargoed_destination():
    error = refused(destination="IR", quantity=1)
    assert "Prohibited" in error.message and "E:1/E:2" in error.message
    assert error.extra["outcome"] == "prohibited"


def test_an_end_user_headquartered_in_tier_3_needs_a_licence():
    with pytest.raises(NotificationRefused, match="headquartered in Tier 3"):
        services.notification_file(
            actor=make_user("exporter"),
            destination=Country.objects.get(code="IN"),
            consignee="Front Co",
            end_user_hq=[Country.objects.get(code="CN")],
            items=[{"product": f.product(), "quantity": 1}],
        )
    assert not LppNotification.objects.exists()


def test_a_tier_1_destination_needs_no_notification():
    error = refused(destination="JP", quantity=1)
    assert "No licence or notification" in error.message


def test_under_the_global_regime_a_threshold_of_zero_leaves_no_exception():
    f.switch_to_global(lpp_threshold_tpp=0)
    assert "apply for a licence" in refused(quantity=1).message


def test_last_years_notifications_do_not_count_this_year():
    last_year = timezone.now().replace(year=timezone.now().year - 1, month=6, day=1)
    with mock.patch("django.utils.timezone.now", return_value=last_year):
        f.notify(quantity=1699)
    f.notify(quantity=1699)
    assert LppNotification.objects.filter(consignee_key="small").count() == 2


def test_notifications_never_touch_allotments_even_after_many():
    exporter = make_user("exporter")
    for consignee in ("A Co", "B Co", "C Co"):
        f.notify(exporter, consignee=consignee, quantity=1699)
    assert f.tier2_allotment().committed_tpp == 0
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("role", ["licensing_officer", "approving_official", "policy_admin", "negotiator"])
def test_only_exporters_notify(role):
    user = make_user(role)
    before = f.db_state()
    with pytest.raises(PermissionDenied):
        f.notify(user)
    assert f.db_state() == before


@pytest.mark.parametrize(("consignee", "items"), [("  ", [("H100 SXM", 1)]), ("Small Co", [])])
def test_a_consignee_and_items_are_required(consignee, items):
    exporter = make_user("exporter")
    before = f.db_state()
    with pytest.raises(ValidationError):
        services.notification_file(
            actor=exporter,
            destination=Country.objects.get(code="IN"),
            consignee=consignee,
            end_user_hq=[],
            items=[{"product": f.product(name), "quantity": qty} for name, qty in items],
        )
    assert f.db_state() == before


def test_the_notification_year_follows_the_clock():
    new_year = datetime.datetime(timezone.now().year + 1, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)
    f.notify(quantity=1699)
    with mock.patch("django.utils.timezone.now", return_value=new_year):
        notification = f.notify(quantity=1699)
    assert notification.year == new_year.year
