"""The pages where negotiators type terms and read allotment use, in Chromium: the schedule's rows editor (adding rows
needs no script; a bad row is explained on it, the page's error note takes the focus, nothing is saved), and the
allotment dashboard's region filter and chart. Each page passes axe (no serious or critical violation) at 1280 px and
fits a 390 px phone without sideways scroll."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from tests.browser.axe import assert_accessible, no_sideways_scroll
from tests.browser.test_pages_accessible import as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def negotiator_page(page: Page, live_server) -> Page:
    call_command("seed_demo", stdout=io.StringIO())
    as_user(page, live_server.url, "negotiator")
    return page


def test_the_schedule_rows_add_a_period_without_script_and_explain_a_bad_row(negotiator_page, live_server, shoot):
    page = negotiator_page
    agreements = Agreement.objects.count()
    year = timezone.localdate().year
    page.context.route("**/*.js", lambda route: route.abort())  # the editor needs no script
    page.goto(f"{live_server.url}/admin/agreements/agreement/add/")
    page.locator("#id_reference").fill("G2G-SA-TEST")
    page.locator("#id_title").fill("US–Saudi Arabia AI compute arrangement")
    page.locator("#id_schedule-0-period_start").fill(f"{year}-01-01")
    page.locator("#id_schedule-0-period_end").fill(f"{year}-12-31")
    page.locator("#id_schedule-0-amount").fill("50000")
    page.get_by_role("button", name="Add a period").click()
    expect(page.locator("#id_schedule-1-period_start")).to_be_visible()  # one more row, the first kept
    expect(page.locator("#id_schedule-0-amount")).to_have_value("50000")
    page.locator("#id_schedule-1-period_start").fill(f"{year}-06-01")  # overlaps period 1
    page.locator("#id_schedule-1-period_end").fill(f"{year + 1}-05-31")
    page.locator("#id_schedule-1-amount").fill("-5")
    page.locator("#id_schedule-0-caps-0-party").fill("Nobody Compute, SA")
    page.locator("#id_schedule-0-caps-0-amount").fill("60000")
    page.context.unroute("**/*.js")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".errornote").first).to_be_focused()
    for message in (
        "The capacity cannot be negative.",
        "The period overlaps the one from",
        "No party “Nobody Compute, SA” in the register",
    ):
        expect(page.locator(".schedule-rows").get_by_text(message)).to_be_visible()
    assert Agreement.objects.count() == agreements  # nothing saved
    assert_accessible(page, "negotiator: New agreement, schedule rows after a failed submit")
    page.locator(".schedule-rows").scroll_into_view_if_needed()
    shoot(page, "12-schedule-editor")


def test_the_dashboard_filters_by_region_and_charts_a_country(negotiator_page, live_server, shoot):
    page = negotiator_page
    page.goto(f"{live_server.url}/admin/agreements/allotment/dashboard/")
    page.get_by_label("Region").select_option("asia")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("table.usage-table")).to_contain_text("India")
    expect(page.locator("table.usage-table")).not_to_contain_text("Brazil")
    page.get_by_role("link", name="Chart of India").click()
    chart = page.get_by_role("img", name="India: committed and pending")
    expect(chart).to_be_visible()
    page.get_by_text("The chart's figures as a table").click()
    expect(page.locator(".usage-chart-table table")).to_be_visible()
    assert_accessible(page, "negotiator: Allotment dashboard, Asia, chart of India")
    page.goto(f"{live_server.url}/admin/agreements/allotment/dashboard/")  # the most used country first
    busiest = page.locator("table.usage-table tbody th .quiet").first.inner_text()
    page.goto(f"{live_server.url}/admin/agreements/allotment/dashboard/?q={busiest}&chart={busiest}")
    shoot(page, "13-allotment-dashboard-chart")


@pytest.mark.parametrize("width", [390])
def test_the_terms_and_dashboard_pages_fit_a_phone(negotiator_page, live_server, width):
    page = negotiator_page
    page.set_viewport_size({"width": width, "height": 844})
    in_force = Agreement.objects.filter(status="in_force").first()
    wide = []
    for label, path in [
        ("New agreement", "/admin/agreements/agreement/add/"),
        ("Amendment", f"/admin/agreements/agreement/{in_force.pk}/amend/"),
        ("Compare terms", f"/admin/agreements/agreement/{in_force.pk}/terms/compare/"),
        ("Dashboard with chart", "/admin/agreements/allotment/dashboard/?region=asia&chart=IN"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, f"negotiator at {width} px: {label}")
        if not no_sideways_scroll(page):
            wide.append(label)
    assert not wide, f"scrolls sideways at {width} px: " + ", ".join(wide)
