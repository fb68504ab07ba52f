"""The normalised ranking: a small example worked out by hand, ties and reviewers without
spread, the page's order, the progress page, and a fixed number of SQL queries at 30 and at
300 nominations with 12 reviewers."""

import random
import re
from datetime import timedelta
from math import sqrt

import pytest
from sqlalchemy import insert

from nominations.models import (
    ConflictOfInterest,
    Nomination,
    NominationStatus,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewScore,
    ReviewStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow.conflicts import declare_conflict
from nominations.workflow.panels import add_member, create_panel
from nominations.workflow.progress import round_progress
from nominations.workflow.ranking import compute_ranking, zscores
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.review_setup import FAST_HASH, browser, closed_round, make_nomination, review, user


def _names(response) -> list[str]:
    return re.findall(
        r'<td class="nominee"><bdi>([^<]+?)</bdi>(?: <span|</td>)', response.get_data(as_text=True)
    )


@pytest.fixture
def hand_example(app):
    """Three reviewers: Hanna (harsh), Leo (lenient), Mia (in between, and the chair).

    The rubric is the default one: scientific excellence (weight 2), impact (1), leadership and
    collaboration (1), each on 1-7, so a weighted score is (2a + b + c) / 4.

    Weighted scores (a review with equal scores on every criterion has that score):

                Ada            Ben            Cleo
      Hanna     2 = (2*1+3+3)/4  3             1
      Leo       7              (conflict)     6
      Mia       4              4 = (2*5+3+3)/4  3

    Leo declared a conflict with Ben, so Ben has no lenient review.

    Per reviewer, z = (score - own mean) / own population standard deviation:
      Hanna: scores 2, 3, 1; mean 2; deviations 0, +1, -1; variance 2/3; sd sqrt(2/3)
             z: Ada 0, Ben +1/sqrt(2/3) = +1.22474, Cleo -1.22474
      Leo:   scores 7, 6; mean 6.5; deviations +0.5, -0.5; sd 0.5
             z: Ada +1, Cleo -1
      Mia:   scores 4, 4, 3; mean 11/3; deviations +1/3, +1/3, -2/3;
             variance (1/9 + 1/9 + 4/9) / 3 = 2/9; sd sqrt(2)/3 = 0.47140
             z: Ada +0.70711, Ben +0.70711, Cleo -1.41421

    Normalised (mean of the z-scores):
      Ada  (0 + 1 + 0.70711) / 3        = +0.56904
      Ben  (1.22474 + 0.70711) / 2      = +0.96593
      Cleo (-1.22474 - 1 - 1.41421) / 3 = -1.21298
    Mean of the weighted scores:
      Ada (2 + 7 + 4) / 3 = 4.3333, Ben (3 + 4) / 2 = 3.5, Cleo (1 + 6 + 3) / 3 = 3.3333

    So the raw mean puts Ada first only because the lenient reviewer scored her and could not
    score Ben; both reviewers who scored the two put Ben above Ada, and so does the normalised
    ranking: Ben, Ada, Cleo. Spread (range): Ada 7 - 2 = 5, Ben 4 - 3 = 1, Cleo 6 - 1 = 5; the
    disagreement threshold on 1-7 is a third of 6 = 2, so Ada and Cleo are flagged, Ben is not.
    """
    award_round = closed_round()
    category = factories.category(award_round, prize_count=1)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    nominator = user("nominator@example.org", "Nils Nominator")
    hanna = user("hanna@example.org", "Hanna Harsh", ("reviewer",))
    leo = user("leo@example.org", "Leo Lenient", ("reviewer",))
    mia = user("mia@example.org", "Mia Middle", ("reviewer",))
    panel = create_panel(award_round, name="Leadership group", chair=mia, actor=admin)
    add_member(panel, hanna, actor=admin)
    add_member(panel, leo, actor=admin)
    ada = make_nomination(category, nominator, "Ada Lovelace")
    ben = make_nomination(category, nominator, "Ben Franklin")
    cleo = make_nomination(category, nominator, "Cleo Patra")
    declare_conflict(ben, kind="collaborator", reason="Joint grant.", actor=leo)
    review(ada, hanna, 1, 3, 3)
    review(ben, hanna, 3)
    review(cleo, hanna, 1)
    review(ada, leo, 7)
    review(cleo, leo, 6)
    review(ada, mia, 4)
    review(ben, mia, 5, 3, 3)
    review(cleo, mia, 3)
    return {"category": category, "chair": mia, "ada": ada, "ben": ben, "cleo": cleo}


def test_normalised_ranking_matches_the_hand_computation(hand_example):
    ranking = compute_ranking(hand_example["category"])
    rows = {row.nominee_name.split()[0]: row for row in ranking.rows}
    assert [row.nominee_name.split()[0] for row in ranking.rows] == ["Ben", "Ada", "Cleo"]

    z_hanna = 1 / sqrt(2 / 3)  # 1.22474
    z_mia = (1 / 3) / (sqrt(2) / 3)  # 0.70711
    assert rows["Ada"].normalised == pytest.approx((0 + 1 + z_mia) / 3)
    assert rows["Ben"].normalised == pytest.approx((z_hanna + z_mia) / 2)
    assert rows["Cleo"].normalised == pytest.approx((-z_hanna - 1 - 2 * z_mia) / 3)
    assert rows["Ada"].normalised == pytest.approx(0.56904, abs=1e-5)
    assert rows["Ben"].normalised == pytest.approx(0.96593, abs=1e-5)
    assert rows["Cleo"].normalised == pytest.approx(-1.21298, abs=1e-5)

    assert rows["Ada"].mean == pytest.approx(13 / 3)
    assert rows["Ben"].mean == pytest.approx(3.5)
    assert rows["Cleo"].mean == pytest.approx(10 / 3)
    assert [rows[n].rank for n in ("Ben", "Ada", "Cleo")] == [1, 2, 3]
    assert (rows["Ada"].spread, rows["Ben"].spread, rows["Cleo"].spread) == (5, 1, 5)
    assert ranking.disagreement_threshold == pytest.approx(2.0)
    assert [rows[n].disagreement for n in ("Ada", "Ben", "Cleo")] == [True, False, True]
    # Leo's conflict: Ben expects two reviews, not three, and none is missing.
    assert (rows["Ben"].reviews, rows["Ben"].expected, rows["Ben"].missing) == (2, 2, 0)
    assert (rows["Ada"].reviews, rows["Ada"].expected) == (3, 3)
    # By the raw mean the order would be Ada, Ben, Cleo.
    by_mean = compute_ranking(hand_example["category"], sort="mean")
    assert [r.nominee_name.split()[0] for r in by_mean.rows] == ["Ada", "Ben", "Cleo"]


def test_ranking_page_shows_the_same_order_and_explains_the_method(app, hand_example):
    chair = browser(app, hand_example["chair"].email)
    url = f"/review/categories/{hand_example['category'].id}/ranking"
    response = chair.get(url)
    body = response.get_data(as_text=True)
    assert _names(response) == ["Ben Franklin", "Ada Lovelace", "Cleo Patra"]
    assert "+0.966" in body and "+0.569" in body and "-1.213" in body
    assert "turned into z-scores" in body and "counts as z = 0" in body
    assert "2.00 points or more" in body
    assert _names(chair.get(url + "?sort=mean")) == ["Ada Lovelace", "Ben Franklin", "Cleo Patra"]
    assert _names(chair.get(url + "?sort=name&dir=desc")) == [
        "Cleo Patra",
        "Ben Franklin",
        "Ada Lovelace",
    ]
    assert _names(chair.get(url + "?sort=normalised&dir=asc")) == [
        "Cleo Patra",
        "Ada Lovelace",
        "Ben Franklin",
    ]


def test_conflicted_viewer_sees_no_row_of_that_nomination(app, hand_example):
    ben = hand_example["ben"]
    leo = db.session.execute(db.select(User).where(User.email == "leo@example.org")).scalar_one()
    ranking = compute_ranking(hand_example["category"], viewer=leo)
    assert ben.id not in {r.nomination_id for r in ranking.rows}
    assert ranking.hidden_count == 1
    assert [r.rank for r in ranking.rows] == [1, 2]


def test_ties_share_a_rank_and_reviewers_without_spread_count_as_zero(app):
    award_round = closed_round()
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("admin",))
    nominator = user("nominator@example.org", "Nils Nominator")
    flat = user("flat@example.org", "Frida Flat", ("reviewer",))
    once = user("once@example.org", "Olav Once", ("reviewer",))
    create_panel(award_round, name="Panel", chair=flat, actor=admin)
    add_member(db.session.execute(db.select(Panel)).scalar_one(), once, actor=admin)
    nominations = [make_nomination(category, nominator, n) for n in ("Ann A", "Bob B", "Cat C")]
    for nomination in nominations:
        review(nomination, flat, 4)  # no spread: every z is 0
    review(nominations[0], once, 7)  # a single review: z = 0
    ranking = compute_ranking(category)
    assert [r.normalised for r in ranking.rows] == [0, 0, 0]
    assert [(r.rank, r.tied) for r in ranking.rows] == [(1, True)] * 3
    assert [r.missing for r in ranking.rows] == [0, 1, 1]
    assert not any(r.normalised for r in ranking.rows)
    assert {s.name: s.normalised for s in ranking.reviewers} == {
        "Frida Flat": False,
        "Olav Once": False,
    }
    page = browser(app, flat.email).get(f"/review/categories/{category.id}/ranking")
    body = page.get_data(as_text=True)
    assert body.count('<td class="rank">=1</td>') == 3
    assert body.count("Missing 1") == 2


