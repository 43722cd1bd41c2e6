"""Keyboard-only helpers and the accessibility check used by the journeys."""

import hashlib
import json
import os
import tempfile
from pathlib import Path

from tests.browser.conftest import AXE, SCREENSHOTS

SERIOUS = ("serious", "critical")
MAX_TABS = 300


def _tab_until(page, test: str, what: str) -> None:
    """Press Tab until the JavaScript test of the focused element `element` is true."""
    for _ in range(MAX_TABS):
        if page.evaluate(f"(element => {test})(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {what} with the Tab key")


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching the selector has focus, as a keyboard user would."""
    _tab_until(page, f"element.matches({json.dumps(selector)})", selector)


def tab_to_link(page, text: str) -> None:
    """Press Tab until the link whose words start with the text has focus."""
    _tab_until(
        page,
        "element.matches('a') && "
        f"element.innerText.replace(/\\s+/g, ' ').trim().startsWith({json.dumps(text)})",
        f"the link {text}",
    )


def type_into(page, selector: str, text: str) -> None:
    """Tab to a field and type into it."""
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose_radio(page, name: str, value: str) -> None:
    """Tab into a radio group and move to the value with the arrow keys, as keyboards do."""
    tab_to(page, f'input[type=radio][name="{name}"]')
    for _ in range(20):
        if page.evaluate(f"document.activeElement.value === {json.dumps(value)}"):
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"could not choose {value} in {name}")


def press_button(page, text: str) -> None:
    """Tab to a button by its text and press Enter."""
    _tab_until(
        page,
        "element.matches('button, a.govuk-button') && "
        f"element.innerText.replace(/\\s+/g, ' ').trim() === {json.dumps(text)}",
        f"the button {text}",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")


# Every page the journeys check is kept here, once per address, for the Nu HTML checker
# (tests/browser/test_zz_valid_html.py), which runs after the journeys.
PAGES = Path(tempfile.mkdtemp(prefix="goaltracker-pages-"))


def keep_page(page) -> None:
    """Keep the page's HTML, as the browser has it, for the HTML checker."""
    name = hashlib.sha256(page.url.split("#")[0].encode()).hexdigest()[:16]
    (PAGES / f"{name}.html").write_text(page.content())
    (PAGES / f"{name}.url").write_text(page.url)


def check_layout(page) -> None:
    """Fail when the page scrolls sideways (WCAG 1.4.10) or shows markup as text."""
    keep_page(page)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if os.environ.get("LAYOUT_REPORT") and widths[0] > widths[1]:
        with open(os.environ["LAYOUT_REPORT"], "a") as report:
            report.write(f"{page.url} {widths}\n")
        return
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide at {widths[1]} px"
    escaped = page.evaluate(
        r"(document.body.innerText.match(/<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i) || [null])[0]"
    )
    assert escaped is None, f"{page.url} shows markup as text: {escaped}"
    clipped = page.evaluate(
        """[...document.querySelectorAll('svg[viewBox] text')].filter(text => {
            const box = text.getBBox(), view = text.ownerSVGElement.viewBox.baseVal;
            return box.x < view.x - 1 || box.y < view.y - 1
                || box.x + box.width > view.x + view.width + 1
                || box.y + box.height > view.y + view.height + 1;
        }).map(text => text.textContent)"""
    )
    assert not clipped, f"{page.url} cuts off chart text: {clipped}"


def check_accessibility(page) -> None:
    """Check the layout, then run axe-core on the page and fail on any serious or critical
    WCAG 2.2 AA violation."""
    check_layout(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
        if violation["impact"] in SERIOUS
    ]
    assert not problems, f"{page.url}: " + "; ".join(problems)


def visit(page, url: str) -> None:
    """Open a page and check it."""
    page.goto(url)
    check_accessibility(page)


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot for the docs when GOALTRACKER_SCREENSHOTS is set; those
    taken at desktop width are named "…-desktop"."""
    if os.environ.get("GOALTRACKER_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if page.viewport_size and page.viewport_size["width"] >= 1000:
            name = f"{name}-desktop"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
