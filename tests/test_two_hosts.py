"""Two hosts behind one address (issue 20): nothing of a document or a limit depends on which
host answered.

Two gunicorn servers (gunicorn.conf.py, two workers each, NOMINATIONS_CONFIG=production) stand
for two hosts: each has an instance folder and an upload folder of its own, so nothing can cross
from one to the other by disk. They share what production hosts share: one PostgreSQL database
(documents in it, ``DOCUMENT_STORAGE=database``), one Redis (the sign-in limit,
``RATELIMIT_STORAGE_URI``), the SECRET_KEY. A round-robin TCP proxy in the test is the load
balancer (the browser sends ``X-Forwarded-Proto``/``-For`` as one that terminates HTTPS would;
TRUSTED_PROXY_COUNT=1); a scheduler runs as a third process, with an aiosmtpd server.

Through the proxy:

- the sign-in limit holds across both hosts: wrong passwords from one address, each sent to the
  host the previous one did not reach (its form fetched from the other), are refused with 429
  and Retry-After at the same count as on one host (``LOGIN_RATE_LIMIT``), on either host;
- a draft with a PDF saved through host A is shown by host B, which sends the document back
  byte for byte (B's upload folder stays empty); submitted through B, it is shown by A;
- the scheduler sends the confirmation e-mail once.

Every wait is "until this happened" (a scheduler tick, a server answering), with a timeout
only a hung test reaches. The database comes from TWO_HOSTS_DATABASE_URL (default
postgresql://127.0.0.1:5432/test_two_hosts; created when missing, its schema rebuilt by the
migrations, an advisory lock makes parallel runs take turns); Redis from REDIS_TEST_URL
(default redis://127.0.0.1:6379/0) under a key prefix of this run's own. The test skips only
when PostgreSQL or Redis does not answer (``make test`` starts both when they are installed).
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from nominations.models import (
    Attachment,
    JobRun,
    Nomination,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    db,
)
from tests import factories
from tests.multiprocess_support import (
    Browser,
    Page,
    Processes,
    clean_environment,
    free_ports,
    migrated_app,
    own_database,
    wait_for,
)
from tests.redis_support import RedisStore, redis_store
from tests.scheduler_support import only_rules
from tests.tcp_proxy import RoundRobinProxy

pytestmark = [pytest.mark.multiprocess, pytest.mark.postgres]  # and slow (tests/conftest.py)

DEFAULT_URL = "postgresql://127.0.0.1:5432/test_two_hosts"
SECRET_KEY = "two-hosts-test-secret-8c41d7a09e5b2f63"
PUBLIC_HOST = "awards.example.org"
HUNG = 120  # seconds: a wait this long means the test is stuck, not that the machine is slow
LIMIT = 10  # LOGIN_RATE_LIMIT on both hosts (the default): attempts a minute per address
CATEGORY = "Researcher of the Year"
NOMINEE = "Nora Nominee"
STATEMENT = "Nora built the single-cell platform that three groups now rely on."
# 1.5 MB, more than one chunk of any sensible size, every byte value: a PDF by its first bytes.
DOCUMENT = b"%PDF-1.7\n" + random.Random(20).randbytes(1_500_000) + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def pg_url():
    with own_database("TWO_HOSTS_DATABASE_URL", DEFAULT_URL) as url:
        yield url


@pytest.fixture
def store():
    with redis_store() as found:
        yield found


@pytest.fixture
def pg_app(pg_url, store):  # Redis first: no schema rebuilt for a test that then skips
    with migrated_app(pg_url) as app:
        yield app


@pytest.fixture
def processes():
    started = Processes()
    yield started
    started.stop_all()


@pytest.fixture
def proxy_for():
    """``proxy_for(ports)``: a round-robin proxy in front of those servers, closed afterwards."""
    made: list[RoundRobinProxy] = []

    def make(ports: list[int]) -> RoundRobinProxy:
        made.append(RoundRobinProxy([("127.0.0.1", port) for port in ports]))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()


def _environment(
    pg_url: str, smtp_port: int, store: RedisStore, folder: Path, **extra: str
) -> dict[str, str]:
    """One host's settings: shared database, Redis and secret; folders of its own."""
    return clean_environment(
        NOMINATIONS_CONFIG="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=pg_url,
        DOCUMENT_STORAGE="database",
        RATELIMIT_STORAGE_URI=store.url,
        RATELIMIT_KEY_PREFIX=store.prefix,
        BASE_URL=f"https://{PUBLIC_HOST}",
        TRUSTED_PROXY_COUNT="1",
        INSTANCE_PATH=str(folder / "instance"),
        UPLOAD_FOLDER=str(folder / "uploads"),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_DEFAULT_SENDER="awards@example.org",
        SCHEDULER_TICK_SECONDS="1",
        SCHEDULER_OUTBOX_SECONDS="1",
        SCHEDULER_HEARTBEAT_SECONDS="1",
        **extra,
    )


