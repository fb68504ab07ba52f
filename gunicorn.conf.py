"""Gunicorn settings for production, all read from the environment.

Run from the project directory (gunicorn also picks this file up on its own there):

    NOMINATIONS_CONFIG=production SECRET_KEY=... DATABASE_URL=postgresql://... \\
        WEB_CONCURRENCY=4 gunicorn -c gunicorn.conf.py

| variable | default | meaning |
|---|---|---|
| BIND | 127.0.0.1:8000 (0.0.0.0:$PORT if PORT is set) | addresses to listen on, comma-separated |
| WEB_CONCURRENCY | 2 | worker processes (more than 1 needs PostgreSQL) |
| GUNICORN_THREADS | 1 | threads per worker |
| GUNICORN_TIMEOUT | 60 | seconds before a silent worker is killed and restarted |
| GUNICORN_GRACEFUL_TIMEOUT | 30 | seconds a worker gets to finish its requests on restart |
| GUNICORN_KEEPALIVE | 5 | seconds to keep an idle connection open |
| GUNICORN_MAX_REQUESTS | 0 (never) | restart a worker after this many requests (with jitter) |
| GUNICORN_ACCESS_LOG | - (stdout) | access log file; empty: none |
| GUNICORN_ERROR_LOG | - (stderr) | error log file |
| GUNICORN_LOG_LEVEL | info | debug, info, warning, error |
| FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies whose X-Forwarded-Proto gunicorn trusts |
| GUNICORN_CONTROL_SOCKET | (off) | path of gunicorn's control socket, to use ``gunicornc`` |

Before any worker starts, the master checks the application's settings with the final worker
count (``-w`` on the command line included): an unsafe production configuration (the default
SECRET_KEY, DEBUG on, SQLite with several workers, ...) stops gunicorn with the reason.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "nominations.wsgi:app"
proc_name = "nominations"

if os.environ.get("BIND"):
    bind = [address.strip() for address in os.environ["BIND"].split(",") if address.strip()]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn 24+'s control socket (``gunicornc``): one default path per user, so two servers
# on one host would share it. Off unless GUNICORN_CONTROL_SOCKET names a path of its own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Heartbeat files in memory, not on a possibly slow disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def on_starting(server) -> None:
    """Hand the final worker count to the application, and refuse unsafe settings now."""
    from config import check_environment

    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
    if not os.environ.get("NOMINATIONS_CONFIG"):
        os.environ["NOMINATIONS_CONFIG"] = "production"  # as nominations.wsgi
    check_environment(workers=server.cfg.workers)  # RuntimeError: gunicorn prints it, exits 1


def post_worker_init(worker) -> None:
    """The worker has loaded the application: its objects (some 180 000: modules, routes,
    forms, the locale data) go where the garbage collector no longer scans them. A full
    collection walked them all, 30-100 ms every ten requests or so of a large page (issue 16,
    the ranking's p95); they live as long as the worker anyway."""
    import gc

    gc.collect()
    gc.freeze()
