"""The accessibility audit behind tests/browser/test_a11y_*.py (issue 14: WCAG 2.1 AA).

An ``Audit`` opens pages as the people of a world would (one browser context per person, signed
in once) and checks each page it is shown:

- axe-core (npm, in tests/a11y; ``make install-test``) with the WCAG 2.0 and 2.1 A and AA rules
  (tags wcag2a, wcag2aa, wcag21a, wcag21aa): zero violations. It is injected as an init script,
  so these contexts are made with ``bypass_csp=True`` (the app's policy refuses foreign
  scripts); the other browser tests keep their strict contexts and the ``watch`` fixture;
- the Nu HTML checker (vnu.jar from npm ``vnu-jar``, run with the machine's java) over the HTML
  the server sent, once per module over every page kept: zero errors;
- at 1280 and 390 px wide: ``document.documentElement.scrollWidth <= window.innerWidth`` (no
  sideways scrolling of the page); at 1280 px the main navigation fits on one line. A
  full-page screenshot of a width where a check found something (of every page and width with
  ``A11Y_SCREENSHOTS=all``).

Everything is collected first (test-output/a11y/<module>/: the HTML, the screenshots,
findings.json); each test of a module then asserts one kind of problem over every page.
Which pages each module opens: tests/browser/a11y_pages.py.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Response
from playwright.sync_api import Error as PlaywrightError

from nominations import PROJECT_ROOT
from tests.access_world import PEOPLE
from tests.browser.a11y_findings import (
    VNU,
    Finding,
    Where,
    failure_message,
    nu_findings,
    short,
    write_json,
)
from tests.browser.support import LiveServer, Watch, sign_in

AXE = PROJECT_ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = PROJECT_ROOT / "test-output" / "a11y"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDE, NARROW = 1280, 390
HEIGHT = 900
# A full-page screenshot is two thirds of a page's audit: taken where a check found something,
# of every page with A11Y_SCREENSHOTS=all (to look the pages over).
ALL_SCREENSHOTS = os.environ.get("A11Y_SCREENSHOTS") == "all"


def require_tools() -> None:
    """Fail (never skip) when a checker is missing: a skipped audit would pass unseen."""
    missing = [str(path) for path in (AXE, VNU) if not path.is_file()]
    if shutil.which("java") is None:
        missing.append("java (the Nu HTML checker runs on it)")
    if missing:
        pytest.fail(
            f"The accessibility checkers are missing: {', '.join(missing)}. Run "
            "`make install-test` (it installs tests/a11y's npm packages, and java when missing)."
        )


# A CSS path short enough to read, precise enough to find the element again.
_SELECTOR_JS = """
function selectorOf(el) {
  const parts = [];
  while (el && el.nodeType === 1 && el !== document.body && parts.length < 5) {
    if (el.id) { parts.unshift('#' + CSS.escape(el.id)); break; }
    let part = el.localName;
    const classes = Array.from(el.classList).slice(0, 2);
    if (classes.length) part += '.' + classes.map(c => CSS.escape(c)).join('.');
    const parent = el.parentElement;
    if (parent) {
      const same = Array.from(parent.children).filter(c => c.localName === el.localName);
      if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(el) + 1) + ')';
    }
    parts.unshift(part);
    el = el.parentElement;
  }
  return parts.join(' > ');
}
"""

# What sticks out on the right: the outermost such elements (each one's parent still fits).
_OVERFLOW_JS = (
    "() => {"
    + _SELECTOR_JS
    + """
  const width = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    const parent = el.parentElement;
    if (parent !== document.body && parent.getBoundingClientRect().right > width + 0.5) continue;
    culprits.push({selector: selectorOf(el), right: Math.round(box.right), html: el.outerHTML});
  }
  return {scroll, width, culprits};
}"""
)

# The main navigation on one line: no item, and no line of an item's text, starts below the
# bottom of another (boxes on two rows). The items that take two rows, or none.
_NAV_WRAPS_JS = """() => {
  const twoRows = rects => rects.length > 1
    && Math.max(...rects.map(r => r.top)) >= Math.min(...rects.map(r => r.bottom));
  const nav = document.querySelector('nav[aria-label="Main navigation"]')
    || document.querySelector('nav');
  const items = nav ? Array.from(nav.querySelectorAll('a, button, .navbar-text'))
    .filter(e => e.getBoundingClientRect().width > 0) : [];
  const lines = e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return Array.from(range.getClientRects()).filter(r => r.width > 0);
  };
  const wrapped = items.filter(e => twoRows(lines(e))).map(e => e.textContent.trim());
  if (!wrapped.length && !twoRows(items.map(e => e.getBoundingClientRect()))) return null;
  return {height: Math.round(nav.getBoundingClientRect().height), wrapped};
}"""

_AXE_JS = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(', '),
      html: n.html,
      message: ([...n.any, ...n.all, ...n.none][0] || {}).message || '',
    })),
  }));
}
"""

