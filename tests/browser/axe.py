"""axe-core in the browser tests: every page a test visits is checked, and no serious or critical violation passes.

axe-core is vendored (tests/browser/vendor/axe-core, from the npm registry; nothing is fetched at run time). It is
evaluated through the DevTools protocol, which the pages' Content-Security-Policy (scripts from 'self' only) does
not govern, so the pages are checked exactly as served. Each check is recorded; the session ends with a summary
per page (tests/browser/conftest.py prints it)."""

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.1 A and AA plus axe's best practices (region, landmarks, headings): what the issue was reviewed against.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@dataclass
class Check:
    label: str
    url: str
    width: int
    counts: dict[str, int] = field(default_factory=dict)
    blocking: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # every violated rule, with its impact


RESULTS: list[Check] = []


def audit(page: Page, label: str) -> Check:
    """Run axe on the page as it is now; record it; the caller asserts (see `assert_accessible`)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    viewport = page.viewport_size or {"width": 0}
    check = Check(label=label, url=page.url, width=viewport["width"])
    for violation in result["violations"]:
        impact = violation.get("impact") or "minor"
        check.counts[impact] = check.counts.get(impact, 0) + len(violation["nodes"])
        check.rules.append(f"{violation['id']} ({impact})")
        if impact in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            check.blocking.append(f"{impact} {violation['id']}: {violation['help']} — {targets}")
    RESULTS.append(check)
    return check


def assert_accessible(page: Page, label: str) -> Check:
    check = audit(page, label)
    assert not check.blocking, f"axe on {label} ({page.url}):\n" + "\n".join(check.blocking)
    return check


def no_sideways_scroll(page: Page) -> bool:
    """The page fits its viewport's width (a wide table may scroll inside its own box)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def summary_lines() -> list[str]:
    lines = []
    for check in RESULTS:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(check.counts.items())) or "no violations"
        if check.rules:
            counts += f" [{', '.join(check.rules)}]"
        verdict = "FAIL" if check.blocking else "ok"
        lines.append(f"{verdict:4} {check.width:>4}px  {check.label}: {counts}")
        lines.extend(f"       {line}" for line in check.blocking)
    return lines
