"""Licences after issue: shipments, suspension, reinstatement, revocation and expiry, with their quota effects."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from agreements.models import LedgerEntry
from agreements.units import H100_TPP
from licensing import services
from licensing.choices import LicenceStatus as L
from licensing.errors import ShipmentRefused
from licensing.models import Licence
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def ship(licence, quantity, *, on=None, name="H100 SXM", actor=None):
    return services.shipment_report(
        actor=actor or licence.application.created_by,
        licence=licence,
        shipped_on=on or timezone.localdate(),
        items=[{"product": f.product(name), "quantity": quantity}],
    )


def licence_events(licence, verb=None):
    events = AuditEvent.objects.filter(target_type="licensing.licence", target_id=str(licence.pk))
    return events.filter(verb=verb) if verb else events


def refused(error, call, *args, **kwargs):
    before = f.db_state()
    with pytest.raises(error) as raised:
        call(*args, **kwargs)
    assert f.db_state() == before
    return raised.value


def releases(licence):
    return list(LedgerEntry.objects.filter(reference=licence.number, kind="release").values_list("tpp", flat=True))


# Shipments


def test_a_shipment_counts_against_its_line_and_the_last_one_exhausts_the_licence():
    licence = f.licence(quantity=5000)
    ship(licence, 3000)
    licence.refresh_from_db()
    line = licence.lines.get()
    assert (licence.status, line.shipped_quantity, line.remaining_quantity) == (L.ACTIVE, 3000, 2000)
    event = licence_events(licence, "licence.shipped").get()
    assert event.payload == {"shipped_on": timezone.localdate().isoformat(), "items": {str(f.product().pk): 3000}}

    ship(licence, 2000)
    licence.refresh_from_db()
    assert licence.status == L.EXHAUSTED
    assert licence_events(licence, "licence.exhausted").exists()
    assert f.tier2_allotment().committed_tpp == 5000 * H100_TPP  # shipped quota stays drawn
    assert licence.shipments.count() == 2


def test_lines_of_one_product_in_one_report_are_added_up():
    licence = f.licence(quantity=5000)
    services.shipment_report(
        actor=licence.application.created_by,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": f.product(), "quantity": 1000}, {"product": f.product(), "quantity": 500}],
    )
    assert licence.lines.get().shipped_quantity == 1500


def test_shipping_more_than_remains_is_refused():
    licence = f.licence(quantity=5000)
    ship(licence, 4000)
    error = refused(ShipmentRefused, ship, licence, 1001)
    assert "1,001 exceeds the 1,000 still licensed" in error.message


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        pytest.param(-1, "validity", id="before-valid-from"),
        pytest.param(+1, "future", id="in-the-future"),
    ],
)
def test_a_shipment_date_outside_the_validity_or_ahead_of_today_is_refused(shift, message):
    licence = f.licence()
    error = refused(ValidationError, ship, licence, 1, on=timezone.localdate() + shift * DAY)
    assert message in str(error.message_dict["shipped_on"])


def test_a_shipment_after_the_licence_ran_out_is_refused():
    licence = f.licence()
    today = timezone.localdate()
    Licence.objects.filter(pk=licence.pk).update(valid_from=today - 30 * DAY, valid_until=today - 10 * DAY)
    refused(ValidationError, ship, licence, 1, on=today - 9 * DAY)
    ship(licence, 1, on=today - 10 * DAY)  # the last day of validity is still inside it


def test_a_product_not_on_the_licence_is_refused():
    licence = f.licence()
    error = refused(ValidationError, ship, licence, 1, name="H200 SXM")
    assert "not licensed" in str(error)


def test_an_uncontrolled_line_is_never_shipped_under_the_licence():
    licence = f.licence(items=[("H100 SXM", 100), ("H20", 100)])
    refused(ValidationError, ship, licence, 1, name="H20")


def test_a_suspended_licence_takes_no_shipments_until_reinstated():
    licence = f.licence()
    official = make_user("approving_official")
    services.licence_suspend(actor=official, licence=licence, reason="Audit pending")
    error = refused(ShipmentRefused, ship, licence, 1)
    assert "suspended" in error.message
    services.licence_reinstate(actor=official, licence=licence, reason="Audit passed")
    ship(licence, 1)
    assert licence.lines.get().shipped_quantity == 1


def test_a_revoked_licence_takes_no_shipments():
    licence = f.licence()
    services.licence_revoke(actor=make_user("approving_official"), licence=licence, reason="Diversion")
    refused(InvalidTransition, ship, licence, 1)


def test_an_exhausted_or_expired_licence_takes_no_shipments():
    exhausted = f.licence(quantity=10)
    ship(exhausted, 10)
    refused(InvalidTransition, ship, exhausted, 1)
    expired = f.licence(quantity=10)
    Licence.objects.filter(pk=expired.pk).update(status=L.EXPIRED)
    refused(InvalidTransition, ship, expired, 1)


def test_only_the_licensee_reports_shipments():
    licence = f.licence()
    rival = make_user("exporter", organisation="Rival Chips")
    official = make_user("approving_official")
    refused(Licence.DoesNotExist, ship, licence, 1, actor=rival)
    refused(PermissionDenied, ship, licence, 1, actor=official)


# Suspension, reinstatement, revocation


@pytest.mark.parametrize("name", ["licence_suspend", "licence_revoke"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_suspension_and_revocation_need_a_reason(name, reason):
    licence = f.licence()
    official = make_user("approving_official")
    error = refused(ValidationError, getattr(services, name), actor=official, licence=licence, reason=reason)
    assert "reason" in error.message_dict


def test_reinstatement_needs_a_reason():
    licence = f.licence()
    official = make_user("approving_official")
    services.licence_suspend(actor=official, licence=licence, reason="Audit")
    refused(ValidationError, services.licence_reinstate, actor=official, licence=licence, reason="")


@pytest.mark.parametrize("role", ["licensing_officer", "policy_admin", "exporter"])
@pytest.mark.parametrize("name", ["licence_suspend", "licence_revoke"])
def test_only_an_approving_official_suspends_or_revokes(role, name):
    licence = f.licence()
    user = licence.application.created_by if role == "exporter" else make_user(role)
    refused(PermissionDenied, getattr(services, name), actor=user, licence=licence, reason="Because")


def test_suspension_keeps_the_quota_and_reinstatement_restores_the_licence():
    licence = f.licence(quantity=5000)
    official = make_user("approving_official")
    services.licence_suspend(actor=official, licence=licence, reason=" Audit pending ")
    licence.refresh_from_db()
    assert (licence.status, licence.status_reason) == (L.SUSPENDED, "Audit pending")
    assert f.tier2_allotment().committed_tpp == 5000 * H100_TPP and releases(licence) == []
    assert licence_events(licence, "licence.suspended").get().payload == {
        "from": "active",
        "reason": "Audit pending",
        "released_tpp": 0,
    }
    refused(InvalidTransition, services.licence_suspend, actor=official, licence=licence, reason="Again")
    services.licence_reinstate(actor=official, licence=licence, reason="Audit passed")
    licence.refresh_from_db()
    assert licence.status == L.ACTIVE
    assert licence_events(licence, "licence.reinstated").get().payload["reason"] == "Audit passed"
    refused(InvalidTransition, services.licence_reinstate, actor=official, licence=licence, reason="Again")


@pytest.mark.parametrize("suspended_first", [False, True])
def test_revocation_releases_exactly_the_unshipped_quota(suspended_first):
    licence = f.licence(quantity=5000)
    official = make_user("approving_official")
    ship(licence, 1200)
    if suspended_first:
        services.licence_suspend(actor=official, licence=licence, reason="Audit")
    services.licence_revoke(actor=official, licence=licence, reason="Diversion risk")
    licence.refresh_from_db()
    assert licence.status == L.REVOKED
    assert releases(licence) == [3800 * H100_TPP]
    assert f.tier2_allotment().committed_tpp == 1200 * H100_TPP
    event = licence_events(licence, "licence.revoked").get()
    assert event.payload["released_tpp"] == 3800 * H100_TPP
    refused(InvalidTransition, services.licence_revoke, actor=official, licence=licence, reason="Twice")


def test_revoking_a_licence_with_nothing_left_releases_nothing():
    licence = f.licence(items=[("H100 SXM", 10), ("H200 SXM", 10)])
    ship(licence, 10)
    ship(licence, 9, name="H200 SXM")
    services.licence_revoke(actor=make_user("approving_official"), licence=licence, reason="Ended")
    assert releases(licence) == [1 * H100_TPP]


def test_an_exhausted_licence_cannot_be_revoked():
    licence = f.licence(quantity=10)
    ship(licence, 10)
    official = make_user("approving_official")
    refused(InvalidTransition, services.licence_revoke, actor=official, licence=licence, reason="Too late")


# Expiry


def expire_command(*args):
    out = StringIO()
    call_command("expire_licences", *args, stdout=out)
    return out.getvalue()


def test_expire_licences_expires_what_ran_out_releases_its_quota_and_is_idempotent():
    today = timezone.localdate()
    ran_out = f.licence(quantity=5000)
    ship(ran_out, 1000)
    suspended = f.licence(quantity=100, consignee="Other Lab")
    services.licence_suspend(actor=make_user("approving_official"), licence=suspended, reason="Audit")
    exhausted = f.licence(quantity=10, consignee="Third Lab")
    ship(exhausted, 10)
    current = f.licence(quantity=10, consignee="Fourth Lab")
    for licence in (ran_out, suspended, exhausted):
        Licence.objects.filter(pk=licence.pk).update(valid_until=today - DAY)
    Licence.objects.filter(pk=current.pk).update(valid_until=today)  # its last day: still valid

    out = expire_command()
    assert f"Expired {ran_out.number}" in out and f"Expired {suspended.number}" in out
    assert exhausted.number not in out and current.number not in out
    assert "2 licence(s) expired" in out
    statuses = dict(Licence.objects.values_list("number", "status"))
    assert statuses == {
        ran_out.number: L.EXPIRED,
        suspended.number: L.EXPIRED,
        exhausted.number: L.EXHAUSTED,
        current.number: L.ACTIVE,
    }
    assert releases(ran_out) == [4000 * H100_TPP] and releases(suspended) == [100 * H100_TPP]
    assert releases(exhausted) == [] and releases(current) == []
    event = licence_events(ran_out, "licence.expired").get()
    assert (event.actor, event.payload["released_tpp"]) == (None, 4000 * H100_TPP)
    assert f.tier2_allotment().committed_tpp == (1000 + 10 + 10) * H100_TPP

    before = f.db_state()
    out = expire_command()
    assert "0 licence(s) expired" in out
    assert f.db_state() == before  # no new ledger rows, no audit events


def test_expire_licences_as_of_a_date():
    licence = f.licence()
    out = expire_command("--today", (licence.valid_until + DAY).isoformat())
    assert f"Expired {licence.number}" in out
    licence.refresh_from_db()
    assert licence.status == L.EXPIRED
