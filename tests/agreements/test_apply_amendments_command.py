import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from agreements import services
from agreements.models import Allotment, Country
from agreements.units import tpp_from_h100e
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("apply_amendments", stdout=out)
    return out.getvalue()


def test_a_future_amendment_reaches_the_allotments_when_the_command_runs_after_its_date():
    negotiator = make_user("negotiator")
    today = timezone.localdate()
    period = {"period_start": datetime.date(today.year, 1, 1), "period_end": datetime.date(today.year, 12, 31)}
    agreement = services.agreement_create(
        actor=negotiator,
        country=Country.objects.get(code="QA"),
        reference="G2G-QA-T",
        title="Qatar",
        valid_from=datetime.date(today.year, 1, 1),
        valid_until=datetime.date(today.year + 1, 12, 31),
        terms={"allotments": [{**period, "capacity_tpp": tpp_from_h100e(1_000)}]},
    )
    for step in ("start_negotiation", "sign", "enter_into_force"):
        agreement = getattr(services, f"agreement_{step}")(actor=negotiator, agreement=agreement)
    tomorrow = today + datetime.timedelta(days=1)
    services.amendment_create(
        actor=negotiator,
        agreement=agreement,
        effective_from=tomorrow,
        reason="Second tranche",
        terms={"allotments": [{**period, "capacity_tpp": tpp_from_h100e(3_000)}]},
    )
    assert "0 agreement" in run()
    assert Allotment.objects.get(agreement=agreement).capacity_tpp == tpp_from_h100e(1_000)

    later = timezone.now() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "1 agreement" in run()
        assert "0 agreement" in run()  # idempotent
    assert Allotment.objects.get(agreement=agreement).capacity_tpp == tpp_from_h100e(3_000)


def test_expire_agreements_marks_those_past_their_end_date_once():
    negotiator = make_user("negotiator")
    today = timezone.localdate()
    agreement = services.agreement_create(
        actor=negotiator,
        country=Country.objects.get(code="OM"),
        reference="G2G-OM-T",
        title="Oman",
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
        terms={"allotments": []},
    )
    for step in ("start_negotiation", "sign", "enter_into_force"):
        agreement = getattr(services, f"agreement_{step}")(actor=negotiator, agreement=agreement)
    out = StringIO()
    call_command("expire_agreements", stdout=out)
    assert "1 agreement(s) expired: G2G-OM-T" in out.getvalue()
    agreement.refresh_from_db()
    assert agreement.status == "expired"
    call_command("expire_agreements", stdout=out)
    assert "0 agreement(s) expired." in out.getvalue()


def test_a_signature_date_in_the_future_is_refused():
    from django.core.exceptions import ValidationError

    negotiator = make_user("negotiator")
    today = timezone.localdate()
    agreement = services.agreement_create(
        actor=negotiator,
        country=Country.objects.get(code="BH"),
        reference="G2G-BH-T",
        title="Bahrain",
        valid_from=today,
        valid_until=today + datetime.timedelta(days=365),
        terms={"allotments": []},
    )
    agreement = services.agreement_start_negotiation(actor=negotiator, agreement=agreement)
    with pytest.raises(ValidationError, match="signed"):
        services.agreement_sign(actor=negotiator, agreement=agreement, signed_on=today + datetime.timedelta(days=1))
    agreement.refresh_from_db()
    assert agreement.status == "negotiating"
