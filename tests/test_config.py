import pytest

from config import DEFAULT_SECRET_KEY, load_settings
from nominations import create_app


def test_environment_overrides_settings():
    settings = load_settings(
        "development",
        {
            "TIMEZONE": "Europe/London",
            "MAIL_PORT": "2525",
            "SCHEDULER_ENABLED": "false",
            "DATABASE_URL": "sqlite:////tmp/x.db",
        },
    )
    assert settings["TIMEZONE"] == "Europe/London"
    assert settings["MAIL_PORT"] == 2525
    assert settings["SCHEDULER_ENABLED"] is False
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.db"


def test_production_refuses_default_secret_key(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1/test")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_debug_and_sqlite_with_several_workers(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DEBUG", "1")
    with pytest.raises(RuntimeError, match="DEBUG"):
        create_app("production")
    monkeypatch.delenv("DEBUG")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/prod.db")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(RuntimeError, match="SQLite"):
        create_app("production")


def test_production_starts_with_safe_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1/test")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_links_follow_the_port_make_run_serves_on():
    """`make run PORT=5637`: e-mails and feeds link to :5637, not to the default :5000."""
    assert load_settings("development", {"PORT": "5637"})["BASE_URL"] == "http://127.0.0.1:5637"
    assert load_settings("development", {})["BASE_URL"] == "http://127.0.0.1:5000"
    given = {"PORT": "5637", "BASE_URL": "https://awards.example.org"}
    assert load_settings("development", given)["BASE_URL"] == "https://awards.example.org"
    # In production BASE_URL is the public address behind the proxy, never derived from PORT.
    assert load_settings("production", {"PORT": "8000"})["BASE_URL"] == "http://127.0.0.1:5000"
