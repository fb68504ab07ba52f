"""Configuration classes.

Every setting can be overridden from the environment with a variable of the same name
(``DATABASE_URL`` is the one exception: it fills ``SQLALCHEMY_DATABASE_URI``). The class is
chosen with ``NOMINATIONS_CONFIG`` (development, testing, production; development by default).
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

DEFAULT_SECRET_KEY = "dev-only-secret-change-me"


class Config:
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = ""  # filled in by create_app: SQLite under instance/
    # No ping at every checkout (a round trip per request): a pooled connection is checked
    # only after it sat unused this long (nominations/connection_check.py).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": False}
    DATABASE_CHECK_IDLE_SECONDS = 10
    TIMEZONE = "Europe/Oslo"
    SITE_NAME = "Award nominations"
    SITE_NAME_NB = "Prisnominasjoner"  # the site's name for readers of bokmål
    # The language of anyone who has not chosen one and whose browser asks for neither
    # bokmål nor English (nb or en; nominations/languages.py).
    DEFAULT_LANGUAGE = "nb"
    BASE_URL = "http://127.0.0.1:5000"

    # Mail (Flask-Mail). MAIL_LOG_MESSAGES also writes each message to the log.
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "awards@example.org"
    MAIL_SUPPRESS_SEND = False
    MAIL_LOG_MESSAGES = False
    MAIL_MAX_ATTEMPTS = 8

    # Where supporting documents are kept: "local" (files in UPLOAD_FOLDER, for one host) or
    # "database" (chunks in the database, which every host shares). `flask --app nominations
    # documents move --to database` carries existing documents across (see the README).
    DOCUMENT_STORAGE = "local"
    # Uploads: kept outside the web root; "" means instance/uploads.
    UPLOAD_FOLDER = ""
    MAX_FILE_BYTES = 10 * 1024 * 1024
    MAX_TOTAL_BYTES = 40 * 1024 * 1024
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    # The text fields of one form (not files) may take this much: enough for any value the
    # forms' own limits then refuse with a message at the field, keeping what was typed
    # (Flask's default, 500 kB, answers a long pasted statement with a bare 413 page).
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024

    # Scheduler: in the web process only where SCHEDULER_ENABLED (development); in production
    # `flask --app nominations scheduler` runs it as its own process (see the README).
    SCHEDULER_ENABLED = False
    SCHEDULER_TICK_SECONDS = 30  # how often due work (open, close, remind) is looked for
    SCHEDULER_OUTBOX_SECONDS = 30  # how often the mail outbox is drained
    SCHEDULER_OUTBOX_RUN_SECONDS = 25  # a drain sends for this long at most, then lets go
    # How often the leader looks for mail due (a read): found, the outbox drains at once.
    SCHEDULER_OUTBOX_POLL_SECONDS = 2
    SCHEDULER_LEASE_SECONDS = 45  # a stand-by takes over this long after the leader's last renewal
    SCHEDULER_HEARTBEAT_SECONDS = 15  # how often the leader renews its lease
    # How often a stand-by reads the lease row: it takes over this soon after a clean stop.
    SCHEDULER_STANDBY_POLL_SECONDS = 2
    SCHEDULER_KEEP_RUNS_DAYS = 14  # job runs older than this are deleted
    SCHEDULER_SWEEP_SECONDS = 3600  # how often uploaded files no document names are deleted
    # An uploaded file no document names is deleted once it is this old: younger ones may
    # belong to an upload whose request has not committed yet.
    ORPHAN_UPLOAD_AGE_SECONDS = 3600
    # How often the retention rules are applied (documents, review comments and drafts whose
    # time has come are deleted; README "Personal data").
    SCHEDULER_RETENTION_SECONDS = 3600

    # Personal data (README "Personal data"): who holds it (the institute's name in the
    # privacy notice and the nominee e-mail; "" means SITE_NAME) and the address for
    # questions about it, usually the data protection officer's ("" : none is given).
    PRIVACY_CONTROLLER = ""
    PRIVACY_CONTACT = ""

    PER_PAGE = 25
    # Computed rankings each web process keeps, counted in reviews (about 0.4 kB each: 50 000
    # hold four rankings of 1 000 nominations x 12 reviewers, some 20 MB); 0 turns it off.
    RANKING_CACHE_REVIEWS = 50_000
    # While the database cannot be reached, pages answer 503 and ask to come back after this.
    DATABASE_RETRY_AFTER_SECONDS = 30
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    RATELIMIT_ENABLED = True
    # Where sign-in attempts are counted (nominations/rate_limits.py): memory:// counts per
    # process; with several workers or hosts, a store they share (redis://host:6379/0).
    RATELIMIT_STORAGE_URI = "memory://"
    # Put before every key in the store: several installations (or test runs) share one Redis.
    RATELIMIT_KEY_PREFIX = ""
    # While the store does not answer, count in each process's memory instead of failing.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429
    # The referees' upload page (no account; nominations/referee/): requests per address.
    REFEREE_RATE_LIMIT = "30 per minute"
    # Referee letters are due this many days after the call closes, unless the category says
    # otherwise; never later than the round's review deadline (workflow/referees.py).
    REFEREE_LETTER_DAYS = 7
    # Referees without a letter are reminded this many days before the letter deadline.
    REFEREE_REMINDER_DAYS: list[int] = [7, 1]
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600  # "keep me signed in": 30 days, in seconds
    FORCE_HTTPS = False
    # How passwords are hashed (werkzeug's generate_password_hash method); existing hashes keep
    # working when it changes.
    PASSWORD_HASH_METHOD = "scrypt"
    # A password reset link works once, for this many seconds.
    PASSWORD_RESET_MAX_AGE = 3600
    # Local sign-in (e-mail and password). Switch it off where everyone signs in with OIDC.
    LOCAL_LOGIN_ENABLED = True

    # OpenID Connect sign-in (e.g. Microsoft Entra ID): on when OIDC_ISSUER is set. The issuer's
    # /.well-known/openid-configuration gives the endpoints and keys.
    OIDC_ISSUER = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_SCOPES = "openid email profile"
    # The name on the sign-in button ("Sign in with ...").
    OIDC_PROVIDER_NAME = "your organisation's account"
    # Roles from the provider: when OIDC_ROLE_CLAIM is set (e.g. "roles" or "groups"), each
    # sign-in sets the reviewer and admin roles from it: a value listed in OIDC_REVIEWER_VALUES
    # or OIDC_ADMIN_VALUES (comma-separated app roles or group ids) grants that role.
    OIDC_ROLE_CLAIM = ""
    OIDC_REVIEWER_VALUES: list[str] = []
    OIDC_ADMIN_VALUES: list[str] = []
    # The claim that names the person's department (e.g. "department"); empty: set by hand.
    OIDC_DEPARTMENT_CLAIM = ""
    # The host names this site answers to (Flask's TRUSTED_HOSTS; comma-separated from the
    # environment). Requests for any other Host get 400. None in production means BASE_URL's host.
    TRUSTED_HOSTS: list[str] | None = ["localhost", "127.0.0.1"]
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted.
    TRUSTED_PROXY_COUNT = 0
    # The number of web worker processes (gunicorn sets it from its own worker count).
    WEB_CONCURRENCY = 1

    @classmethod
    def check(cls, settings: dict) -> None:
        """Refuse settings that are unsafe for this configuration (production overrides)."""


class DevelopmentConfig(Config):
    MAIL_SUPPRESS_SEND = True
    MAIL_LOG_MESSAGES = True
    SCHEDULER_ENABLED = True


class TestingConfig(Config):
    TESTING = True
    MAIL_SUPPRESS_SEND = True
    SCHEDULER_ENABLED = False
    RATELIMIT_ENABLED = False
    SERVER_NAME = None
    # Cheap hashing: the tests sign in hundreds of times (never use this in production).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # A GET that writes to the database is an error in the tests (nominations/unit_of_work.py).
    STRICT_SAFE_METHODS = True
    # The tests read English unless they choose bokmål (tests/test_languages*.py).
    DEFAULT_LANGUAGE = "en"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True
    TRUSTED_HOSTS = None  # BASE_URL's host unless set

    @classmethod
    def check(cls, settings: dict) -> None:
        problems = []
        if not settings.get("SECRET_KEY") or settings["SECRET_KEY"] == DEFAULT_SECRET_KEY:
            problems.append("SECRET_KEY must be set to a long random value")
        elif len(settings["SECRET_KEY"]) < 16:
            problems.append("SECRET_KEY is too short (16 characters at least)")
        if settings.get("DEBUG"):
            problems.append("DEBUG must be off in production")
        if not settings.get("SESSION_COOKIE_SECURE"):
            problems.append("SESSION_COOKIE_SECURE must stay on in production")
        # No DATABASE_URL means the SQLite file under instance/.
        uri = settings.get("SQLALCHEMY_DATABASE_URI") or "sqlite:///instance/nominations.db"
        workers = int(settings.get("WEB_CONCURRENCY") or 1)
        if uri.startswith("sqlite") and workers > 1:
            problems.append(
                f"SQLite cannot serve several web workers ({workers}): "
                "set DATABASE_URL to PostgreSQL, or WEB_CONCURRENCY=1"
            )
        if problems:
            raise RuntimeError("Unsafe production configuration: " + "; ".join(problems))
        if workers > 1 and str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
            log.warning(
                "The login rate limit is counted per worker process (%d workers): "
                "set RATELIMIT_STORAGE_URI to a shared store (redis://...) for one count",
                workers,
            )
        if not str(settings.get("BASE_URL", "")).startswith("https://"):
            log.warning(
                "BASE_URL %r (the address in e-mail links) is not https", settings.get("BASE_URL")
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def trusted_hosts(settings: dict) -> list[str] | None:
    """TRUSTED_HOSTS as set, else the host of BASE_URL (None: every host, Flask's default)."""
    if settings.get("TRUSTED_HOSTS"):
        return list(settings["TRUSTED_HOSTS"])
    host = urlsplit(str(settings.get("BASE_URL") or "")).hostname
    return [host] if host else None


def load_settings(name: str | None = None, environ: os._Environ | dict | None = None) -> dict:
    """The settings of configuration ``name``, with environment overrides applied."""
    environ = os.environ if environ is None else environ
    name = name or environ.get("NOMINATIONS_CONFIG", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"Unknown NOMINATIONS_CONFIG {name!r}; use one of {sorted(CONFIGS)}"
        ) from None
    settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    for key, default in settings.items():
        if key in environ:
            settings[key] = _coerce(environ[key], [] if key == "TRUSTED_HOSTS" else default)
    for key in ("DEBUG", "TESTING"):
        if key in environ:
            settings[key] = _coerce(environ[key], False)
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    if name == "development" and "BASE_URL" not in environ and environ.get("PORT"):
        # `make run PORT=5637`: links in e-mails and feeds point at the port actually served.
        settings["BASE_URL"] = f"http://127.0.0.1:{int(environ['PORT'])}"
    settings["CONFIG_NAME"] = name
    settings["_CHECK"] = cls.check
    return settings


def check_environment(
    name: str | None = None, environ: dict | None = None, workers: int | None = None
) -> None:
    """Refuse unsafe settings before any process starts (gunicorn's master calls this with its
    worker count; see gunicorn.conf.py). Raises RuntimeError with every problem found."""
    environ = dict(os.environ if environ is None else environ)
    if workers is not None:
        environ["WEB_CONCURRENCY"] = str(workers)
    settings = load_settings(name, environ)
    settings.pop("_CHECK")(settings)
