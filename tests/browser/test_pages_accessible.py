"""Every exporter page and the main admin pages, for each demo role, checked by axe-core in Chromium.

The demo world (`manage.py seed_demo`) gives every kind of record a page: drafts, open and decided cases, an
active, an exhausted and a revoked licence, agreements in each stage, notifications. Each role visits the pages it
may open (a page it may not is skipped: scope is tested elsewhere); every page visited must have no serious or
critical axe violation. A few pages are also checked at 390 px (a phone): no sideways scroll. The session's
summary lists every page checked (tests/browser/conftest.py)."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from agreements import services
from agreements.models import Agreement
from licensing.choices import ApplicationStatus as S
from licensing.choices import LicenceStatus
from licensing.models import Application, Licence
from portal.models import AuditEvent
from tests.browser.axe import assert_accessible, audit, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# One demo account per role (exporter2, state, energy, policy2 and officer_approver hold the same roles).
EXPORTERS = ["exporter"]
STAFF = ["officer", "approver", "defense", "negotiator", "policy"]


def as_user(page: Page, base: str, username: str) -> None:
    """Signed in through a Django session (the sign-in pages themselves are checked anonymously)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


def one(status: str, organisation: str = "Acme AI Systems Inc.") -> Application:
    return Application.objects.filter(status=status, organisation__name=organisation).order_by("pk").first()


def exporter_pages() -> list[tuple[str, str]]:
    draft, submitted = one(S.DRAFT), one(S.SUBMITTED)
    asked, approved = one(S.INFO_REQUESTED), one(S.APPROVED)
    licences = {status: Licence.objects.filter(status=status).first() for status in LicenceStatus.values}
    pages = [
        ("Applications", "/applications/"),
        ("Applications, filtered", "/applications/?status=approved"),
        ("New application", "/applications/new/"),
        ("Draft application", f"/applications/{draft.pk}/"),
        ("Edit draft", f"/applications/{draft.pk}/edit/"),
        ("Submitted application", f"/applications/{submitted.pk}/"),
        ("Application with a question", f"/applications/{asked.pk}/"),
        ("Approved application", f"/applications/{approved.pk}/"),
        ("Licences", "/licences/"),
        ("LPP notifications", "/notifications/"),
        ("LPP use of a consignee", "/notifications/?consignee=Pune+Research+Institute"),
        ("Sign out", "/accounts/logout/"),
    ]
    for status, licence in licences.items():
        if licence is not None:
            pages.append((f"Licence ({status})", f"/licences/{licence.number}/"))
    return pages


def admin_pages() -> list[tuple[str, str]]:
    cases = [one(status) or one(status, "Northwind Servers Ltd") for status in S.values]
    pages = [
        ("Admin home", "/admin/"),
        ("Case queue", "/admin/licensing/application/"),
        ("Case queue, all", "/admin/licensing/application/?status=all"),
        ("Licences", "/admin/licensing/licence/"),
        ("LPP notifications", "/admin/licensing/lppnotification/"),
        ("Products", "/admin/licensing/product/"),
        ("Agreements", "/admin/agreements/agreement/"),
        ("New agreement", "/admin/agreements/agreement/add/"),
        ("Allotments", "/admin/agreements/allotment/"),
        ("Allotment dashboard", "/admin/agreements/allotment/dashboard/"),
        ("Countries", "/admin/agreements/country/"),
        ("Country India", "/admin/agreements/country/IN/change/"),
        ("Parties", "/admin/agreements/party/"),
        ("Policies", "/admin/agreements/policy/"),
        ("Propose a policy", "/admin/agreements/policy/add/"),
        ("Users", "/admin/portal/user/"),
        ("Audit events", "/admin/portal/auditevent/"),
        ("Sign out", "/accounts/logout/"),
    ]
    pages += [(f"Case ({case.status})", f"/admin/licensing/application/{case.pk}/change/") for case in cases if case]
    pages += [(f"Licence ({li.status})", f"/admin/licensing/licence/{li.pk}/change/") for li in Licence.objects.all()]
    for agreement in Agreement.objects.order_by("pk"):
        pages.append((f"Agreement ({agreement.status})", f"/admin/agreements/agreement/{agreement.pk}/change/"))
    if agreement := Agreement.objects.filter(status="in_force").first():
        pages.append(("Agreement amendment", f"/admin/agreements/agreement/{agreement.pk}/amend/"))
        pages.append(("Compare terms", f"/admin/agreements/agreement/{agreement.pk}/terms/compare/"))
    if event := AuditEvent.objects.first():
        pages.append(("Audit event", f"/admin/portal/auditevent/{event.pk}/change/"))
    return pages


def visit_all(page: Page, base: str, who: str, pages: list[tuple[str, str]]) -> list[str]:
    """Every page this person may open, checked; the blocking violations found, by page."""
    failures = []
    for label, path in pages:
        response = page.goto(f"{base}{path}")
        sent_to_sign_in = "/login/" in page.url and "/login/" not in path
        if response is None or response.status in (403, 404) or sent_to_sign_in:
            continue  # not this role's page
        assert response.status == 200, f"{who}: {path} answered {response.status}"
        check = audit(page, f"{who}: {label} ({path})")
        failures += [f"{check.label}: {line}" for line in check.blocking]
    return failures