def test_zscores_helper():
    z, mean, std = zscores({1: 2.0, 2: 4.0})
    assert (z, mean, std) == ({1: -1.0, 2: 1.0}, 3.0, 1.0)
    assert zscores({1: 5.0}) == ({1: 0.0}, 5.0, None)


def test_progress_shows_each_reviewer_and_missing_reviews(app, hand_example):
    ada, ben = hand_example["ada"], hand_example["ben"]
    extra = user("new@example.org", "Nora Newcomer", ("reviewer",))
    add_member(db.session.execute(db.select(Panel)).scalar_one(), extra, actor=extra_admin())
    review(ada, extra, 5, submit=False)
    progress = round_progress(ada.category.round)
    assert [(r.name, r.submitted, r.expected, r.drafts) for r in progress.reviewers] == [
        ("Hanna Harsh", 3, 3, 0),
        ("Leo Lenient", 2, 2, 0),
        ("Mia Middle", 3, 3, 0),
        ("Nora Newcomer", 0, 3, 1),
    ]
    assert [(n.nominee_name, n.missing_names) for n in progress.lacking] == [
        ("Ada Lovelace", ["Nora Newcomer"]),
        ("Ben Franklin", ["Nora Newcomer"]),
        ("Cleo Patra", ["Nora Newcomer"]),
    ]
    body = browser(app, "mia@example.org").get(f"/review/rounds/{ada.category.round_id}/progress")
    text = body.get_data(as_text=True)
    assert "8 of 11 expected reviews submitted" in text and "Nora Newcomer" in text
    assert (
        browser(app, "hanna@example.org")
        .get(f"/review/rounds/{ben.category.round_id}/progress")
        .status_code
        == 403
    )


