"""The data sets of issue 16, written with bulk inserts into the project's tables (the models'
own ``__table__``, so a renamed column breaks the benchmark loudly, not silently).

One database holds them all:
- the public calls: this year's open and upcoming rounds and last year's published ones;
- a call of ``closing_nominations`` submitted nominations whose closing the benchmark runs,
  beside an open call whose "closes in 1 day" reminder falls due at the same tick, for every
  active member of staff (``staff``);
- a closed round whose one category has ``ranking_nominations`` nominations, each reviewed by
  every one of ``ranking_reviewers`` panel members on ``criteria`` criteria;
- pending outbox messages, added by ``mail.queue_messages`` when a measure needs them.
Ids are given here (the sequences are moved past them at the end), so that nothing is read back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from bench.settings import PASSWORD, Scale
from nominations.models import (
    AwardCategory,
    AwardRound,
    Criterion,
    Department,
    Nomination,
    Panel,
    PanelMember,
    ReminderRule,
    Review,
    ReviewScore,
    User,
    db,
)

FIRST = ["Ingrid", "Ola", "Kari", "Per", "Anne", "Lars", "Silje", "Nils", "Marit", "Erik"]
LAST = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg"]
DEPARTMENTS = [
    "Cancer Genetics",
    "Tumor Biology",
    "Radiation Biology",
    "Immunology",
    "Molecular Oncology",
    "Cancer Prevention",
    "Core Facilities",
]
STATEMENT = (
    "She built the institute's single-cell platform, supervised six PhD candidates to their "
    "degrees and led the consortium that brought the national screening data together. "
) * 4
BATCH = 5000


@dataclass
class World:
    """What the measures need to know about the data: ids and the moments that matter."""

    now: datetime
    admin_email: str = ""
    chair_email: str = ""
    closing_round_id: int = 0
    closing_at: datetime | None = None  # the tick at which the call closes
    ranking_category_id: int = 0
    ranking_round_id: int = 0
    staff_ids: list[int] = field(default_factory=list)
    next_ids: dict[str, int] = field(default_factory=dict)

    def ids(self, table: str, count: int) -> range:
        start = self.next_ids.get(table, 1)
        self.next_ids[table] = start + count
        return range(start, start + count)


def insert_rows(model, rows: list[dict]) -> None:
    """Rows into a model's table, in batches."""
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model.__table__), rows[start : start + BATCH])


def _name(number: int) -> str:
    return f"{FIRST[number % len(FIRST)]} {LAST[(number // 7) % len(LAST)]} {number}"


def build(scale: Scale) -> World:
    """Every data set at ``scale``, committed; the planner's statistics are the caller's."""
    rng = random.Random(16)
    world = World(now=datetime.now(UTC).replace(microsecond=0))
    _people(world, scale)
    _public_calls(world)
    _closing_call(world, scale, rng)
    _ranking_round(world, scale, rng)
    for table, next_id in world.next_ids.items():
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :last)"),
            {"last": next_id - 1},
        )
    db.session.commit()
    return world


def _people(world: World, scale: Scale) -> None:
    insert_rows(
        Department,
        [
            {"id": i, "name": name, "active": True}
            for i, name in zip(world.ids("departments", len(DEPARTMENTS)), DEPARTMENTS, strict=True)
        ],
    )
    password = generate_password_hash(PASSWORD, method="scrypt")
    ids = world.ids("users", scale.staff)
    rows = []
    for number, user_id in enumerate(ids):
        role = "admin" if number < 3 else "reviewer" if number < 3 + scale.ranking_reviewers else ""
        rows.append(
            {
                "id": user_id,
                "email": f"{role or 'staff'}{number}@institute.example.org",
                "name": _name(number),
                "password_hash": password,
                "department_id": 1 + number % len(DEPARTMENTS),
                "is_staff": True,
                "is_reviewer": role == "reviewer",
                "is_admin": role == "admin",
                "active": True,
                "session_version": 0,
                "created_at": world.now - timedelta(days=400),
            }
        )
    insert_rows(User, rows)
    world.staff_ids = list(ids)
    world.admin_email = rows[0]["email"]
    world.chair_email = rows[3]["email"]


