"""Time the chair's ranking page at institute scale on PostgreSQL (issue 16).

Builds, in a database of its own (created here and dropped at the end), one closed round with
one category of 1 000 submitted nominations, a panel of 12 reviewers (the chair among them)
and a rubric of 5 criteria, every reviewer having scored every nomination he may review
(about 60 000 score rows); the chair has declared conflicts with 15 nominations, so his
figures come from a world without them. Then it signs the chair in with the test client and
times GET /review/categories/<id>/ranking:

- warm: 50 requests one after the other, nothing changing in between (p50, p95);
- cold: 20 times, a reviewer's score changed and committed (as the review form does), then the
  page requested once: the first request after a change.

The worker is prepared as gunicorn.conf.py prepares one (its post_worker_init, if any). Wall
times depend on what else the machine runs; the CPU time this process spent per request
is printed beside them, as a figure that does not.

    .venv/bin/python scripts/measure_ranking.py [--url postgresql://127.0.0.1:5432/bench_ranking]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, text
from werkzeug.security import generate_password_hash

from nominations import create_app
from nominations.models import (
    AwardCategory,
    AwardRound,
    ConflictOfInterest,
    Criterion,
    Department,
    Nomination,
    NominationStatus,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewScore,
    ReviewStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow.reviews import ReviewInput, save_review

PASSWORD = "bench-password-1"
NOMINATIONS = 1000
REVIEWERS = 12
CRITERIA = 5
CHAIR_CONFLICTS = 15


def worker_ready() -> None:
    """What gunicorn.conf.py does once a worker has loaded the application (if anything)."""
    config = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
    namespace: dict = {"__file__": str(config)}
    exec(config.read_text(), namespace)
    if "post_worker_init" in namespace:
        namespace["post_worker_init"](None)
        print("post_worker_init of gunicorn.conf.py run")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def recreate_database(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    server.dispose()


def build(rng: random.Random) -> tuple[int, str]:
    """The data set (bulk inserts); returns (category id, chair's e-mail)."""
    db.create_all()
    current = now()
    session = db.session
    departments = [Department(name=f"Department {d}") for d in range(7)]
    session.add_all(departments)
    award_round = AwardRound(
        name="Bench Prizes",
        year=current.year,
        opens_at=current - timedelta(days=40),
        closes_at=current - timedelta(days=2),
        review_deadline=current + timedelta(days=30),
        status=RoundStatus.CLOSED,
        opening_confirmed_at=current - timedelta(days=41),
    )
    session.add(award_round)
    session.flush()
    category = AwardCategory(round_id=award_round.id, name="Researcher of the Year", prize_amount=1)
    session.add(category)
    session.flush()
    criteria = [
        Criterion(
            category_id=category.id,
            position=i,
            name=f"Criterion {i}",
            weight=2.0 if i == 0 else 1.0,
            scale_min=1,
            scale_max=7,
        )
        for i in range(CRITERIA)
    ]
    session.add_all(criteria)
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    reviewers = [
        User(
            email=f"reviewer{k}@example.org",
            name=f"Reviewer {k:02d}",
            password_hash=password_hash,
            department_id=departments[k % 7].id,
            is_staff=True,
            is_reviewer=True,
        )
        for k in range(REVIEWERS)
    ]
    nominator = User(email="nominator@example.org", name="Nils", password_hash=password_hash)
    session.add_all([*reviewers, nominator])
    session.flush()
    panel = Panel(round_id=award_round.id, category_id=category.id, name="Panel")
    session.add(panel)
    session.flush()
    session.add_all(
        PanelMember(
            panel_id=panel.id,
            user_id=r.id,
            role=PanelRole.CHAIR if k == 0 else PanelRole.MEMBER,
        )
        for k, r in enumerate(reviewers)
    )
    session.flush()
    session.execute(
        insert(Nomination),
        [
            {
                "category_id": category.id,
                "nominator_id": nominator.id,
                "nominee_name": f"Nominee {i:04d}",
                "nominee_email": f"nominee{i}@example.org",
                "nominee_department_id": departments[i % 7].id,
                "statement": "Deserves it.",
                "status": NominationStatus.SUBMITTED,
                "submitted_at": current - timedelta(days=3),
            }
            for i in range(NOMINATIONS)
        ],
    )
    nomination_ids = list(
        session.execute(db.select(Nomination.id).order_by(Nomination.id)).scalars()
    )
    chair = reviewers[0]
    conflicted = set(rng.sample(nomination_ids, CHAIR_CONFLICTS))
    session.execute(
        insert(ConflictOfInterest),
        [
            {
                "nomination_id": n,
                "reviewer_id": chair.id,
                "kind": "collaborator",
                "automatic": False,
                "reason": "Joint grant.",
                "declared_at": current,
            }
            for n in sorted(conflicted)
        ],
    )
    bias = {r.id: rng.uniform(-1.5, 1.5) for r in reviewers}
    review_rows = [
        {
            "nomination_id": n,
            "reviewer_id": r.id,
            "status": ReviewStatus.SUBMITTED,
            "recommendation": "support",
            "comment": "",
            "submitted_at": current - timedelta(days=1),
            "updated_at": current - timedelta(days=1),
        }
        for n in nomination_ids
        for r in reviewers
        if not (r.id == chair.id and n in conflicted)
    ]
    session.execute(insert(Review), review_rows)
    reviews = session.execute(db.select(Review.id, Review.reviewer_id)).all()
    quality = {n: rng.uniform(-2, 2) for n in nomination_ids}
    review_nomination = dict(session.execute(db.select(Review.id, Review.nomination_id)).all())
    score_rows = []
    for review_id, reviewer_id in reviews:
        base = 4 + quality[review_nomination[review_id]] + bias[reviewer_id]
        for criterion in criteria:
            value = round(base + rng.uniform(-1, 1))
            score_rows.append(
                {
                    "review_id": review_id,
                    "criterion_id": criterion.id,
                    "score": min(7, max(1, value)),
                }
            )
    for start in range(0, len(score_rows), 10000):
        session.execute(insert(ReviewScore), score_rows[start : start + 10000])
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
    print(
        f"built: {len(nomination_ids)} nominations, {len(reviewers)} reviewers, "
        f"{len(criteria)} criteria, {len(review_rows)} reviews, {len(score_rows)} score rows"
    )
    return category.id, chair.email


def change_a_score(app, rng: random.Random, category_id: int) -> None:
    """A reviewer (not the chair) changes one submitted review, as the review form would."""
    with app.app_context():
        reviewer = db.session.execute(
            db.select(User).where(User.email == "reviewer1@example.org")
        ).scalar_one()
        review = db.session.execute(
            db.select(Review)
            .where(Review.reviewer_id == reviewer.id)
            .order_by(Review.id)
            .offset(rng.randrange(NOMINATIONS))
            .limit(1)
        ).scalar_one()
        nomination = db.session.get(Nomination, review.nomination_id)
        criteria = db.session.execute(
            db.select(Criterion).where(Criterion.category_id == category_id)
        ).scalars()
        old = {s.criterion_id: s.score for s in review.scores}
        # Every score moves by 1 to 6 points (around the scale): always a change.
        scores = {c.id: (old[c.id] - 1 + rng.randint(1, 6)) % 7 + 1 for c in criteria}
        save_review(
            nomination,
            ReviewInput(scores=scores, comment="", recommendation="support"),
            actor=reviewer,
            submit=True,
        )
        db.session.commit()
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://127.0.0.1:5432/bench_ranking")
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if make_url(args.url).database in ("test", "postgres"):
        raise SystemExit("use a database of its own")
    recreate_database(args.url)
    rng = random.Random(16)
    try:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": args.url,
                "WTF_CSRF_ENABLED": False,
                "STRICT_SAFE_METHODS": False,
                "RATELIMIT_ENABLED": False,
            },
        )
        with app.app_context():
            category_id, chair_email = build(rng)
            db.session.remove()
        client = app.test_client()
        response = client.post("/login", data={"email": chair_email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        page = f"/review/categories/{category_id}/ranking"
        worker_ready()

        cpu: dict[str, list[float]] = {"warm": [], "cold": []}

        def timed(kind: str = "") -> float:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(page)
            elapsed = (time.perf_counter() - start) * 1000
            if kind:
                cpu[kind].append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, response.status_code
            assert b"left out of this ranking" in response.data
            return elapsed

        first = timed()
        warm = [timed("warm") for _ in range(args.warm)]
        cold = []
        for _ in range(args.cold):
            change_a_score(app, rng, category_id)
            cold.append(timed("cold"))
        print(f"first request: {first:.0f} ms")
        print(
            f"warm ({args.warm}): p50 {statistics.median(warm):.0f} ms, "
            f"p95 {percentile(warm, 0.95):.0f} ms, max {max(warm):.0f} ms"
        )
        print(
            f"cold after a score change ({args.cold}): p50 {statistics.median(cold):.0f} ms, "
            f"p95 {percentile(cold, 0.95):.0f} ms, max {max(cold):.0f} ms"
        )
        for kind, values in cpu.items():
            print(
                f"{kind}: this process's CPU per request p50 {statistics.median(values):.0f} ms, "
                f"p95 {percentile(values, 0.95):.0f} ms (wall time minus waiting for the "
                "database and for the other processes on the machine)"
            )
        print(f"process memory after the run: {resident_mb():.0f} MB resident")
        with app.app_context():
            db.engine.dispose()
    finally:
        if not args.keep:
            drop_database(args.url)


if __name__ == "__main__":
    main()
