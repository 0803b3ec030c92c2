"""Scope and conflict-of-interest rules found in review: written before their fixes."""

import datetime

import pytest
from django.utils import timezone

from licensing import services
from licensing.errors import FourEyes, NoLicenceRequired
from licensing.models import Application, Licence
from portal.errors import InvalidTransition
from tests.factories import make_user
from tests.licensing.factories import approved, draft, recommended

pytestmark = pytest.mark.django_db


def test_staff_do_not_see_an_exporters_unsubmitted_draft():
    application = draft()
    for role in ("licensing_officer", "approving_official", "policy_admin"):
        assert not Application.objects.restrict(make_user(role), "view").filter(pk=application.pk).exists(), role
    assert Application.objects.restrict(application.created_by, "view").filter(pk=application.pk).exists()


def test_an_approving_official_of_the_applicant_organisation_cannot_decide_its_case():
    insider = make_user("exporter", "approving_official", organisation="Acme AI Systems Inc.")
    application = recommended(make_user("exporter", organisation="Acme AI Systems Inc."))
    with pytest.raises(FourEyes, match="your own organisation"):
        services.application_approve(actor=insider, application=application)
    application.refresh_from_db()
    assert application.status == "under_review"


@pytest.mark.parametrize("destination", ["US", "JP"])
def test_submitting_where_no_licence_is_required_is_refused(destination):
    application = draft(destination=destination)
    with pytest.raises(NoLicenceRequired, match="No licence is required"):
        services.application_submit(actor=application.created_by, application=application, declaration=True)
    application.refresh_from_db()
    assert (application.status, application.acn) == ("draft", None)


def test_a_suspended_licence_past_its_end_cannot_be_reinstated():
    approver = make_user("approving_official")
    licence = approved(approver=approver).licence
    services.licence_suspend(actor=approver, licence=licence, reason="Inquiry")
    Licence.objects.filter(pk=licence.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(InvalidTransition, match="validity ended"):
        services.licence_reinstate(actor=approver, licence=licence, reason="Cleared")
    licence.refresh_from_db()
    assert licence.status == "suspended"
