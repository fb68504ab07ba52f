"""The pieces behind the browser fixtures (see tests/browser/conftest.py for how to use them)."""

from __future__ import annotations

import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from flask import got_request_exception
from flask_migrate import upgrade
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Response, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from nominations import PROJECT_ROOT, create_app
from nominations.demo.letters import text_pdf
from nominations.models import db
from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
PASSWORD = factories.PASSWORD


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:  # errors are still logged
        pass


class LiveServer:
    """The app on a real HTTP server in a thread: werkzeug, 127.0.0.1, a free port, its own
    SQLite file built by the migrations (flask_migrate.upgrade), CSRF on, errors rendered as
    in production (TESTING off) and recorded in ``errors`` (the ``watch`` fixture fails a test
    whose requests raised)."""

    def __init__(self, root: Path, **overrides) -> None:
        self.root = root
        self.database = root / "live.db"
        self.uploads = root / "uploads"
        self.app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.database}",
                "UPLOAD_FOLDER": str(self.uploads),
                "TESTING": False,
                "WTF_CSRF_ENABLED": True,
                "RATELIMIT_ENABLED": False,
                "MAIL_SUPPRESS_SEND": True,
                **overrides,
            },
        )
        with self.app.app_context():
            upgrade()
        self.errors: list[BaseException] = []
        got_request_exception.connect(self._record_error, self.app, weak=False)
        self._server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler
        )
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.app.config["BASE_URL"] = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="live-server", daemon=True
        )

    def _record_error(self, sender, exception: BaseException, **extra) -> None:
        self.errors.append(exception)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        with self.app.app_context():
            db.engine.dispose()

    @contextmanager
    def app_context(self):
        """``with live_server.app_context(): factories.user(...)`` to prepare data."""
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    def reset(self) -> None:
        """Empty every table (the schema and its alembic_version stay) and the uploads."""
        with self.app_context():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
        shutil.rmtree(self.uploads, ignore_errors=True)
        self.errors.clear()


def launch_chromium(playwright) -> Browser:
    """Debian's Chromium; Playwright never downloads a browser here."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class Watch:
    """What the browser and the server reported while a test ran."""

    server: LiveServer
    console: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        text = f"{message.type}: {message.text}"
        self.console.append(text)
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(text)

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def problems(self) -> list[str]:
        return (
            [f"CSP violation: {v}" for v in self.csp_violations]
            + [f"JavaScript error: {e}" for e in self.page_errors]
            + [f"server answered {e}" for e in self.server_errors]
            + [f"server raised {e!r}" for e in self.server.errors]
        )

    def clear(self) -> None:
        """Forget what was reported so far (after provoking something on purpose)."""
        self.console.clear()
        self.csp_violations.clear()
        self.page_errors.clear()
        self.server_errors.clear()
        self.server.errors.clear()


class Screenshots:
    """``shot("signed-in")`` saves test-output/screenshots/<module>/<test>/NN-signed-in.png;
    ``shot("draft saved", other_page)`` takes another person's page (from ``new_page()``)."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)

    def __call__(self, name: str, page: Page | None = None) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path


@dataclass(frozen=True)
class InputFormats:
    """How this Chromium lays out <input type=date/time> (it follows the browser's own UI
    language, not the page's), so that tests can type into them as a person would."""

    date_order: str  # e.g. "MDY" or "DMY" or "YMD"
    clock_24h: bool

    @classmethod
    def detect(cls, browser: Browser) -> InputFormats:
        page = browser.new_page()
        try:
            page.set_content(
                '<input id="d" type="date" aria-label="d"><input id="t" type="time" aria-label="t">'
            )
            page.locator("#d").focus()
            page.keyboard.type("01022003")  # the parts in the order shown
            value = page.locator("#d").input_value()
            # Else year first (type_date checks the value it gets, so a wrong guess fails).
            order = {"2003-01-02": "MDY", "2003-02-01": "DMY"}.get(value, "YMD")
            page.locator("#t").focus()
            page.keyboard.type("0100")  # complete on a 24-hour clock; 12 hours wait for AM/PM
            clock_24h = page.locator("#t").input_value() == "01:00"
        finally:
            page.close()
        return cls(order, clock_24h)

    def type_date(self, field: Locator, value: date) -> None:
        """Focus the date input and type the date, part by part, with the keyboard."""
        parts = {"D": f"{value.day:02d}", "M": f"{value.month:02d}", "Y": f"{value.year:04d}"}
        field.focus()
        field.page.keyboard.type("".join(parts[p] for p in self.date_order))
        expect(field).to_have_value(value.isoformat())

    def type_time(self, field: Locator, value: time) -> None:
        field.focus()
        if self.clock_24h:
            typed = f"{value.hour:02d}{value.minute:02d}"
        else:
            hour = value.hour % 12 or 12
            typed = f"{hour:02d}{value.minute:02d}{'P' if value.hour >= 12 else 'A'}"
        field.page.keyboard.type(typed)
        expect(field).to_have_value(f"{value.hour:02d}:{value.minute:02d}")