def test_every_page_for_every_demo_role_has_no_serious_or_critical_axe_violation(page: Page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    failures: list[str] = []

    page.context.clear_cookies()
    failures += visit_all(
        page,
        base,
        "anonymous",
        [
            ("Sign in", "/accounts/login/"),
            ("Admin sign in", "/admin/login/"),
            ("Password reset", "/accounts/password-reset/"),
        ],
    )
    for exporter in EXPORTERS:
        as_user(page, base, exporter)
        failures += visit_all(page, base, exporter, exporter_pages())
    for username in STAFF:
        as_user(page, base, username)
        failures += visit_all(page, base, username, admin_pages())
    assert not failures, "\n".join(failures)


def test_the_skip_link_is_the_first_tab_stop_and_errors_take_the_focus(page: Page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    as_user(page, base, "exporter")
    page.goto(f"{base}/applications/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # past the skip link, the next stop is inside the page's content
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("exporter")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert_accessible(page, "anonymous: Sign in, after a wrong password")

    as_user(page, base, "exporter")
    page.goto(f"{base}/applications/new/")
    page.get_by_label("Destination country").select_option("IN")
    page.locator("#id_lines-0-quantity").fill("-3")
    page.get_by_role("button", name="Save draft").click()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("greater than or equal to 1"))).to_be_visible()
    assert_accessible(page, "exporter: New application, after a failed submit")

    as_user(page, base, "policy")
    page.goto(f"{base}/admin/agreements/policy/add/")
    page.locator("input[type=submit]").first.click()  # nothing filled in: the reason is missing
    expect(page.locator(".errornote").first).to_be_focused()
    assert_accessible(page, "policy: Propose a policy, after a failed submit")


PHONE_PAGES = {
    "exporter": lambda: [
        ("Applications", "/applications/"),
        ("Submitted application", f"/applications/{one(S.SUBMITTED).pk}/"),
        ("New application", "/applications/new/"),
        ("Licences", "/licences/"),
        ("Licence", f"/licences/{Licence.objects.filter(status='active').first().number}/"),
        ("LPP notifications", "/notifications/"),
    ],
    "officer": lambda: [
        ("Admin home", "/admin/"),
        ("Case queue", "/admin/licensing/application/"),
        ("Case (referred)", f"/admin/licensing/application/{one(S.REFERRED, 'Northwind Servers Ltd').pk}/change/"),
        ("Case (under review)", f"/admin/licensing/application/{one(S.UNDER_REVIEW).pk}/change/"),
        ("Licence", f"/admin/licensing/licence/{Licence.objects.first().pk}/change/"),
    ],
    "negotiator": lambda: [
        ("Agreement", f"/admin/agreements/agreement/{Agreement.objects.first().pk}/change/"),
        ("Allotment dashboard", "/admin/agreements/allotment/dashboard/"),
    ],
}


def test_pages_fit_a_phone_without_sideways_scroll(page: Page, live_server, shoot):
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    wide = []
    for username, pages in PHONE_PAGES.items():
        as_user(page, base, username)
        for label, path in pages():
            page.goto(f"{base}{path}")
            assert_accessible(page, f"{username}: {label} ({path})")
            if not no_sideways_scroll(page):
                wide.append(f"{username}: {label} ({path})")
            if label == "Case (referred)":
                shoot(page, "07-admin-case-390px")
            if label == "Applications":
                shoot(page, "08-applications-390px")
    assert not wide, "scrolls sideways at 390 px: " + ", ".join(wide)


def test_the_queue_shows_its_last_column_at_1366_px(page: Page, live_server, shoot):
    call_command("seed_demo", stdout=io.StringIO())
    page.set_viewport_size({"width": 1366, "height": 900})
    as_user(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/admin/licensing/application/")
    header = page.get_by_role("columnheader", name="Open referrals")
    expect(header).to_be_visible()
    box, results = header.bounding_box(), page.locator(".results").bounding_box()
    assert box and results and box["x"] + box["width"] <= results["x"] + results["width"] + 1
    shoot(page, "10-admin-queue-1366px", full_page=False)
    page.goto(f"{live_server.url}/admin/agreements/allotment/dashboard/?sort=-pending")
    assert_accessible(page, "officer: Allotment dashboard, by pending")
    shoot(page, "09-allotment-dashboard", full_page=False)

    # An amendment, then the two versions side by side.
    agreement = Agreement.objects.filter(status="in_force").first()
    terms = agreement.terms_versions.latest("version")
    period = terms.periods.first()
    services.amendment_create(
        actor=User.objects.get(username="negotiator"),
        agreement=agreement,
        effective_from=max(timezone.localdate(), terms.effective_from),
        reason="Capacity raised after the first annual review",
        terms={
            "allotments": [
                {
                    "period_start": period.period_start,
                    "period_end": period.period_end,
                    "capacity_tpp": period.capacity_tpp * 2,
                }
            ],
            "site_visits_accepted": True,
        },
    )
    as_user(page, live_server.url, "negotiator")
    page.goto(f"{live_server.url}/admin/agreements/agreement/{agreement.pk}/change/")
    page.get_by_role("link", name="Compare terms versions").click()
    newest = agreement.terms_versions.latest("version").version  # the demo may carry amendments of its own
    heading = re.compile(f"changes? from version {newest - 1} to version {newest}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert_accessible(page, "negotiator: Compare terms, after an amendment")
    shoot(page, "11-terms-diff")
