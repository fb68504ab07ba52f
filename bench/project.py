"""Everything the benchmark knows about the project: its URLs, the functions it drives and the
commands it starts. When a function is renamed or a URL changes, this is the one file to fix.

The functions run in the caller's app context and commit as the project's own edge would
(a scheduler job, a request): one transaction each.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from pathlib import Path

from nominations import PROJECT_ROOT

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"

# -- the web pages measured ---------------------------------------------------------------------
CALLS = "/calls"
CALLS_JSON = "/calls.json"
HEALTH = "/healthz"
LOGIN = "/login"
WSGI_APP = "nominations.wsgi:app"
GUNICORN_CONFIG = PROJECT_ROOT / "gunicorn.conf.py"


def ranking_path(category_id: int) -> str:
    """The chair's ranking page of a category (it calls workflow.ranking.compute_ranking)."""
    return f"/review/categories/{category_id}/ranking"


def admin_list_path(round_id: int) -> str:
    """The administrators' list of a round's nominations (nominations/admin/nominations.py)."""
    return f"/admin/nominations?round={round_id}"


_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)


def last_page_path(first_page_html: str, fallback: str) -> str:
    """The link to the last page of a paged list, as the page itself offers it: a link marked
    rel="last" or labelled "Last", else the highest numbered page link; ``fallback`` when the
    page offers none (one page only)."""
    numbered: list[tuple[int, str]] = []
    for attributes, label in _LINK.findall(first_page_html):
        href = re.search(r'href="([^"]+)"', attributes)
        if not href or href.group(1) in ("#", ""):
            continue
        path = unescape(href.group(1))
        words = re.sub(r"<[^>]+>", "", label).strip()
        if 'rel="last"' in attributes or words.lower().startswith(("last", "siste")):
            return path
        if words.isdigit() and "page=" in path:
            numbered.append((int(words), path))
    return max(numbered)[1] if numbered else fallback


# -- the project's functions --------------------------------------------------------------------
def close_due_calls(at: datetime) -> str:
    """One scheduler tick of due work at ``at``: the call closes (the panel is told, the admins
    get the summary) and the reminders due then are queued. As the scheduler runs it."""
    from nominations.scheduling.jobs import due_work
    from nominations.unit_of_work import transaction

    with transaction():
        result = due_work(at)
    if result.outcome == "error":
        raise RuntimeError(f"due work failed: {result.detail}")
    return result.detail


def deliver_outbox() -> int:
    """Deliver every due outbox message back to back, as the scheduler's outbox job does;
    returns how many were sent."""
    from nominations.mail.delivery import deliver_due

    sent = 0
    while True:
        report = deliver_due()
        if report.failed or report.retrying:
            raise RuntimeError(f"outbox delivery failed: {report}")
        if not report.sent:
            return sent
        sent += report.sent


def ranking(category_id: int, viewer_email: str) -> int:
    """The chair's ranking of a category as the ranking page computes it when nothing is
    cached (the process's ranking cache emptied first: the whole computation, the certainty
    figures of issue 19 included); returns its rows."""
    from nominations.models import AwardCategory, User, db
    from nominations.workflow import ranking_cache
    from nominations.workflow.ranking import compute_ranking

    kept = ranking_cache.cache()
    if kept is not None:
        kept.clear()
    category = db.session.get(AwardCategory, category_id)
    viewer = db.session.execute(db.select(User).filter_by(email=viewer_email)).scalar_one()
    result = compute_ranking(category, viewer=viewer)
    db.session.rollback()  # a read, as the page is
    return len(result.rows)


# -- processes and tests ------------------------------------------------------------------------
def scheduler_command() -> list[str]:
    """The production scheduler process (README, "Running in production")."""
    return [str(VENV_BIN / "flask"), "--app", "nominations", "scheduler"]


# The test that counts the SQL queries of every route x role at two data sizes (issue 16); the
# benchmark runs it and reports its outcome.
QUERY_COUNT_TESTS: list[Path] = [PROJECT_ROOT / "tests" / "test_query_counts.py"]
