"""Agency recommendations with substance (SPEC § 4 v2): approve, approve_with_conditions (conditions required), deny."""

import pytest
from rest_framework.test import APIClient

from licensing.choices import ApplicationStatus as S
from licensing.models import Referral
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def defense() -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user("agency_reviewer", agency="defense"))
    return client


def test_approve_with_conditions_without_conditions_is_refused_and_writes_nothing():
    application = f.referred(agencies=("defense",))
    reviewer = defense()
    before = f.db_state()
    response = reviewer.post(
        f"/api/v1/applications/{application.pk}/agency-recommendation/",
        {"recommendation": "approve_with_conditions", "conditions": []},
        format="json",
    )
    assert response.status_code == 400
    assert "state the conditions" in response.json()["conditions"][0]
    assert f.db_state() == before


def test_approve_with_conditions_records_the_conditions_and_returns_the_case_to_review():
    application = f.referred(agencies=("defense",))
    response = defense().post(
        f"/api/v1/applications/{application.pk}/agency-recommendation/",
        {"recommendation": "approve_with_conditions", "conditions": [" No military end use "]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == S.UNDER_REVIEW
    referral = Referral.objects.get(application=application)
    assert (referral.recommendation, referral.conditions) == ("approve_with_conditions", ["No military end use"])


def test_the_officer_still_recommends_approve_or_deny():
    application = f.under_review()
    officer = APIClient()
    officer.force_authenticate(application.officer)
    response = officer.post(
        f"/api/v1/applications/{application.pk}/recommend/",
        {"recommendation": "approve_with_conditions", "rationale": "x"},
        format="json",
    )
    assert response.status_code == 400


def test_the_conditions_asked_are_shown_to_staff_and_the_agency_never_to_the_exporter():
    application = f.referred(agencies=("defense",))
    reviewer = defense()
    answered = reviewer.post(
        f"/api/v1/applications/{application.pk}/agency-recommendation/",
        {"recommendation": "approve_with_conditions", "conditions": ["No military end use"]},
        format="json",
    )
    assert answered.json()["referrals"][0]["conditions"] == ["No military end use"]
    officer = APIClient()
    officer.force_authenticate(application.officer)
    staff = officer.get(f"/api/v1/applications/{application.pk}/").json()
    assert staff["referrals"][0]["conditions"] == ["No military end use"]
    exporter = APIClient()
    exporter.force_authenticate(application.created_by)
    assert "No military end use" not in str(exporter.get(f"/api/v1/applications/{application.pk}/").json())


def test_a_plain_approve_needs_no_conditions():
    application = f.referred(agencies=("defense",))
    response = defense().post(
        f"/api/v1/applications/{application.pk}/agency-recommendation/",
        {"recommendation": "approve", "rationale": "No concerns."},
        format="json",
    )
    assert response.status_code == 200
    assert Referral.objects.get(application=application).conditions == []
