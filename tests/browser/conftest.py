"""Browser tests: Debian's Chromium driven by Playwright against Django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(autouse=True, scope="session")
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; the ORM calls the test itself makes
    (building fixtures, checking the database) are still plain synchronous code. Set from the first
    browser test on; subprocesses that run deployment checks drop it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) is None:
        skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (.ci/run installs Debian's package)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _serialized_rollback_across_contexts(django_db_setup, django_db_blocker):
    """Playwright's sync API runs the test in another context, where Django's connection handler hands out
    a new connection object that lacks the contents serialized at database set-up — so serialized_rollback
    would restore nothing after the first transactional test. Make them visible from every context."""
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    yield
    for alias in connections:
        if "_test_serialized_contents" in vars(type(connections[alias])):
            del type(connections[alias])._test_serialized_contents


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def dialogs(request):
    """The pages ask before an act that cannot be undone (window.confirm): browser tests answer yes, and the
    questions asked are kept for a test to check."""
    if "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    yield asked


@pytest.fixture
def shoot():
    """Save a screenshot under docs/screenshots/ when SAVE_SCREENSHOTS=1 (make screenshots)."""

    def save(page, name: str, *, full_page: bool = True) -> None:
        if os.environ.get("SAVE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return save


def pytest_terminal_summary(terminalreporter):
    """The axe results of every page the browser tests checked: 0 serious/critical is the bar."""
    from tests.browser.axe import RESULTS, summary_lines

    if RESULTS:
        terminalreporter.section(f"axe-core: {len(RESULTS)} page checks (serious/critical fail the test)")
        for line in summary_lines():
            terminalreporter.write_line(line)


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands its axe results to the controller, which prints them (tests/conftest.py)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        from tests.browser.axe import RESULTS, summary_lines

        output["axe_checks"] = len(RESULTS)
        output["axe_lines"] = summary_lines()
