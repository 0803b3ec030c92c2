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