def _round(world: World, name: str, status: str, opens: int, closes: int, **extra) -> int:
    """A round with times in days from now; returns its id."""
    (round_id,) = world.ids("award_rounds", 1)
    now = world.now
    row = {
        "id": round_id,
        "name": name,
        "year": now.year,
        "organiser": "Institute for Cancer Research",
        "description": f"{name}: the institute's yearly recognition of outstanding work.",
        "opens_at": now + timedelta(days=opens),
        "closes_at": now + timedelta(days=closes),
        "review_deadline": now + timedelta(days=closes + 30),
        "status": status,
        "blind_mode": "after_own",
        "department_conflicts": False,
        "opening_confirmed_at": now + timedelta(days=opens - 5),
        "created_at": now - timedelta(days=90),
        "updated_at": now - timedelta(days=90),
    }
    row.update(extra)
    insert_rows(AwardRound, [row])
    return round_id


def _categories(world: World, round_id: int, names: list[str], **extra) -> list[int]:
    ids = world.ids("award_categories", len(names))
    rows = []
    for position, (category_id, name) in enumerate(zip(ids, names, strict=True)):
        row = {
            "id": category_id,
            "round_id": round_id,
            "position": position,
            "name": name,
            "description": f"The {name} honours work of lasting value to patients and science.",
            "eligibility_text": "Permanent and temporary staff of the institute.",
            "phd_within_years": 8 if "Early" in name else None,
            "prize_amount": 100_000 * (position + 1),
            "currency": "NOK",
            "prize_count": 1 + position % 2,
            "funder": "The Radium Hospital Foundation" if position % 2 else "",
            "self_nomination_allowed": False,
            "department_nomination_allowed": position == 3,
            "word_limit": 1000,
            "requires_cv": True,
            "requires_publications": position % 2 == 0,
            "max_support_letters": 3,
        }
        row.update(extra)
        rows.append(row)
    insert_rows(AwardCategory, rows)
    return list(ids)


def _public_calls(world: World) -> None:
    awards = [
        "Excellent Researcher Award",
        "Early Career Award",
        "Researcher of the Year",
        "Employee of the Year",
    ]
    _categories(world, _round(world, "Research Awards", "open", -20, 30), awards)
    _categories(world, _round(world, "ICR Prizes", "open", -10, 40), awards[2:])
    _categories(world, _round(world, "Innovation Awards", "draft", 20, 50), awards[:2])
    for name in ("Research Awards", "ICR Prizes"):
        last_year = world.now.year - 1
        round_id = _round(
            world,
            name,
            "published",
            -380,
            -330,
            year=last_year,
            published_at=world.now - timedelta(days=250),
        )
        _categories(world, round_id, awards[:3])


def _panel(world: World, round_id: int, category_id: int, reviewers: list[int]) -> None:
    (panel_id,) = world.ids("panels", 1)
    insert_rows(
        Panel,
        [
            {
                "id": panel_id,
                "round_id": round_id,
                "category_id": category_id,
                "name": f"Panel {panel_id}",
            }
        ],
    )
    insert_rows(
        PanelMember,
        [
            {
                "id": member_id,
                "panel_id": panel_id,
                "user_id": user_id,
                "role": "chair" if number == 0 else "member",
            }
            for number, (member_id, user_id) in enumerate(
                zip(world.ids("panel_members", len(reviewers)), reviewers, strict=True)
            )
        ],
    )