# A form sent with its fields emptied: the browser's own checks off, as without JavaScript.
_EMPTY_FORM_JS = """form => {
  form.noValidate = true;
  for (const field of form.querySelectorAll('textarea, input:not([type=hidden])'
      + ':not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio])'
      + ':not([type=file])')) {
    field.value = '';
  }
}"""


class Audit:
    """The pages one test module audits, and what was found on them."""

    def __init__(
        self, browser: Browser, live_server: LiveServer, name: str, output: Path = OUTPUT
    ) -> None:
        self.browser = browser
        self.server = live_server
        self.name = name
        self.folder = output / name
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "html").mkdir(parents=True)
        self.findings: list[Finding] = []
        self.audited: list[Where] = []
        self.kept: dict[str, Where] = {}  # HTML file name -> page, for the Nu checker
        self.watch = Watch(live_server)
        self.contexts = []
        self._documents: dict[int, Response] = {}
        self._not_pages: set[str] = set()  # routes that answer with a download or a feed

    def person(self, role: str, email: str | None = None) -> Page:
        """A browser context of its own (cookies; axe-core injected), signed in as ``email``,
        by default the access world's person for ``role`` (nobody for ``anonymous``)."""
        context = self.browser.new_context(
            base_url=self.server.url,
            bypass_csp=True,
            locale="en-GB",
            timezone_id="Europe/Oslo",
            viewport={"width": WIDE, "height": HEIGHT},
        )
        context.set_default_timeout(15_000)
        context.add_init_script(path=str(AXE))
        self.contexts.append(context)
        page = context.new_page()
        self.watch.attach(page)
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts: yes
        page.on("response", lambda response: self._document(page, response))
        email = email or (PEOPLE[role][0] if role in PEOPLE else None)
        if email:
            sign_in(page, email)
        return page

    def _document(self, page: Page, response: Response) -> None:
        """The HTML the server sent for the page now shown (after any redirect)."""
        document = response.request.resource_type == "document"
        if document and response.frame == page.main_frame and not 300 <= response.status < 400:
            self._documents[id(page)] = response

    def pages(self, page: Page, role: str, state: str, pages: list[tuple[str, str]]) -> None:
        for route, url in pages:
            self.visit(page, route, url, role, state)

    def visit(
        self, page: Page, route: str, url: str, role: str, state: str, status: int = 200
    ) -> None:
        """Open ``url``; audit it when it is a page with the expected status. A download or
        a feed (JSON, iCalendar, Atom) is not a page: that route is passed over from then on."""
        if route in self._not_pages:
            return
        where = Where(route, role, state, url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            self._not_pages.add(route)
            return
        assert response is not None
        kind = response.headers.get("content-type", "").split(";")[0]
        if response.status == 200 and kind != "text/html":
            self._not_pages.add(route)
        elif response.status != status:
            self.findings.append(
                Finding("page", where, "status", f"answered {response.status}, not {status}")
            )
        else:
            self.check(page, where, response.text())

    def submit(
        self,
        page: Page,
        route: str,
        url: str,
        role: str,
        button: str | None = None,
        values: dict[str, str] | None = None,
        files: dict[str, tuple[str, str, bytes]] | None = None,
        state: str = "errors",
        empty: bool = True,
        signed_out: bool = False,
    ) -> None:
        """Open the form page and send its form from the browser with the text fields emptied
        (``values``: label -> a bad value; ``files``: label -> (name, type, content)); the
        page that comes back must show errors (or answer 4xx), and is audited. ``button``
        names the form (its submit button) where the page has several; ``signed_out``: the
        sign-in has ended (the cookies are gone) by the time the form is sent."""
        where = Where(route, role, state, url)
        response = page.goto(url)
        if response is None or response.status != 200:
            status = response.status if response else None
            self.findings.append(Finding("page", where, "status", f"the form answered {status}"))
            return
        forms = page.locator("main form[method=post]")
        if button:
            form = forms.filter(has=page.get_by_role("button", name=button, exact=True)).first
        else:
            form = forms.filter(
                has=page.locator("textarea, select, input:not([type=hidden])")
            ).first
        if form.count() == 0:
            self.findings.append(Finding("page", where, "no form", f"no form to send ({button})"))
            return
        try:  # a renamed field or button, a form that goes nowhere: said, not a crash
            self._send(page, form, button, values or {}, files or {}, empty, signed_out)
        except PlaywrightError as error:
            summary = f"the form could not be sent: {str(error).splitlines()[0]}"
            self.findings.append(Finding("page", where, "not sent", summary))
            return
        document = self._documents.get(id(page))
        shown = page.locator(".invalid-feedback, .alert-danger, [aria-invalid=true]").count()
        refused = shown or (document is not None and document.status >= 400)
        if document is None or (state == "errors" and not refused):
            page.screenshot(path=str(self.folder / f"not-refused-{route}.png"), full_page=True)
            self.findings.append(
                Finding(
                    "page",
                    where,
                    "no errors",
                    f"the form was accepted (now at {page.url}): give the harness a bad value",
                )
            )
            return
        self.check(page, where, document.text())

    def _send(self, page, form, button, values, files, empty: bool, signed_out: bool) -> None:
        if empty:
            form.evaluate(_EMPTY_FORM_JS)
        for label, value in values.items():
            form.get_by_label(label, exact=True).fill(value)
        for label, (name, mime, content) in files.items():
            form.get_by_label(label).set_input_files(
                {"name": name, "mimeType": mime, "buffer": content}
            )
        if signed_out:
            page.context.clear_cookies()
        self._documents.pop(id(page), None)
        sends = form.locator("[type=submit], button:not([type])")
        with page.expect_navigation():
            (form.get_by_role("button", name=button, exact=True) if button else sends).first.click()

    def check(self, page: Page, where: Where, html: str) -> None:
        """axe-core at 1280 px (at 390 px it found nothing more on the admin's 47 pages, for
        85 ms a page); the HTML kept for the Nu checker; both widths, a screenshot of each where
        something was found (the page stays at the width it ended at; the next one starts
        there)."""
        self.audited.append(where)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{where.state} {where.role} {where.route}".lower())
        slug = f"{len(self.audited):03d}-{slug.strip('-')[:80]}"
        (self.folder / "html" / f"{slug}.html").write_text(html, encoding="utf-8")
        self.kept[f"{slug}.html"] = where
        current = page.viewport_size["width"] if page.viewport_size else WIDE
        for width in sorted((WIDE, NARROW), key=lambda w: w != current):
            if width != current:
                page.set_viewport_size({"width": width, "height": HEIGHT})
            found = len(self.findings)
            if width == WIDE:
                self._axe(page, where)
            self._overflow(page, where, width)
            if ALL_SCREENSHOTS or len(self.findings) > found:
                page.screenshot(path=str(self.folder / f"{slug}-{width}.png"), full_page=True)
            current = width

    def _axe(self, page: Page, where: Where) -> None:
        for violation in page.evaluate(_AXE_JS, AXE_TAGS):
            elements = [
                f"{node['target']}  {short(node['html'])}"
                + (f"  ({node['message']})" if node["message"] else "")
                for node in violation["nodes"]
            ]
            summary = f"({violation['impact']}) {violation['help']}"
            self.findings.append(Finding("axe", where, violation["id"], summary, elements))

    def _overflow(self, page: Page, where: Where, width: int) -> None:
        found = page.evaluate(_OVERFLOW_JS)
        if found:
            elements = [
                f"{c['selector']} (right edge at {c['right']} px)  {short(c['html'], 100)}"
                for c in found["culprits"]
            ]
            summary = f"(the page is {found['scroll']} px wide in a {found['width']} px window)"
            self.findings.append(
                Finding("width", where, f"scrolls-sideways-at-{width}px", summary, elements)
            )
        wraps = page.evaluate(_NAV_WRAPS_JS) if width == WIDE else None
        if wraps:
            summary = f"(the main navigation is {wraps['height']} px high: on two lines)"
            elements = [f"{text!r} takes two lines" for text in wraps["wrapped"]]
            self.findings.append(
                Finding("width", where, "navigation-wraps-at-1280px", summary, elements)
            )

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def finish(self) -> Audit:
        """The Nu checker over every page kept, what the browser and the server reported
        (JavaScript errors, 5xx), and findings.json."""
        self.close()
        if self.kept:
            self.findings += nu_findings(self.folder / "html", self.kept)
        anywhere = Where("(any page)", "", "", "")
        self.findings += [Finding("page", anywhere, "browser", p) for p in self.watch.problems()]
        write_json(self.folder / "findings.json", self.name, self.audited, self.findings)
        return self

    def problems(self, check: str) -> str:
        return failure_message(check, self.findings, len(self.audited), self.folder)


def run_audit(browser, live_server, name: str, steps: Callable[[Audit], None]) -> Audit:
    """What a module's ``audit`` fixture returns: ``steps`` build a world and open its pages;
    then the Nu checker runs over them all."""
    require_tools()
    audit = Audit(browser, live_server, name)
    try:
        steps(audit)
    finally:
        audit.close()
    return audit.finish()


def assert_clean(audit: Audit, check: str) -> None:
    message = audit.problems(check)
    assert not message, message


class AuditChecks:
    """The four checks of every audit module, each over all the pages its module-scoped
    ``audit`` fixture visited. A module subclasses this as ``class TestXxx(AuditChecks)``: the
    pages are split into modules only so that ``--dist loadfile`` spreads them over workers."""

    def test_every_page_opens(self, audit):
        assert_clean(audit, "page")

    def test_axe_core_finds_no_wcag_21_aa_violation(self, audit):
        assert_clean(audit, "axe")

    def test_the_nu_html_checker_finds_no_error(self, audit):
        assert_clean(audit, "nu")

    def test_no_page_scrolls_sideways_and_the_navigation_fits(self, audit):
        assert_clean(audit, "width")
