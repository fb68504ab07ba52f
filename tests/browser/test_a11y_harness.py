"""The accessibility harness (tests/browser/a11y.py) can fail: on a page made with the faults
issue 14 names, each check reports them, by page, rule and element; a sound page passes.
Without this, a harness that silently stopped checking would pass every page."""

import pytest

from tests.browser.a11y import Audit, require_tools
from tests.browser.a11y_findings import Where

pytestmark = pytest.mark.browser

HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{}</title></head>'
FAULTY = (
    HEAD.format("Faulty")
    + """<body>
<nav aria-label="Main navigation" style="width: 420px">
  <a href="/a">Open calls</a> <a href="/b">My nominations</a> <a href="/c">Winners</a>
  <a href="/d">Rounds</a> <a href="/e">Nominations</a> <a href="/f">Audit log</a>
</nav>
<main>
  <h1>Faulty</h1>
  <p style="color: #92befe; background: #0d6efd">Pale text on blue</p>
  <form method="post" action=""><input type="hidden" name="csrf_token" id="csrf_token">
  <input type="hidden" name="csrf_token" id="csrf_token"></form>
  <table style="width: 900px"><tr><th>Name</th><td>A table wider than a phone</td></tr></table>
</main></body></html>"""
)
SOUND = (
    HEAD.format("Sound")
    + """<body>
<nav aria-label="Main navigation"><a href="/a">Open calls</a> <a href="/b">Winners</a></nav>
<main><h1>Sound</h1><p>Dark text on white.</p></main></body></html>"""
)


def serve(html: str):
    return lambda route: route.fulfill(body=html, content_type="text/html")


def test_each_check_reports_the_faults_of_a_page_by_rule_and_element(
    browser, live_server, tmp_path
):
    require_tools()
    audit = Audit(browser, live_server, "harness-self-test", output=tmp_path)
    page = audit.person("anonymous")
    for name, html in {"faulty": FAULTY, "sound": SOUND}.items():
        page.route(f"**/self-test/{name}", serve(html))
        response = page.goto(f"/self-test/{name}")
        audit.check(
            page, Where(f"self-test.{name}", "anonymous", "data", page.url), response.text()
        )
    audit.finish()

    found = {(f.check, f.rule, f.where.route) for f in audit.findings}
    faulty = "self-test.faulty"
    assert ("axe", "color-contrast", faulty) in found
    assert ("nu", "Duplicate ID “csrf_token”.", faulty) in found
    assert (
        "nu",
        "Bad value “” for attribute “action” on element “form”: Must be non-empty.",
        faulty,
    ) in found
    assert ("width", "scrolls-sideways-at-390px", faulty) in found
    assert ("width", "navigation-wraps-at-1280px", faulty) in found
    assert [f for f in audit.findings if f.where.route == "self-test.sound"] == []

    # The failure message names the page, the rule and the element (selector, short HTML).
    message = audit.problems("axe")
    assert "self-test.faulty [anonymous, data]" in message
    assert "color-contrast" in message and "Pale text on blue" in message
    width = audit.problems("width")
    assert "table" in width and "A table wider than a phone" in width
    assert (tmp_path / "harness-self-test" / "findings.json").is_file()
    # A screenshot where something was found: the faulty page at both widths, not the sound one.
    shots = sorted(p.name for p in (tmp_path / "harness-self-test").glob("*.png"))
    assert len(shots) == 2 and all("faulty" in name for name in shots), shots
