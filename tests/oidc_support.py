"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (the npm package
`oidc-provider`, installed by `make install-test`) in a node process on a free port, and a
person's way through its own sign-in and logout pages, driven over HTTP with `requests`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
SECRET = "a-client-secret-for-the-tests"
# The people the provider knows besides anyone (any other login name gets plain claims:
# <name>@hospital.example, verified, named <name>).
ACCOUNTS = {
    "kari": {"email": "kari.nordmann@hospital.example", "name": "Kari Nordmann"},
    "unverified": {"email": "staff@example.org", "email_verified": False, "name": "Not Sam"},
    "sam": {"email": "staff@example.org", "name": "Sam Staff"},
    "gone": {"email": "gone@example.org", "name": "Gone Person"},
    "chief": {
        "email": "chief@hospital.example",
        "name": "Chief Reviewer",
        "groups": ["award-panel", "everyone"],
        "department": "Department of Tumor Biology",
    },
}
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def settings(self, client_id: str = "nominations") -> dict:
        """The app's settings for this provider, as an administrator would set them."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": client_id,
            "OIDC_CLIENT_SECRET": SECRET,
            "OIDC_PROVIDER_NAME": "Test Hospital ID",
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_provider(
    redirect_uris: list[str],
    logout_uris: list[str],
    any_port: tuple[list[str], list[str]] | None = None,
) -> Provider:
    """Start the provider; returns once it printed "listening <issuer>" (or fails).
    ``any_port``: redirect and logout URIs on 127.0.0.1 that the client
    ``nominations-any-port`` may use with any port (for an app started after the provider)."""
    node = shutil.which("node")
    if node is None:
        # `make test` installs everything these tests need: a missing part is a failure.
        pytest.fail("node is not installed (the OpenID Connect tests run a real provider)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "oidc-provider is not installed: run `make install-test` (npm ci in tests/oidc)"
        )
    env = {
        **os.environ,
        "OIDC_TEST_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_TEST_LOGOUT_URIS": ",".join(logout_uris),
        "OIDC_TEST_CLIENT_SECRET": SECRET,
        "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS),
        "OIDC_TEST_ANY_PORT_REDIRECT_URIS": ",".join(any_port[0] if any_port else []),
        "OIDC_TEST_ANY_PORT_LOGOUT_URIS": ",".join(any_port[1] if any_port else []),
    }
    process = subprocess.Popen(
        [node, str(PROVIDER_DIR / "provider.mjs")],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if os.environ.get("OIDC_TEST_DEBUG") else subprocess.DEVNULL,
        text=True,
    )
    ready = threading.Event()
    found: list[str] = []

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith("listening ") and not found:
                found.append(line.split()[1])
                ready.set()
        ready.set()  # the process ended

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout=30) or not found:
        process.kill()
        raise RuntimeError("the OpenID Connect test provider did not start")
    return Provider(found[0], process)


class ProviderBrowser:
    """A person's browser at the provider: follows its redirects until one leads back to the
    app (``app_prefix``), and fills in its sign-in and logout pages."""

    def __init__(self, app_prefix: str) -> None:
        self.session = requests.Session()
        self.app_prefix = app_prefix

    def _follow(self, response: requests.Response) -> requests.Response | str:
        """Redirects within the provider; the first one back to the app is returned as a URL."""
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(self.app_prefix):
                return location
            response = self.session.get(location, allow_redirects=False, timeout=10)
        return response

    def open(self, url: str) -> requests.Response | str:
        return self._follow(self.session.get(url, allow_redirects=False, timeout=10))

    def submit_form(self, page: requests.Response, data: dict) -> requests.Response | str:
        action = FORM_ACTION.search(page.text)
        assert action, f"no form on the provider's page {page.url}"
        fields = {name: unescape(value) for name, value in HIDDEN.findall(page.text)}
        response = self.session.post(
            urljoin(page.url, unescape(action.group(1))),
            data={**fields, **data},
            allow_redirects=False,
            timeout=10,
        )
        return self._follow(response)

    def sign_in(self, authorization_url: str, login: str) -> str:
        """Through the provider's sign-in page; the callback URL back to the app."""
        page = self.open(authorization_url)
        if isinstance(page, str):  # still signed in at the provider
            return page
        assert 'name="login"' in page.text, page.text[:500]
        back = self.submit_form(page, {"prompt": "login", "login": login, "password": "any"})
        assert isinstance(back, str), f"the provider did not send us back: {back.text[:500]}"
        return back
