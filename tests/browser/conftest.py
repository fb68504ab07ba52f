"""End-to-end tests in a real browser: Playwright (sync API) driving Debian's Chromium.

Run them with the rest (`make test`), or alone: ``pytest -m browser`` / ``pytest tests/browser``;
every test module here sets ``pytestmark = pytest.mark.browser``.
They are skipped when /usr/bin/chromium is missing (``make browser`` installs it); Playwright
never downloads a browser.

Fixtures
--------
``live_server`` (package scope)
    The app served over real HTTP by werkzeug in a thread on 127.0.0.1 and a free port, with its
    own SQLite file built by the migrations. ``live_server.url``; ``live_server.app``;
    ``with live_server.app_context(): factories.user(...)`` to prepare data (tests/factories.py
    works as in the other tests). Tables and uploads are emptied after every test. The server
    runs in this process, so ``time_machine.travel(...)`` moves its clock too (not the
    browser's). Errors render as in production and are recorded.
``browser`` (package scope)
    The Chromium instance (launched with ``executable_path="/usr/bin/chromium"``).
``context`` / ``page``
    A fresh browser context per test (no cookies; base URL = the live server, so
    ``page.goto("/login")`` works; en-GB, Europe/Oslo) and its page. Several users at once:
    ``second = new_page()`` gives another context (another person).
``watch``
    What the browser and server reported: ``watch.csp_violations``, ``watch.page_errors``
    (JavaScript exceptions), ``watch.server_errors`` (HTTP 5xx), ``live_server.errors``.
    After every test it FAILS the test when any of those is not empty, so no page may break
    the Content-Security-Policy. Provoking one on purpose? ``watch.clear()`` afterwards.
``shot``
    ``shot("round created")`` saves test-output/screenshots/<module>/<test>/NN-round-created.png
    (full page); ``shot("draft saved", staff)`` shoots another page than ``page``. A failing
    test also leaves a ``failure`` screenshot there (``failure-N`` for ``new_page()`` pages).
``inputs``
    Types into date and time inputs with the keyboard as a person would, whatever order this
    Chromium shows the parts in: ``inputs.type_date(page.get_by_label("Opens on"), date(...))``,
    ``inputs.type_time(locator, time(9, 0))``.
``users``
    admin@example.org (admin, staff), staff@example.org, reviewer@example.org in the live
    database, password ``tests.factories.PASSWORD``.

Helpers in tests/browser/support.py: ``sign_in(page, email)``, ``assert_controls_labelled(page)``
(every input/select/textarea has an accessible name and its <label> finds it),
``tab_to(page, locator)`` and ``is_focused(locator)`` for keyboard-only paths.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests import factories
from tests.browser.support import (
    CHROMIUM,
    SCREENSHOTS,
    InputFormats,
    LiveServer,
    Screenshots,
    Watch,
    launch_chromium,
)

# Assertions wait as long as actions do (10 s, set per context below): under a loaded CI machine
# (two cores, three workers) Playwright's 5 s default for expect() has run out once on a page
# that was still loading. Waiting is for an event, so the time only matters when it fails.
expect.set_options(timeout=10_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live")).start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (scripts/ensure-chromium.sh)")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def input_formats(browser) -> InputFormats:
    return InputFormats.detect(browser)


@pytest.fixture
def inputs(input_formats) -> InputFormats:
    return input_formats


@pytest.fixture
def watch(live_server, request) -> Iterator[Watch]:
    observed = Watch(live_server)
    yield observed
    problems = observed.problems()
    call = getattr(request.node, "report_call", None)
    if problems and call is not None and call.passed:
        pytest.fail("The browser or the server reported:\n" + "\n".join(problems))


@pytest.fixture
def new_page(browser, live_server, watch, request) -> Iterator:
    """``new_page()``: a page in a context of its own (another person, other cookies).
    When the test fails, each of these pages leaves a ``failure-N`` screenshot."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/Oslo",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        return page

    yield make
    call = getattr(request.node, "report_call", None)
    failed = call is not None and call.failed
    first = 2 if "page" in request.fixturenames else 1  # ``page`` saves its own failure.png
    for number, context in enumerate(contexts, start=1):
        if failed and number >= first:
            for opened in context.pages:
                path = _folder(request) / f"failure-{number}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                opened.screenshot(path=str(path), full_page=True)
        context.close()


@pytest.fixture
def page(new_page, request) -> Iterator[Page]:
    page = new_page()
    yield page
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed and not page.is_closed():
        path = _folder(request) / "failure.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)


@pytest.fixture
def context(page) -> BrowserContext:
    return page.context


def _folder(request):
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    return SCREENSHOTS / module / request.node.name


@pytest.fixture
def shot(page, request) -> Screenshots:
    return Screenshots(page, _folder(request))


@pytest.fixture(autouse=True)
def _empty_live_database(request) -> Iterator[None]:
    yield
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server").reset()


@pytest.fixture
def users(live_server) -> dict[str, str]:
    with live_server.app_context():
        factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
        factories.user("staff@example.org", "Sam Staff")
        factories.user("reviewer@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    return {
        "admin": "admin@example.org",
        "staff": "staff@example.org",
        "reviewer": "reviewer@example.org",
    }
