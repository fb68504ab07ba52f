"""The review form in a real browser: the weighted total follows the scores as they are chosen,
from the page's own script file under the Content-Security-Policy (no inline script).

The browser's requests are answered by the Flask test client through Playwright's routing, so
no server process is needed.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nominations.models import db
from nominations.workflow.rubric import category_criteria
from tests.review_setup import browser, world

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def test_weighted_total_updates_live(app):
    sync_api = pytest.importorskip("playwright.sync_api")
    w = world()
    nomination = w.nominations["other"]
    excellence, impact, leadership = category_criteria(w.category)
    client = browser(app, w.reviewer.email)
    script_errors: list[str] = []

    def answer(route):
        parts = urlsplit(route.request.url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        route.fulfill(
            status=response.status_code,
            headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"},
            body=response.get_data(),
        )

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = chromium.new_page()
            page.on("pageerror", lambda error: script_errors.append(str(error)))
            page.on(
                "console",
                lambda message: (
                    script_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.route("http://review.test/**", answer)
            page.goto(f"http://review.test/review/nominations/{nomination.id}")
            total = page.locator("#weighted-total")
            assert total.text_content() == "—"
            page.select_option(f"#score_{excellence.id}", "6")
            sync_api.expect(total).to_have_text("6.00")
            assert "1 of 3 criteria" in page.locator("#weighted-total-note").text_content()
            page.select_option(f"#score_{impact.id}", "5")
            page.select_option(f"#score_{leadership.id}", "3")
            # (2*6 + 5 + 3) / 4
            sync_api.expect(total).to_have_text("5.00")
            page.select_option(f"#score_{leadership.id}", "7")
            sync_api.expect(total).to_have_text("6.00")
            # A reviewer reading bokmål: the script writes the page's own sentence.
            w.reviewer.locale = "nb"
            db.session.commit()
            page.goto(f"http://review.test/review/nominations/{nomination.id}")
            page.select_option(f"#score_{impact.id}", "4")
            note = page.locator("#weighted-total-note")
            sync_api.expect(note).to_have_text("(1 av 3 kriterier har fått poeng så langt)")
        finally:
            chromium.close()
    assert script_errors == []
