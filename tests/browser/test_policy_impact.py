"""The impact of a proposed switch on its admin page, in Chromium with axe-core: the summary over every pending
application, a page of the detail and the CSV link; and, above the size that goes to a task, its progress."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from agreements import services
from licensing.models import ImpactRun
from tests.browser.axe import assert_accessible
from tests.browser.test_pages_accessible import as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_proposal_page_shows_the_impact_on_every_pending_case_accessibly(page: Page, live_server, settings):
    call_command("seed_demo", stdout=io.StringIO())
    proposal = services.policy_propose(actor=None, kind="global", reason="Global regime", lpp_threshold_tpp=0)
    as_user(page, live_server.url, "policy")
    page.goto(f"{live_server.url}/admin/agreements/policy/{proposal.pk}/change/")
    expect(page.get_by_role("heading", name="Impact on all")).to_be_visible()
    expect(page.get_by_role("link", name="Download the detail")).to_have_attribute(
        "href", f"/api/v1/policy/{proposal.pk}/impact/csv/"
    )
    assert_accessible(page, "policy: a proposal and its impact")

    settings.IMPACT_PREVIEW_SYNC_LIMIT = 0  # every case now goes to a task, which no worker runs here
    page.goto(f"{live_server.url}/admin/agreements/policy/{proposal.pk}/change/")
    assert not ImpactRun.objects.filter(policy=proposal).exists()  # opening the page starts nothing
    page.get_by_role("button", name="Compute the impact on every pending application").click()
    expect(page.get_by_role("heading", name="Computing the impact")).to_be_visible()
    assert ImpactRun.objects.filter(policy=proposal).exists()
    assert_accessible(page, "policy: a proposal whose impact is being computed")