# --- helpers for tests -------------------------------------------------------------------

CONTROLS = (
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset])"
    ":not([type=image]), select, textarea"
)
ARIA_INVALID = {"true", "false", "grammar", "spelling"}


def assert_controls_labelled(page: Page) -> int:
    """Every visible input, select and textarea on the page has an accessible name; one with
    a <label> is found by that label (``page.get_by_label``); aria-describedby/-labelledby
    point at elements that exist; buttons have names too. Returns how many were checked."""
    controls = page.locator(CONTROLS)
    checked = 0
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():  # e.g. inside a collapsed menu: not in the tree now
            continue
        expect(control).to_have_accessible_name(re.compile(r"\S"))
        info = control.evaluate(
            """el => ({
                id: el.id,
                labels: Array.from(el.labels || []).map(l => l.textContent.trim()),
                refs: ['aria-describedby', 'aria-labelledby'].flatMap(a =>
                    (el.getAttribute(a) || '').split(/\\s+/).filter(Boolean)
                        .filter(id => !document.getElementById(id)).map(id => a + '=' + id)),
                invalid: el.getAttribute('aria-invalid'),
            })"""
        )
        assert not info["refs"], f"#{info['id']} refers to missing elements: {info['refs']}"
        assert info["invalid"] in (None, *ARIA_INVALID), f"#{info['id']} aria-invalid"
        for label in info["labels"]:
            found = page.get_by_label(label, exact=True).evaluate_all("els => els.map(e => e.id)")
            assert info["id"] in found, f"label {label!r} does not lead to #{info['id']}"
        checked += 1
    buttons = page.locator("button, input[type=submit], input[type=button]")
    for index in range(buttons.count()):
        if buttons.nth(index).is_visible():
            expect(buttons.nth(index)).to_have_accessible_name(re.compile(r"\S"))
    return checked


def is_focused(field: Locator) -> bool:
    return field.evaluate("el => el === document.activeElement")


def tab_to(page: Page, field: Locator, limit: int = 40) -> int:
    """Press Tab until ``field`` has the focus; the number of presses (fails past ``limit``)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if is_focused(field):
            return presses
    raise AssertionError(f"{field} not reached with {limit} presses of Tab")


def nav_to(page: Page, name: str) -> None:
    """Follow a link of the main navigation as a person would: the administrators' pages are
    in the bar's "Admin" menu, opened first."""
    bar = page.get_by_role("navigation", name="Main navigation")
    link = bar.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        bar.get_by_role("button", name="Admin").click()
    link.click()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the real sign-in form; ends on the page the site redirects to."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Signed in as")
    # The alert shows while the scripts at the end of the page may still be loading; a click
    # on a control that a script drives (the menu toggle) would go unanswered before them.
    page.wait_for_load_state("load")


def write_pdf(path: Path, *lines: str) -> Path:
    """A small, valid one-page PDF, as a person would upload: the app checks the content, not
    the name."""
    path.write_bytes(text_pdf(*lines))
    return path


@contextmanager
def confirming(page: Page, expected: str):
    """Accept the confirmation the next click asks for, after checking that it was asked and
    says ``expected`` (Playwright would otherwise dismiss it, and the action not happen)."""
    asked: list[str] = []

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    # The question comes from app.js (data-confirm), which runs at the end of the page: a
    # click before the page has loaded would go through unasked, so wait as a person would.
    page.wait_for_load_state("load")
    page.once("dialog", accept)
    yield
    assert asked, f"no confirmation was asked (expected one saying {expected!r})"
    assert expected in asked[0], asked[0]
