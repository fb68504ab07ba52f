"""Helpers for the tests that run real processes (gunicorn, `flask scheduler`) on PostgreSQL.

- ``own_database(env_var, default)``: a PostgreSQL database of the test's own (created when
  missing), held with an advisory lock so that two runs at once (two worktrees, two CI jobs)
  take turns instead of dropping each other's schema. Skips only when nothing answers on the
  host and port.
- ``rebuild_schema()``: an empty schema brought up with the migrations, as in production.
- ``Processes``: started in process groups of their own, so that stopping one stops its
  children too (gunicorn's workers); ``stop_all`` ends every group, SIGKILL after a timeout.
- ``wait_for``: poll a condition with a timeout; on timeout the processes' logs are shown.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nominations import PROJECT_ROOT, create_app
from nominations.models import db

# Settings the test sets itself; taken out of the inherited environment so that nothing from the
# developer's shell (or another test) leaks into the processes.
OWN_PREFIXES = ("SCHEDULER_", "MAIL_", "FLASK_", "GUNICORN_", "RATELIMIT_")
OWN_NAMES = {
    "WERKZEUG_RUN_MAIN",
    "WEB_CONCURRENCY",
    "BIND",
    "PORT",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "SECRET_KEY",
    "NOMINATIONS_CONFIG",
    "DEBUG",
    "TESTING",
    "BASE_URL",
    "FORCE_HTTPS",
    "TRUSTED_PROXY_COUNT",
    "TRUSTED_HOSTS",
    "PASSWORD_HASH_METHOD",
    "UPLOAD_FOLDER",
    "DOCUMENT_STORAGE",
    "INSTANCE_PATH",
    "LOGIN_RATE_LIMIT",
    "SESSION_COOKIE_SECURE",
    "FORWARDED_ALLOW_IPS",
    "DEFAULT_LANGUAGE",
}


@contextmanager
def own_database(env_var: str, default: str) -> Iterator[str]:
    """The URL (psycopg driver) of a database of our own, locked for the caller's turn."""
    url = make_url(os.environ.get(env_var) or default)
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=3).close()
    except OSError as error:
        pytest.skip(f"PostgreSQL is unreachable at {url.host}:{url.port or 5432}: {error}")
    url = url.set(drivername="postgresql+psycopg")
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            # A session advisory lock, held until the caller is done with the database.
            connection.execute(
                text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": url.database}
            )
            try:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": url.database},
                ).scalar()
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{url.database}"'))
                yield url.render_as_string(hide_password=False)
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": url.database}
                )
    finally:
        maintenance.dispose()


def rebuild_schema() -> None:
    """Drop everything in the current app's database and upgrade it from empty (migrations)."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade()


@contextmanager
def migrated_app(url: str) -> Iterator:
    """An app (testing settings) on ``url`` with the schema rebuilt by the migrations, inside
    its app context, for seeding and checking what the processes did."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        rebuild_schema()
        yield app
        db.session.remove()
        db.engine.dispose()


