"""The award nominations application: create_app() builds it."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext

from config import load_settings, trusted_hosts
from nominations.extensions import bootstrap, csrf, db, login_manager, mailer, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SESSION_ID = re.compile(r"(?P<user>[0-9]{1,18}):(?P<version>[0-9]{1,18})")


def _database_uri(app: Flask) -> str:
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        return f"sqlite:///{Path(app.instance_path) / 'nominations.db'}"
    # psycopg 3 is the driver we install; accept the plain URLs people copy from elsewhere.
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    settings = load_settings(config_name)
    check = settings.pop("_CHECK")
    app.config.update(settings)
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    check(app.config)
    if app.config["DOCUMENT_STORAGE"] not in ("local", "database"):
        raise RuntimeError(
            f"DOCUMENT_STORAGE is {app.config['DOCUMENT_STORAGE']!r}; use local or database"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite ignores a pool timeout; wait for a lock instead of failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}

    logging.basicConfig(level=logging.INFO)
    _init_extensions(app)
    from nominations import routing

    routing.init_app(app)  # before the blueprints: the id converter
    _register_blueprints(app)

    from nominations import cli, errors, rate_limits, scheduling, templating, unit_of_work
    from nominations.workflow import ranking_cache

    rate_limits.init_app(app)  # after the blueprints: it wraps the views marked for the limit

    unit_of_work.init_app(app)
    ranking_cache.init_app(app)  # the rankings kept per version stamp, and the stamp's hooks
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    scheduling.init_app(app)  # last: may start the in-process scheduler (development only)
    return app


def _init_extensions(app: Flask) -> None:
    from nominations import connection_check, security

    db.init_app(app)
    connection_check.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    from nominations import languages

    languages.init_app(app)  # before the forms and templates: their texts are translated
    mailer.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    security.init_app(app)

    from nominations.auth import oidc

    oidc.init_app(app)  # OpenID Connect sign-in, when OIDC_ISSUER is set

    from nominations.models import User

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # "<id>:<session_version>" (User.get_id): a cookie of an earlier generation (before a
        # sign-out, a new sign-in, a password change, a lost role) signs nobody in.
        match = SESSION_ID.fullmatch(session_id)
        if match is None:
            return None
        user = db.session.get(User, int(match["user"]))
        if user is None or not user.active or user.session_version != int(match["version"]):
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    from nominations.admin import bp as admin_bp
    from nominations.auth import bp as auth_bp
    from nominations.calls import bp as calls_bp
    from nominations.exports import bp as exports_bp
    from nominations.nominate import bp as nominate_bp
    from nominations.public import bp as public_bp
    from nominations.referee import bp as referee_bp
    from nominations.results import bp as results_bp
    from nominations.review import bp as review_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(nominate_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(referee_bp, url_prefix="/referee")
    app.register_blueprint(exports_bp, url_prefix="/exports")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(review_bp, url_prefix="/review")
