"""Security headers, no open redirects, and no inline code anywhere the CSP would block it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from nominations import PROJECT_ROOT
from nominations.demo import DEMO_PASSWORD, USERS, load_demo
from nominations.models import db
from tests import factories
from tests.html_audit import crawl, inline_code_problems, source_problems


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("url", ["/", "/login", "/no/such/page", "/calls.json"])
def test_security_headers_on_every_answer(client, url):
    response = client.get(url)
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    for directive in ("script-src", "style-src", "default-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(csp[directive])
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_signed_in_pages_carry_the_headers_too(client, admin):
    client.login("admin@example.org")
    response = client.get("/admin/rounds")
    assert response.status_code == 200
    assert csp_directives(response)["script-src"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"


OFF_SITE = [
    "https://evil.example.com/",
    "//evil.example.com/",
    "/\\evil.example.com",
    "\\\\evil.example.com",
    "/\t/evil.example.com",
    " //evil.example.com",
    "https:evil.example.com",
    "javascript:alert(1)",
    "http:///evil.example.com",
    "evil.example.com",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leaves_the_site_after_signing_in(client, staff, target):
    response = client.submit(
        "/login",
        {"email": "staff@example.org", "password": factories.PASSWORD},
        page="/login",
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leaves_the_site_when_already_signed_in(client, staff, target):
    client.login("staff@example.org")
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target


def test_next_keeps_a_path_with_its_query(client, staff):
    client.login("staff@example.org")
    response = client.get("/login", query_string={"next": "/admin/users?q=ada"})
    assert response.headers["Location"] == "/admin/users?q=ada"


def test_being_sent_to_login_keeps_only_the_local_path(client):
    response = client.get("/admin/users?q=x")
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    assert "//" not in location.split("next=", 1)[1]


# --- no inline code: the sources of every template, and every page the app renders ---

SERVED_TEMPLATES = sorted(
    path
    for path in (PROJECT_ROOT / "templates").rglob("*.html")
    if "emails" not in path.relative_to(PROJECT_ROOT / "templates").parts
)


@pytest.mark.parametrize(
    "template", SERVED_TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT / "templates"))
)
def test_template_source_has_no_inline_script_style_or_handlers(template):
    assert source_problems(template.read_text()) == []


def test_the_checks_catch_what_the_csp_would_block():
    html = """<p style="color:red" onclick="go()">x</p><script>alert(1)</script>
    <script src="/static/js/app.js"></script><style>p{}</style><a href="javascript:go()">y</a>"""
    problems = inline_code_problems(html)
    assert len(problems) == 5, problems
    assert len(source_problems(html)) == 5
    assert inline_code_problems('<script src="/a.js"></script><p class="x">ok</p>') == []


class _RequiredForms(HTMLParser):
    """POST forms holding a required field, with the fields a browser would send emptied:
    sent back so, they must only show errors (the error state is a page to audit too)."""

    EMPTIED = {"checkbox", "radio", "file", "submit", "button", "image", "reset", "hidden"}

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._form = {"action": attributes.get("action") or "", "required": False, "data": {}}
        elif self._form is not None and tag in ("input", "textarea", "select"):
            kind = (attributes.get("type") or "text").lower() if tag == "input" else tag
            if "required" in attributes and kind != "hidden":
                self._form["required"] = True
            if attributes.get("name") and kind not in self.EMPTIED:
                self._form["data"][attributes["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form["required"]:
                self.forms.append(self._form)
            self._form = None


def _routes_without_arguments(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and not rule.endpoint.endswith("static")
        and rule.endpoint != "auth.logout"
    )


def _audit(client, app, label: str) -> int:
    pages = crawl(client, ["/", "/login", "/no/such/page", *_routes_without_arguments(app)])
    failures = []
    checked = 0
    for url, (status, html) in pages.items():
        if status == 500:
            failures.append(f"{label} {url}: HTTP {status}")
        if not html:
            continue
        checked += 1
        failures += [f"{label} {url}: {p}" for p in inline_code_problems(html)]
        # The same page with its form sent back empty: the error state is a page too.
        parser = _RequiredForms()
        parser.feed(html)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        for form in parser.forms:
            target = form["action"] or url
            data = {**form["data"], "csrf_token": token.group(1) if token else ""}
            response = client.post(target, data=data)
            if response.status_code == 500:
                failures.append(f"{label} POST {target}: HTTP {response.status_code}")
            if "text/html" in response.content_type:
                checked += 1
                failures += [
                    f"{label} POST {target}: {p}"
                    for p in inline_code_problems(response.get_data(as_text=True))
                ]
    assert failures == []
    return checked


def test_every_rendered_page_is_free_of_inline_code(app, make_client):
    load_demo()
    db.session.commit()  # the test is the edge: the pages read what the loader stored
    checked = _audit(make_client(), app, "anonymous")
    for email, *_ in USERS:
        visitor = make_client()
        visitor.login(email, DEMO_PASSWORD)
        checked += _audit(visitor, app, email)
    assert checked >= 20  # the crawl did reach the admin pages and forms