def extra_admin() -> User:
    return db.session.execute(db.select(User).where(User.is_admin.is_(True))).scalar_one()


# --------------------------------------------------------------------------------------------
# A fixed number of queries, at 30 and at 300 nominations


def _bulk_category(award_round, name, size, reviewer_ids, nominator_id, rng):
    category = factories.category(award_round, name=name)
    criteria = category_criteria(category)
    stamp = now() - timedelta(days=2)
    db.session.execute(
        insert(Nomination),
        [
            {
                "category_id": category.id,
                "nominator_id": nominator_id,
                "nominee_name": f"{name} nominee {i:03d}",
                "nominee_email": f"{name.split()[0].lower()}{i}@example.org",
                "status": NominationStatus.SUBMITTED,
                "submitted_at": stamp,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for i in range(size)
        ],
    )
    ids = (
        db.session.execute(db.select(Nomination.id).where(Nomination.category_id == category.id))
        .scalars()
        .all()
    )
    db.session.execute(
        insert(Review),
        [
            {
                "nomination_id": nid,
                "reviewer_id": rid,
                # One in twenty reviews still a draft: not counted, shows as missing.
                "status": ReviewStatus.DRAFT if rng.random() < 0.05 else ReviewStatus.SUBMITTED,
                "recommendation": "support",
                "comment": "",
                "submitted_at": stamp,
                "updated_at": stamp,
            }
            for nid in ids
            for rid in reviewer_ids
        ],
    )
    reviews = db.session.execute(
        db.select(Review.id, Review.reviewer_id)
        .join(Nomination, Nomination.id == Review.nomination_id)
        .where(Nomination.category_id == category.id)
    ).all()
    db.session.execute(
        insert(ReviewScore),
        [
            {"review_id": review_id, "criterion_id": c.id, "score": rng.randint(1, 7)}
            for review_id, _ in reviews
            for c in criteria
        ],
    )
    # A few declared conflicts.
    db.session.execute(
        insert(ConflictOfInterest),
        [
            {
                "nomination_id": ids[i],
                "reviewer_id": reviewer_ids[i % len(reviewer_ids)],
                "kind": "collaborator",
                "automatic": False,
                "reason": "bulk",
                "declared_at": stamp,
                "cleared_reason": "",
            }
            for i in range(0, size, 10)
        ],
    )
    db.session.commit()
    return category


def test_ranking_page_uses_a_fixed_number_of_queries(app, count_queries):
    award_round = closed_round()
    admin = user("admin@example.org", "Ada Admin", ("admin",))
    chair = user("chair@example.org", "Chris Chair", ("reviewer",))
    nominator = user("nominator@example.org", "Nils Nominator")
    db.session.execute(
        insert(User),
        [
            {
                "email": f"reviewer{i}@example.org",
                "name": f"Reviewer {i:02d}",
                "password_hash": FAST_HASH,
                "is_staff": True,
                "is_reviewer": True,
                "is_admin": False,
                "active": True,
                "created_at": now(),
            }
            for i in range(11)
        ],
    )
    create_panel(award_round, name="Leadership group", chair=chair, actor=admin)
    panel = db.session.execute(db.select(Panel)).scalar_one()
    others = (
        db.session.execute(db.select(User.id).where(User.email.like("reviewer%"))).scalars().all()
    )
    db.session.execute(
        insert(PanelMember),
        [{"panel_id": panel.id, "user_id": uid, "role": PanelRole.MEMBER} for uid in others],
    )
    db.session.commit()
    reviewer_ids = [chair.id, *others]
    assert len(reviewer_ids) == 12
    rng = random.Random(2025)
    small = _bulk_category(award_round, "Small Award", 30, reviewer_ids, nominator.id, rng)
    large = _bulk_category(award_round, "Large Award", 300, reviewer_ids, nominator.id, rng)

    client = browser(app, chair.email)
    counts = {}
    for category in (small, large):
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"/review/categories/{category.id}/ranking")
        assert response.status_code == 200
        counts[category.name] = counter.count
        # The chair declared conflicts (nominations 0 of the small one; 0, 60, 120, 180,
        # 240 of the large one): left out.
        assert len(_names(response)) == (29 if category is small else 295)
    assert counts["Small Award"] == counts["Large Award"], counts
    assert counts["Large Award"] <= 12, counts

    ranking = compute_ranking(large)
    assert len(ranking.reviewers) == 12
    ranked = [r.rank for r in ranking.rows if r.rank is not None]
    assert ranked == sorted(ranked) and ranked[0] == 1
    assert any(r.missing_reviews for r in ranking.rows)

    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(f"/review/rounds/{award_round.id}/progress")
    assert response.status_code == 200 and counter.count <= 12, counter.count
