"""An HTTP client for the servers the benchmark starts: keep-alive where the server allows it,
its own cookies, sign-in through the real form (CSRF included), timed requests. It speaks to
the app as the HTTPS proxy in front of production would (X-Forwarded-Proto)."""

from __future__ import annotations

import http.client
import re
import statistics
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench import project
from bench.servers import HarnessError

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        return self.connection

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of one request."""
        headers = {"X-Forwarded-Proto": "https", "Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}{path}"  # Flask-WTF checks it over HTTPS
        for attempt in (1, 2):  # a server that closed the idle connection: once more
            connection = self._connection()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            self.connection = None
        return response.status, response.getheader("Location", ""), text

    def get_ok(self, path: str) -> str:
        status, location, body = self.request("GET", path)
        if status != 200:
            raise HarnessError(f"GET {path}: {status} {location}")
        return body

    def sign_in(self, email: str, password: str) -> Client:
        page = self.get_ok(project.LOGIN)
        token = CSRF.search(page)
        if token is None:
            raise HarnessError("no CSRF token on the sign-in page")
        form = {"csrf_token": token.group(1), "email": email, "password": password}
        status, location, _ = self.request("POST", project.LOGIN, form)
        if status != 302:
            raise HarnessError(f"signing in as {email}: {status}")
        return self

    def timed(self, path: str, samples: int) -> list[float]:
        """Seconds per GET of ``path``, one after the other, after one untimed request."""
        self.get_ok(path)
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            self.get_ok(path)
            times.append(time.perf_counter() - start)
        return times


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]
