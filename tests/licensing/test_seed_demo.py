import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from agreements.models import Agreement
from licensing.choices import ApplicationStatus, LicenceStatus
from licensing.models import Application, Licence, LppNotification
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_world_has_every_state_and_loads_idempotently():
    call_command("seed_demo")
    counts = (Application.objects.count(), Licence.objects.count(), LppNotification.objects.count())
    events = AuditEvent.objects.count()
    call_command("seed_demo")
    assert (Application.objects.count(), Licence.objects.count(), LppNotification.objects.count()) == counts
    assert AuditEvent.objects.count() - events == 10  # the second run only re-saves the ten demo users

    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert {LicenceStatus.ACTIVE, LicenceStatus.EXHAUSTED, LicenceStatus.REVOKED} <= set(
        Licence.objects.values_list("status", flat=True)
    )
    assert dict(Agreement.objects.values_list("country_id", "status")) == {
        "AE": "in_force",
        "SA": "signed",
        "IN": "negotiating",
    }
    assert (
        authenticate(RequestFactory().post("/accounts/login/"), username="officer", password="demo-pass-2026")
        is not None
    )
