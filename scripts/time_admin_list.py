"""Time the administrators' nominations list at institute scale: the last page of 5 000
nominations on PostgreSQL (median of 20 requests), beside the bare SQL of that page (the
statement the page ran for its rows, sent again straight to the driver, median of 20).

    .venv/bin/python scripts/time_admin_list.py [--url postgresql://127.0.0.1:5432/bench_admin_list]

The database named by --url is created when missing and rebuilt (every table dropped) on each
run. The requests go through the whole application in process (WSGI, no HTTP server); the
last page is the one the first page's "Last" link (or its highest page number) leads to.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import timedelta
from html import unescape
from pathlib import Path

from sqlalchemy import create_engine, event, insert, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nominations import create_app  # noqa: E402
from nominations.models import (  # noqa: E402
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now  # noqa: E402

DEFAULT_URL = "postgresql://127.0.0.1:5432/bench_admin_list"
PASSWORD = "bench-admin-list"
NOMINATIONS = 5000
STATUSES = [
    NominationStatus.SUBMITTED,
    NominationStatus.SUBMITTED,
    NominationStatus.SUBMITTED,
    NominationStatus.DRAFT,
    NominationStatus.WITHDRAWN,
    NominationStatus.INELIGIBLE,
]
FIRST = ["Nora", "Per", "Åse", "Ola", "Kari", "Jonas", "Ingrid", "Erik", "Sofie", "Lars"]
LAST = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg"]


def _ensure_database(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not found:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def _seed() -> None:
    """Two rounds (this year's with four categories, last year's with one), 400 staff in seven
    departments, 5 000 nominations in every status, and one administrator."""
    from werkzeug.security import generate_password_hash

    departments = [Department(name=f"Department {n}") for n in range(7)]
    db.session.add_all(departments)
    db.session.flush()
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    db.session.add(
        User(email="admin@example.org", name="Ada Admin", password_hash=cheap, is_admin=True)
    )
    db.session.execute(
        insert(User),
        [
            {
                "email": f"staff{n}@example.org",
                "name": f"{FIRST[n % 10]} {LAST[n % 8]} {n}",
                "password_hash": cheap,
                "department_id": departments[n % 7].id,
            }
            for n in range(400)
        ],
    )
    staff = list(db.session.execute(db.select(User.id).where(~User.is_admin)).scalars())
    current = now()
    categories = []
    for year_back, names in (
        (0, ["Excellent", "Early Career", "Of the Year", "Employee"]),
        (1, ["Excellent"]),
    ):
        closes = current - timedelta(days=2 + 365 * year_back)
        award_round = AwardRound(
            name="OUH Research Awards",
            year=closes.year,
            opens_at=closes - timedelta(days=30),
            closes_at=closes,
            review_deadline=closes + timedelta(days=20),
            status=RoundStatus.CLOSED,
        )
        db.session.add(award_round)
        db.session.flush()
        for position, name in enumerate(names):
            category = AwardCategory(
                round_id=award_round.id, name=name, prize_amount=100_000, position=position
            )
            db.session.add(category)
            categories.append(category)
    db.session.flush()
    rows = []
    for n in range(NOMINATIONS):
        status = STATUSES[n % len(STATUSES)]
        rows.append(
            {
                "category_id": categories[n % len(categories)].id,
                "nominator_id": staff[n % len(staff)],
                "nominee_name": f"{FIRST[(n * 7) % 10]} {LAST[(n * 3) % 8]} {n:04d}",
                "nominee_email": f"nominee{n % 4000}@example.org",
                "nominee_department_id": departments[n % 7].id,
                "nominee_position": "Researcher",
                "statement": "An outstanding colleague. " * 20,
                "status": status,
                "submitted_at": None if status == NominationStatus.DRAFT else current,
                "updated_at": current - timedelta(minutes=n),
            }
        )
    db.session.execute(insert(Nomination), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _last_page_url(html: str) -> str:
    links = re.findall(r'<a class="page-link" href="([^"#]+)"[^>]*>([^<]+)</a>', html)
    for href, label in links:
        if label.strip().startswith("Last"):
            return unescape(href)
    numbered = [(int(label), href) for href, label in links if label.strip().isdigit()]
    return unescape(max(numbered)[1])


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    _ensure_database(args.url)
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False, "BASE_URL": "http://x"},
    )
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        _seed()
        engine = db.engine

    client = app.test_client()
    signed_in = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302, "sign-in failed"
    first = client.get("/admin/nominations")
    assert first.status_code == 200
    url = _last_page_url(first.get_data(as_text=True))

    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    for _ in range(3):  # warm up: connections, template cache
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(args.runs):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200
    shown = len(re.findall(r'href="/admin/nominations/\d+"', response.get_data(as_text=True)))
    page_sql = [(s, p) for s, p in statements if "FROM nominations" in s and "LIMIT" in s.upper()][
        0
    ]

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        bare = []
        for _ in range(args.runs + 3):
            start = time.perf_counter()
            cursor.execute(*page_sql)
            cursor.fetchall()
            bare.append(time.perf_counter() - start)
        bare = bare[3:]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + page_sql[0], page_sql[1])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.close()

    page_ms, bare_ms = _median_ms(samples), _median_ms(bare)
    print(f"last page: {url}  ({shown} nominations shown, {len(statements)} queries)")
    print(f"{'measure':<44}{'median ms':>10}")
    print(f"{'admin nominations list, last page of 5 000':<44}{page_ms:>10.1f}")
    print(f"{'bare SQL of that page (driver only)':<44}{bare_ms:>10.1f}")
    print(f"{'ratio page / bare SQL':<44}{page_ms / bare_ms:>10.1f}")
    print("\nplan of the page's SQL:\n" + plan)


if __name__ == "__main__":
    main()
