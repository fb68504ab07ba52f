"""Production settings: secure cookies, HTTPS, the reverse proxy, and the refusal of unsafe
configurations, also when gunicorn starts the app (its worker count reaches the check)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from config import DEFAULT_SECRET_KEY, check_environment
from nominations import PROJECT_ROOT, create_app
from nominations.models import db
from tests import factories

SECRET = "s" * 48
HTTPS = "https://awards.example.org"


@pytest.fixture
def production_app(app, database_url, tmp_path):
    """The production configuration on the test database (the `app` fixture empties it)."""
    production = create_app(
        "production",
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": HTTPS,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "RATELIMIT_ENABLED": False,
        },
    )
    yield production
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


def _cookies(response) -> dict[str, str]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = header
    return cookies


def _attributes(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def test_session_and_remember_cookies_are_secure_httponly_samesite(production_app, staff):
    client = production_app.test_client()
    page = client.get(f"{HTTPS}/login")
    assert page.status_code == 200
    session_cookie = _cookies(page)["session"]
    assert {"secure", "httponly", "samesite"} <= _attributes(session_cookie)
    assert "SameSite=Lax" in session_cookie

    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    response = client.post(
        f"{HTTPS}/login",
        data={
            "csrf_token": token,
            "email": "staff@example.org",
            "password": factories.PASSWORD,
            "remember": "y",
        },
        headers={"Referer": f"{HTTPS}/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    cookies = _cookies(response)
    assert {"secure", "httponly", "samesite"} <= _attributes(cookies["session"])
    assert {"secure", "httponly", "samesite", "expires"} <= _attributes(cookies["remember_token"])


def test_plain_http_is_sent_to_https_but_the_health_check_answers(production_app):
    client = production_app.test_client()
    response = client.get("http://awards.example.org/login?next=/admin/")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{HTTPS}/login?next=/admin/"
    health = client.get("http://awards.example.org/healthz")
    assert health.status_code in (200, 503)  # the test database is not built by migrations
    assert health.get_json()["database"] == "reachable"


def test_https_answers_carry_hsts(production_app):
    response = production_app.test_client().get(f"{HTTPS}/")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # Development over plain HTTP must not pin browsers to HTTPS.
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_address_count(app, database_url):
    seen = {}
    proxied = create_app(
        "production",
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_PROXY_COUNT": 1,
            "TRUSTED_HOSTS": ["10.0.0.5"],
        },
    )

    @proxied.get("/_probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    client = proxied.test_client()
    response = client.get(
        "http://10.0.0.5/_probe",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 200
    assert seen == {"addr": "203.0.113.9", "secure": True}
    # Without a trusted proxy the headers are the client's word and count for nothing.
    direct = create_app(
        "production",
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "TRUSTED_HOSTS": ["10.0.0.5"],
        },
    )
    direct.add_url_rule("/_probe", "probe", probe)
    response = direct.test_client().get(
        "http://10.0.0.5/_probe",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 301  # still plain HTTP: sent to HTTPS
    response = direct.test_client().get(
        "https://10.0.0.5/_probe",
        headers={"X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert seen["addr"] == "10.0.0.1"
    with proxied.app_context():
        db.engine.dispose()


PG = {"DATABASE_URL": "postgresql://127.0.0.1/awards", "SECRET_KEY": SECRET}


def test_a_host_we_do_not_serve_gets_400_and_no_redirect_to_it(production_app):
    client = production_app.test_client()
    assert production_app.config["TRUSTED_HOSTS"] == ["awards.example.org"]  # from BASE_URL
    for url in ("http://evil.example/login?next=/admin/", "https://evil.example/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Location" not in response.headers
        assert "evil.example" not in response.get_data(as_text=True)
    # Also when the name comes in the Host header of a request for our address.
    response = client.get("http://awards.example.org/", headers={"Host": "evil.example"})
    assert response.status_code == 400 and "Location" not in response.headers
    # The site's own name still answers (and is sent to HTTPS).
    assert client.get("http://awards.example.org/").status_code == 301
    assert client.get(f"{HTTPS}/").status_code == 200


def test_trusted_hosts_come_from_the_environment():
    from config import load_settings, trusted_hosts

    development = load_settings("development", {})
    assert trusted_hosts(development) == ["localhost", "127.0.0.1"]
    production = load_settings("production", {"BASE_URL": "https://awards.example.org/x"})
    assert trusted_hosts(production) == ["awards.example.org"]
    production = load_settings(
        "production",
        {"BASE_URL": "https://awards.example.org", "TRUSTED_HOSTS": "a.example, .b.example"},
    )
    assert trusted_hosts(production) == ["a.example", ".b.example"]


@pytest.mark.parametrize(
    ("environ", "workers", "reason"),
    [
        ({**PG, "SECRET_KEY": DEFAULT_SECRET_KEY}, 1, "SECRET_KEY must be set"),
        ({**PG, "SECRET_KEY": "short"}, 1, "SECRET_KEY is too short"),
        ({**PG, "DEBUG": "1"}, 1, "DEBUG must be off"),
        ({**PG, "SESSION_COOKIE_SECURE": "0"}, 1, "SESSION_COOKIE_SECURE must stay on"),
        ({"SECRET_KEY": SECRET}, 2, "SQLite cannot serve several web workers"),
        ({"SECRET_KEY": SECRET, "DATABASE_URL": "sqlite:////srv/a.db"}, 4, "SQLite cannot"),
        ({"SECRET_KEY": SECRET, "WEB_CONCURRENCY": "3"}, None, "SQLite cannot"),
    ],
)
def test_unsafe_production_settings_are_refused(environ, workers, reason):
    with pytest.raises(RuntimeError, match=reason):
        check_environment("production", environ, workers=workers)


def test_safe_production_settings_pass():
    check_environment("production", PG, workers=8)
    check_environment("production", {"SECRET_KEY": SECRET}, workers=1)  # SQLite, one worker
    check_environment("development", {}, workers=4)  # only production is this strict


def _gunicorn_config() -> dict:
    namespace: dict = {"__file__": str(PROJECT_ROOT / "gunicorn.conf.py")}
    exec((PROJECT_ROOT / "gunicorn.conf.py").read_text(), namespace)
    return namespace


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    for name, value in {
        "WEB_CONCURRENCY": "5",
        "BIND": "0.0.0.0:8080, unix:/run/awards.sock",
        "GUNICORN_TIMEOUT": "90",
        "GUNICORN_ACCESS_LOG": "/var/log/awards/access.log",
    }.items():
        monkeypatch.setenv(name, value)
    settings = _gunicorn_config()
    assert settings["workers"] == 5
    assert settings["bind"] == ["0.0.0.0:8080", "unix:/run/awards.sock"]
    assert settings["timeout"] == 90
    assert settings["accesslog"] == "/var/log/awards/access.log"
    assert settings["wsgi_app"] == "nominations.wsgi:app"
    for name in ("WEB_CONCURRENCY", "BIND", "GUNICORN_TIMEOUT", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("PORT", "9000")
    settings = _gunicorn_config()
    assert settings["bind"] == ["0.0.0.0:9000"] and settings["workers"] == 2
    assert settings["accesslog"] == "-"


def test_gunicorn_hands_its_worker_count_to_the_check(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("NOMINATIONS_CONFIG", raising=False)
    on_starting = _gunicorn_config()["on_starting"]
    # `gunicorn -w 3` on SQLite: refused before any worker starts.
    with pytest.raises(RuntimeError, match=r"SQLite cannot serve several web workers \(3\)"):
        on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))
    assert os.environ["WEB_CONCURRENCY"] == "3"  # what each worker's create_app checks
    on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1/awards")
    on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))


def _clean_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN", "WEB_CONC"))}
    for name in ("DATABASE_URL", "SECRET_KEY", "NOMINATIONS_CONFIG", "DEBUG", "PORT", "BIND"):
        env.pop(name, None)
    env.update(INSTANCE_PATH=str(tmp_path), **extra)
    return env


def test_a_gunicorn_worker_puts_the_loaded_application_out_of_the_collectors_way():
    import gc

    post_worker_init = _gunicorn_config()["post_worker_init"]
    try:
        post_worker_init(None)
        assert gc.get_freeze_count() > 10_000  # everything imported so far
    finally:
        gc.unfreeze()


def test_real_gunicorn_refuses_sqlite_with_several_workers(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "-c", "gunicorn.conf.py", "-w", "3", "-b", "127.0.0.1:0"],
        cwd=PROJECT_ROOT,
        env=_clean_env(tmp_path, SECRET_KEY=SECRET),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "SQLite cannot serve several web workers (3)" in result.stderr
    assert "Booting worker" not in result.stderr


def test_the_wsgi_entry_defaults_to_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import nominations.wsgi"],
        cwd=PROJECT_ROOT,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Unsafe production configuration: SECRET_KEY must be set" in result.stderr