def _files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_two_hosts_behind_one_address_share_documents_limits_and_nominations(
    pg_app, pg_url, store, smtp_server, processes, proxy_for, tmp_path
):
    # --- two hosts and a scheduler (they start while the data is seeded) ---------------------
    ports = free_ports(2)
    folders = {port: tmp_path / f"host-{name}" for port, name in zip(ports, "ab", strict=True)}
    for port, folder in folders.items():
        processes.start(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            _environment(
                pg_url,
                smtp_server.port,
                store,
                folder,
                BIND=f"127.0.0.1:{port}",
                WEB_CONCURRENCY="2",
                GUNICORN_GRACEFUL_TIMEOUT="5",
            ),
            tmp_path / f"web-{folder.name}.log",
        )
    processes.start(
        [sys.executable, "-m", "flask", "--app", "nominations", "scheduler"],
        _environment(pg_url, smtp_server.port, store, tmp_path / "scheduler"),
        tmp_path / "scheduler.log",
    )
    host_a, host_b = ports

    department = factories.department("Department of Radiation Biology")
    nina = factories.user("nina@example.org", "Nina Nominator")
    award_round = factories.award_round("Institute Prizes")  # open on the clock
    only_rules(award_round)  # no reminders: the confirmation is the only mail
    category_id = factories.category(award_round, CATEGORY).id
    department_id = department.id

    def servers_ready() -> bool:
        for port in ports:
            probe = Browser([port], address="10.0.0.254", host=PUBLIC_HOST, timeout=5)
            try:
                if probe.get("/healthz").status != 200:
                    return False
            except OSError:  # not listening yet
                return False
        return all(
            log.read_text().count("Booting worker") >= 2
            for log in processes.logs
            if log.name.startswith("web-")
        )

    wait_for(servers_ready, HUNG, "both hosts (2 workers each) to answer", processes, 0.3)
    proxy = proxy_for(ports)

    def through(port: int, browser: Browser, method: str, path: str, *args) -> Page:
        """One request through the proxy, sent on to ``port``'s host."""
        proxy.next_to(port)
        page = browser.request(method, path, *args)
        assert proxy.routed[-1] == port
        return page

    # --- the sign-in limit: attempts alternate hosts, counted once --------------------------
    guesser = Browser([proxy.port], address="10.0.9.9", host=PUBLIC_HOST)
    answers = []
    for number in range(LIMIT + 2):
        port, other = (host_a, host_b) if number % 2 == 0 else (host_b, host_a)
        form = through(other, guesser, "GET", "/login")
        password = factories.PASSWORD if number >= LIMIT else "not the password"
        fields = {"csrf_token": form.csrf_token, "email": nina.email, "password": password}
        answers.append(through(port, guesser, "POST", "/login", fields))
    assert [page.status for page in answers] == [200] * LIMIT + [429, 429]
    assert all("password is not right" in " ".join(page.messages) for page in answers[:LIMIT])
    assert {page.port for page in answers} == {proxy.port}
    for refused in answers[LIMIT:]:  # the eleventh on host a, the twelfth on host b
        assert "Too many requests" in refused.text
        assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert [key for key in store.written() if "10.0.9.9" in key]  # counted in Redis

    # --- a draft with a document, saved through host a ---------------------------------------
    browser = Browser([proxy.port], address="10.0.1.1", host=PUBLIC_HOST)
    browser.login(nina.email, factories.PASSWORD)  # another address: not limited
    form = through(host_b, browser, "GET", f"/calls/{category_id}/nominate")
    assert form.status == 200 and form.csrf_token, (form.status, form.messages)
    fields = {
        "csrf_token": form.csrf_token,
        "nominee_name": NOMINEE,
        "nominee_email": "nora@example.org",
        "nominee_department_id": str(department_id),
        "nominee_position": "Group leader",
        "statement": STATEMENT,
        "save_draft": "1",
    }
    cv = {"cv": ("cv.pdf", DOCUMENT, "application/pdf")}
    saved = through(host_a, browser, "POST", f"/calls/{category_id}/nominate", fields, cv)
    assert saved.status == 302 and re.fullmatch(r"/nominations/\d+", saved.location), (
        saved.status,
        saved.messages,
    )

    # --- host b shows it, and sends the document back byte for byte ---------------------------
    shown = through(host_b, browser, "GET", saved.location)
    assert shown.status == 200, shown.messages
    assert f'value="{NOMINEE}"' in shown.text and STATEMENT in shown.text
    links = re.findall(r'href="(/nominations/\d+/attachments/\d+)">cv\.pdf<', shown.text)
    assert len(links) == 1, shown.text
    download = through(host_b, browser, "GET", links[0])
    assert download.status == 200, download.text[:500]
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.content == DOCUMENT
    assert _files_in(folders[host_b] / "uploads") == []  # not by disk

    # --- submitted through host b, seen on host a ---------------------------------------------
    fields.pop("save_draft")
    fields.update(csrf_token=shown.csrf_token, submit_nomination="1")
    submitted = through(host_b, browser, "POST", saved.location, fields)
    assert submitted.status == 302 and submitted.location == saved.location, submitted.messages
    seen = through(host_a, browser, "GET", saved.location)
    confirmed = f"Nomination submitted. A confirmation is on its way to {nina.email}."
    assert any(message.startswith(confirmed) for message in seen.messages), seen.messages
    assert NOMINEE in seen.text and STATEMENT in seen.text

    nomination = db.session.execute(db.select(Nomination)).scalar_one()
    assert nomination.status == NominationStatus.SUBMITTED
    assert nomination.nominee_name == NOMINEE
    assert [a.size_bytes for a in db.session.execute(db.select(Attachment)).scalars()] == [
        len(DOCUMENT)
    ]

    # --- the scheduler sends the confirmation once ----------------------------------------
    subject = f"Nomination received: {NOMINEE} for {CATEGORY}"

    def confirmation_sent():
        return [m for m in smtp_server.sink.messages if m["Subject"].strip() == subject]

    wait_for(confirmation_sent, HUNG, "the confirmation e-mail", processes)
    last_run = db.session.execute(db.select(db.func.max(JobRun.id))).scalar() or 0
    wait_for(
        lambda: (
            db.session.execute(
                db.select(db.func.count(JobRun.id)).where(
                    JobRun.id > last_run, JobRun.job == "outbox", JobRun.finished_at.is_not(None)
                )
            ).scalar()
            >= 2
        ),
        HUNG,
        "two more runs of the outbox job",
        processes,
    )
    received = [(m["To"], m["Subject"].strip()) for m in smtp_server.sink.messages]
    assert Counter(received)[(nina.email, subject)] == 1
    assert len(received) == len(set(received)), Counter(received)
    statuses = db.session.execute(db.select(OutboxMessage.status)).scalars().all()
    assert statuses and set(statuses) == {OutboxStatus.SENT}
    assert len(statuses) == len(received)

    for log in processes.logs:
        assert "Traceback" not in log.read_text(), processes.log_tails()
