"""The API docs render in a browser under the portal's Content-Security-Policy, from the portal's own assets."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "G2G export-agreements portal API"


def watch(page: Page, base: str) -> dict[str, list[str]]:
    """CSP violations reported by the page, and requests to any other host."""
    seen: dict[str, list[str]] = {"violations": [], "foreign": []}
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["violations"].append(m.text))
    page.on(
        "request",
        lambda r: r.url.startswith(("http", "ws")) and not r.url.startswith(base) and seen["foreign"].append(r.url),
    )
    return seen


def test_swagger_ui_renders_under_the_csp(page: Page, live_server):
    seen = watch(page, live_server.url)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(TITLE)
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert seen == {"violations": [], "foreign": []}


# Redoc's bundle hard-codes its "powered by" logo on its vendor's host (no option turns it off): the CSP blocks
# it, so nothing is fetched; it is the one foreign address tried, and only that one is tolerated.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_redoc_renders_under_the_csp(page: Page, live_server):
    seen = watch(page, live_server.url)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible(timeout=30_000)
    assert set(seen["foreign"]) <= {REDOC_LOGO}
    assert all(REDOC_LOGO in violation and "img-src" in violation for violation in seen["violations"])