def _nominations(
    world: World, category_id: int, count: int, rng: random.Random, nominators: list[int]
) -> list[int]:
    ids = world.ids("nominations", count)
    submitted = world.now - timedelta(days=3)
    insert_rows(
        Nomination,
        [
            {
                "id": nomination_id,
                "category_id": category_id,
                "nominator_id": rng.choice(nominators),
                "nominee_name": _name(nomination_id + 100_000),
                "nominee_email": f"nominee{nomination_id}@institute.example.org",
                "nominee_department_id": 1 + nomination_id % len(DEPARTMENTS),
                "nominee_position": "Senior researcher",
                "statement": STATEMENT,
                "status": "submitted",
                "ineligible_reason": "",
                "submitted_at": submitted,
                "created_at": submitted - timedelta(days=2),
                "updated_at": submitted,
            }
            for nomination_id in ids
        ],
    )
    return list(ids)


def _closing_call(world: World, scale: Scale, rng: random.Random) -> None:
    reviewers = world.staff_ids[3 : 3 + scale.ranking_reviewers]
    nominators = world.staff_ids[3 + scale.ranking_reviewers :]
    round_id = _round(world, "Staff Awards", "open", -30, 5)
    (category_id,) = _categories(world, round_id, ["Staff Award"])
    _panel(world, round_id, category_id, reviewers)
    _nominations(world, category_id, scale.closing_nominations, rng, nominators)
    world.closing_round_id = round_id
    world.closing_at = world.now + timedelta(days=5, seconds=1)
    # Its "closes in 1 day" reminder falls due at the same tick, for every active member of staff.
    reminded = _round(
        world,
        "Mentor Prize",
        "open",
        -30,
        6,
        closes_at=world.closing_at + timedelta(days=1, minutes=-10),
    )
    _categories(world, reminded, ["Mentor Prize"])
    insert_rows(
        ReminderRule,
        [
            {
                "id": world.ids("reminder_rules", 1)[0],
                "round_id": reminded,
                "kind": "call_closing",
                "days_before": 1,
                "enabled": True,
            }
        ],
    )


def _ranking_round(world: World, scale: Scale, rng: random.Random) -> None:
    reviewers = world.staff_ids[3 : 3 + scale.ranking_reviewers]
    nominators = world.staff_ids[3 + scale.ranking_reviewers :]
    round_id = _round(world, "Leadership Prize", "closed", -60, -10)
    (category_id,) = _categories(world, round_id, ["Leadership Prize"])
    criterion_ids = list(world.ids("criteria", scale.criteria))
    insert_rows(
        Criterion,
        [
            {
                "id": criterion_id,
                "category_id": category_id,
                "position": position,
                "name": f"Criterion {position + 1}",
                "guidance": "Scientific quality and impact.",
                "weight": 1.0 + position % 3,
                "scale_min": 1,
                "scale_max": 7,
            }
            for position, criterion_id in enumerate(criterion_ids)
        ],
    )
    _panel(world, round_id, category_id, reviewers)
    nomination_ids = _nominations(world, category_id, scale.ranking_nominations, rng, nominators)
    reviews, scores = [], []
    review_ids = iter(world.ids("reviews", len(nomination_ids) * len(reviewers)))
    score_ids = iter(
        world.ids("review_scores", len(nomination_ids) * len(reviewers) * len(criterion_ids))
    )
    submitted = world.now - timedelta(days=2)
    for reviewer_number, reviewer_id in enumerate(reviewers):
        harshness = reviewer_number % 3  # harsh and lenient reviewers, as in life
        for nomination_id in nomination_ids:
            review_id = next(review_ids)
            reviews.append(
                {
                    "id": review_id,
                    "nomination_id": nomination_id,
                    "reviewer_id": reviewer_id,
                    "status": "submitted",
                    "comment": "Strong candidate with a clear record.",
                    "recommendation": rng.choice(["strongly_support", "support", "neutral"]),
                    "submitted_at": submitted,
                    "updated_at": submitted,
                }
            )
            scores.extend(
                {
                    "id": next(score_ids),
                    "review_id": review_id,
                    "criterion_id": criterion_id,
                    "score": max(1, min(7, rng.randint(2, 7) - harshness)),
                }
                for criterion_id in criterion_ids
            )
    insert_rows(Review, reviews)
    insert_rows(ReviewScore, scores)
    world.ranking_category_id = category_id
    world.ranking_round_id = round_id
