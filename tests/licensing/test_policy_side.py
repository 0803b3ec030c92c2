"""licensing.admin.policy_side and licensing.api.impact: the policy side's pages and views with the figures only
licensing knows (pending demand; a switch's impact), passed to agreements explicitly. The switch confirmation's flow and
figures are tested in test_policy_switch_admin."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from agreements.choices import AllotmentSource
from agreements.models import Allotment
from agreements.units import H100_TPP
from licensing.api.impact import AllotmentDemandViewSet, CountryDemandViewSet
from tests.factories import make_user
from tests.licensing.factories import submitted

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:agreements_allotment_dashboard")


@pytest.fixture
def negotiator() -> Client:
    client = Client()
    client.user = make_user("negotiator")
    client.force_login(client.user)
    return client


@pytest.fixture
def india() -> Allotment:
    return Allotment.objects.get(country_id="IN", source=AllotmentSource.TIER_ALLOCATION)


def test_the_dashboard_shows_the_demand_of_pending_applications(negotiator, india):
    application = submitted(destination="IN", quantity=5_000)
    assert application.allotment_id == india.pk and application.requested_tpp == 5_000 * H100_TPP
    row = next(r for r in negotiator.get(DASHBOARD).context["rows"] if r["country"].code == "IN")
    assert (row["pending"], row["pending_tpp"]) == ("5,000", 5_000 * H100_TPP)
    assert "more pending" in row["bar"]


def test_the_allotment_list_and_page_show_pending_demand(negotiator, india):
    submitted(destination="IN", quantity=5_000)
    page = negotiator.get(reverse("admin:agreements_allotment_changelist"), {"country__code__exact": "IN"})
    assert "Pending demand" in page.content.decode() and "5,000" in page.content.decode()
    detail = negotiator.get(reverse("admin:agreements_allotment_change", args=[india.pk])).content.decode()
    assert "79,160,000 TPP (5,000.00 H100e)" in detail


def _get(view, user, **kwargs):
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=user)
    return view(request, **kwargs).data


def test_the_licensing_allotment_and_country_views_report_pending_demand(india):
    submitted(destination="IN", quantity=5_000)
    officer = make_user("licensing_officer")
    allotment = _get(AllotmentDemandViewSet.as_view({"get": "retrieve"}), officer, pk=india.pk)
    assert allotment["pending_tpp"] == 5_000 * H100_TPP
    country = _get(CountryDemandViewSet.as_view({"get": "retrieve"}), officer, code="IN")
    tier2 = next(row for row in country["allotments"] if row["source"] == "tier_allocation")
    assert tier2["pending_tpp"] == 5_000 * H100_TPP
