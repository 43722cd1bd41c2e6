"""The Nu HTML checker (vnu-jar, from npm) on every page the journeys visited: no errors.

It runs after the journeys (files run in name order) over the pages they kept.
"""

import json
import shutil
import subprocess

import pytest

from tests.browser.conftest import ROOT
from tests.browser.helpers import PAGES

pytestmark = pytest.mark.browser
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_of_the_journeys_is_valid_html():
    pages = sorted(PAGES.glob("*.html"))
    if not pages:
        pytest.skip("no journey ran before this test, so there are no pages to check")
    if shutil.which("java") is None or not VNU.exists():
        pytest.skip("Java or vnu-jar (npm ci) is missing: the HTML check is skipped")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{(PAGES / message['url'].rsplit('/', 1)[-1]).with_suffix('.url').read_text()}: "
        f"{message['message']} ({message.get('extract', '').strip()[:80]})"
        for message in messages
        if message.get("type") == "error"
    ]
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems[:40])