def clean_environment(**settings: str) -> dict[str, str]:
    """The inherited environment without our own settings, plus ``settings``. The processes
    speak English, as the rest of the suite does (TestingConfig), unless told otherwise: their
    visitors and recipients have no language of their own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(OWN_PREFIXES) and key not in OWN_NAMES
    }
    env.update(PYTHONPATH=str(PROJECT_ROOT), PYTHONUNBUFFERED="1", DEFAULT_LANGUAGE="en")
    env.update(settings)
    return env


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports on 127.0.0.1 (held together while choosing them)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# A test process killed outright (SIGKILL, a CI timeout) cannot stop what it started: the
# servers and schedulers would keep their ports and the scheduler's lease, and the next run's
# stand-by would wait for them. util-linux's setpriv asks the kernel to send them SIGTERM when
# the process that started them dies (PR_SET_PDEATHSIG; a clean stop: gunicorn ends its
# workers, a scheduler gives up its lease).
DIES_WITH_THE_TESTS = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []


class Processes:
    """Processes started in groups of their own; ``stop_all`` ends each group and waits."""

    def __init__(self) -> None:
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("w") as output:
            process = subprocess.Popen(
                [*DIES_WITH_THE_TESTS, *command],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: gunicorn's workers included
            )
        self.started.append((process, log))
        return process

    @property
    def logs(self) -> list[Path]:
        return [log for _, log in self.started]

    def log_tails(self, chars: int = 3000) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}"
            for log in self.logs
            if log.exists()
        )

    @staticmethod
    def _signal_group(process: subprocess.Popen, signum: int) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)  # the group id is the leader's pid

    def stop_all(self, timeout: float = 15) -> None:
        """SIGTERM every group (a clean stop), then SIGKILL what is left after ``timeout``."""
        for process, _ in self.started:
            self._signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process, _ in self.started:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        for process, _ in self.started:
            # Also when the leader is gone: a worker left behind still belongs to the group.
            self._signal_group(process, signal.SIGKILL)
            if process.poll() is None:
                process.wait(timeout=10)


def wait_for(
    condition: Callable[[], object],
    timeout: float,
    what: str,
    processes: Processes | None = None,
    interval: float = 0.2,
):
    """Poll ``condition`` (each time in a fresh transaction) until it is truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()  # a fresh snapshot of what the other processes wrote
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    logs = processes.log_tails() if processes else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")


# ---------------------------------------------------------------------------------------------
# A browser for real servers, from the standard library

ALERT_RE = re.compile(
    r'<div (?:id="[^"]*" )?class="(?:alert alert-[a-z]+|invalid-feedback)[^"]*"[^>]*>(.*?)</div>',
    re.S,
)
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class Page:
    status: int
    location: str  # the path a redirect points to ("" when none)
    text: str
    port: int
    content: bytes = b""  # the body as sent (a download, byte for byte)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        """Flashed messages, form errors and field errors, as the user reads them."""
        return [
            " ".join(html.unescape(TAG_RE.sub(" ", raw)).split())
            for raw in ALERT_RE.findall(self.text)
        ]

    @property
    def csrf_token(self) -> str | None:
        match = TOKEN_RE.search(self.text)
        return html.unescape(match.group(1)) if match else None


class Browser:
    """One person's browser behind a load balancer that terminates HTTPS.

    Requests go to the servers in turn (round robin from ``first``), with the public host
    name, ``X-Forwarded-Proto: https`` and the person's own address in ``X-Forwarded-For`` (as
    the proxy sends them), and a ``Referer`` from the same site, as a browser sends with a
    form over HTTPS (Flask-WTF checks it). Cookies are kept by hand: they are ``Secure``, and
    between the proxy and the server the connection is plain HTTP. Redirects are not followed:
    ``follow`` does that, so the test sees each answer.
    """

    def __init__(
        self, ports: list[int], *, first: int = 0, address: str, host: str, timeout: float = 60
    ) -> None:
        self.ports = ports
        self.turn = first
        self.address = address
        self.host = host
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.last_page = f"https://{host}/"

    def _next_port(self) -> int:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        return port

    def request(
        self,
        method: str,
        path: str,
        fields: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Page:
        port = self._next_port()
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Referer": self.last_page,
            "User-Agent": "multiprocess-test",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            body, headers["Content-Type"] = multipart(fields or {}, files)
        elif fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        location = response.getheader("Location") or ""
        if method == "GET" and response.status == 200:
            self.last_page = f"https://{self.host}{path}"
        text = content.decode("utf-8", errors="replace")
        headers = dict(response.headers.items())
        return Page(response.status, urlsplit(location).path, text, port, content, headers)

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str], files=None) -> Page:
        return self.request("POST", path, fields, files)

    def follow(self, page: Page) -> Page:
        return self.get(page.location)

    def login(self, email: str, password: str) -> None:
        form = self.get("/login")
        assert form.status == 200 and form.csrf_token, (form.status, form.messages)
        answer = self.post(
            "/login", {"csrf_token": form.csrf_token, "email": email, "password": password}
        )
        assert answer.status == 302, (email, answer.status, answer.messages)


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type (files: name -> (filename, bytes, type))."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
