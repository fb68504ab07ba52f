"""The ranking kept per version stamp: asked again with nothing changed it comes from the cache;
after any change to what it reads (a score, a conflict, the panel, a weight, a withdrawal, a
reviewer's name, a department) it is computed again and equals a ranking computed from scratch;
two viewers with different conflicts never share figures; the clock passing the closing time
counts as a change; changes the ranking does not read leave the stamp alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import Column, Table, event, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from nominations.models import (
    Department,
    Nomination,
    NominationStatus,
    PanelMember,
    Review,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import ranking_cache, ranking_inputs, ranking_version
from nominations.workflow.accounts import deactivate_user, start_session
from nominations.workflow.conflicts import declare_conflict
from nominations.workflow.departments import rename_department
from nominations.workflow.nominations.commands import mark_ineligible, withdraw
from nominations.workflow.panels import create_panel, remove_member
from nominations.workflow.ranking import compute_ranking
from nominations.workflow.ranking_cache import BoundedCache
from nominations.workflow.reviews import ReviewInput, save_review
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.ranking_setup import scored_category, table
from tests.review_setup import browser, closed_round, make_nomination, review, scores_for, user


def figures(ranking) -> dict:
    """Everything a viewer reads off a ranking, by names (ids differ between rebuilds)."""
    names = {r.reviewer_id: r.name for r in ranking.reviewers}

    def number(value):
        return None if value is None else round(value, 9)

    return {
        "rows": [
            (
                row.nominee_name,
                row.department,
                row.reviews,
                row.expected,
                number(row.mean),
                number(row.normalised),
                number(row.spread),
                row.rank,
                {names[k]: number(v) for k, v in row.scores.items()},
            )
            for row in ranking.rows
        ],
        "reviewers": [
            (r.name, r.reviews, number(r.mean), number(r.std)) for r in ranking.reviewers
        ],
        "criteria": [(c.name, c.weight, c.scale_min, c.scale_max) for c in ranking.criteria],
        "hidden": ranking.hidden_count,
    }


def row_of(ranking, first_name: str):
    return next(r for r in ranking.rows if r.nominee_name.startswith(first_name))


def score_by(ranking, first_name: str, reviewer: str) -> float | None:
    ids = {r.name: r.reviewer_id for r in ranking.reviewers}
    return row_of(ranking, first_name).scores.get(ids.get(reviewer))


def shown(ranking) -> set[str]:
    return {row.nominee_name for row in ranking.rows}


def from_scratch(category, viewer) -> dict:
    ranking_cache.cache().clear()
    return figures(compute_ranking(category, viewer=viewer))


def cached_twice(category, viewer) -> dict:
    """The ranking, asked twice: the second time from the cache, with the same figures."""
    cache = ranking_cache.cache()
    first = figures(compute_ranking(category, viewer=viewer))
    hits = cache.hits
    assert figures(compute_ranking(category, viewer=viewer)) == first
    assert cache.hits == hits + 1
    return first


# --------------------------------------------------------------------------------------------
# Every input of the ranking is watched


def test_every_column_the_ranking_reads_is_watched(app):
    """The queries that load a ranking's inputs read only columns whose changes give the
    category a new stamp: a new input added to a query without a watch fails here."""
    scored = scored_category()
    assert scored.category.round.id  # loaded before: the page has them already
    statements = []

    def capture(conn, clauseelement, multiparams, params, execution_options):
        statements.append(clauseelement)

    event.listen(db.engine, "before_execute", capture)
    try:
        ranking_inputs.load(scored.category)
    finally:
        event.remove(db.engine, "before_execute", capture)
    assert len(statements) == 5

    read: set[tuple[str, str]] = set()
    for statement in statements:
        # What it selects (every column of an entity, when one is selected whole), and every
        # column named anywhere in it: joins, conditions, subqueries.
        columns = [*statement.selected_columns, *visitors.iterate(statement)]
        for element in columns:
            if isinstance(element, Column) and isinstance(element.table, Table):
                read.add((element.table.name, element.name))
    assert ("review_scores", "score") in read and ("users", "email") in read  # it looked
    unwatched = {
        (table, column)
        for table, column in read
        if column not in ranking_version.WATCHED.get(table, ranking_version.Watch(set(), "", ""))[0]
    }
    assert unwatched == set()


# --------------------------------------------------------------------------------------------
# The page


def ada_row(page: str) -> list[str]:
    """Ada's row of the ranking table: rank, nominee, reviews, mean, normalised, ..."""
    return next(row for row in table(page, "ranking") if "Ada Lovelace" in row[1])


def test_chair_page_is_served_from_the_cache_until_a_reviewer_changes_a_score(app, count_queries):
    scored = scored_category()
    chair = browser(app, scored.chair.email)
    url = f"/review/categories/{scored.category.id}/ranking"
    assert chair.get(url).status_code == 200
    with count_queries() as cold:
        ranking_cache.cache().clear()
        first = chair.get(url).get_data(as_text=True)
    with count_queries() as warm:
        again = chair.get(url).get_data(as_text=True)
    assert table(again, "ranking") == table(first, "ranking")  # (the page's CSRF token ticks)
    assert warm.count <= cold.count - 5, (warm.count, cold.count)  # the inputs were not read

    # Hanna changes her review of Ada on the review form (7 everywhere).
    hanna = browser(app, scored.hanna.email)
    ada = scored["Ada"]
    form = {f"score_{cid}": "7" for cid in scores_for(ada.category, 7)}
    form |= {"recommendation": "support", "comment": "", "submit_review": "Submit review"}
    response = hanna.submit(f"/review/nominations/{ada.id}", form)
    assert response.status_code == 302

    after = chair.get(url).get_data(as_text=True)
    assert ada_row(first)[3] == "4.33" and ada_row(after)[3] == "6.00"  # (7 + 7 + 4) / 3


# --------------------------------------------------------------------------------------------
# Each input


def _score_edit(s):
    review(s["Ben"], s.hanna, 7)


def _new_conflict(s):
    declare_conflict(s["Ben"], kind="collaborator", reason="Co-author.", actor=s.leo)
    db.session.commit()


def _member_leaves(s):
    member = db.session.execute(
        db.select(PanelMember).where(PanelMember.user_id == s.hanna.id)
    ).scalar_one()
    remove_member(member, actor=s.admin)
    db.session.commit()


def _weight_change(s):
    # The rubric is locked once reviewing has started; an administrator's correction in the
    # database still goes through the session and counts.
    first = category_criteria(s.category)[0]
    first.weight = 5.0
    db.session.commit()


def _ineligible(s):
    mark_ineligible(s["Ben"], actor=s.admin, reason="Not employed here.")
    db.session.commit()


def _reviewer_deactivated(s):
    deactivate_user(s.leo, actor=s.admin)
    db.session.commit()


def _reviewer_renamed_in_bulk(s):
    # A bulk UPDATE, which no flush sees.
    db.session.execute(db.update(User).where(User.id == s.hanna.id).values(name="Hanna Hard"))
    db.session.commit()


def _department_renamed(s):
    department = db.session.execute(db.select(Department)).scalars().first()
    rename_department(department, "Department of Cancer Biology", actor=s.admin)
    db.session.commit()


CHANGES = {
    "score edit": (_score_edit, lambda r: score_by(r, "Ben", "Hanna Harsh") == 7.0),
    "new conflict": (
        _new_conflict,
        lambda r: row_of(r, "Ben").expected == 3 and score_by(r, "Ben", "Leo Lenient") is None,
    ),
    "member leaves the panel": (
        _member_leaves,
        lambda r: "Hanna Harsh" not in {x.name for x in r.reviewers},
    ),
    "weight change": (_weight_change, lambda r: r.criteria[0].weight == 5.0),
    "marked ineligible": (_ineligible, lambda r: "Ben Franklin" not in shown(r)),
    "reviewer deactivated": (
        _reviewer_deactivated,
        lambda r: "Leo Lenient" not in {x.name for x in r.reviewers},
    ),
    "reviewer renamed in bulk": (
        _reviewer_renamed_in_bulk,
        lambda r: "Hanna Hard" in {x.name for x in r.reviewers},
    ),
    "department renamed": (
        _department_renamed,
        lambda r: row_of(r, "Ada").department == "Department of Cancer Biology",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_an_input_gives_a_new_ranking_equal_to_one_from_scratch(app, change):
    scored = scored_category()
    make, shows = CHANGES[change]
    before = cached_twice(scored.category, scored.chair)
    make(scored)
    db.session.expire_all()
    ranking = compute_ranking(scored.category, viewer=scored.chair)
    after = figures(ranking)
    assert after != before
    assert shows(ranking)
    assert after == from_scratch(scored.category, scored.chair)


def test_a_withdrawal_during_the_call_leaves_the_ranking(app):
    award_round = factories.award_round()  # open, closes in three weeks
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    nominator = user("nominator@example.org", "Nils Nominator")
    kept = make_nomination(category, nominator, "Kari Kept")
    leaving = make_nomination(category, nominator, "Wenche Withdrawn")
    before = cached_twice(category, admin)
    assert [row[0] for row in before["rows"]] == ["Kari Kept", "Wenche Withdrawn"]

    withdraw(leaving, actor=nominator)
    db.session.commit()
    assert leaving.status == NominationStatus.WITHDRAWN
    after = figures(compute_ranking(category, viewer=admin))
    assert [row[0] for row in after["rows"]] == [kept.nominee_name]
    assert after == from_scratch(category, admin)


def test_a_weight_changed_through_the_rubric_before_reviewing(app):
    award_round = closed_round()
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    make_nomination(category, user("nominator@example.org", "Nils Nominator"), "Kari Kept")
    before = cached_twice(category, admin)
    assert before["criteria"][0][1] == 2.0

    from nominations.workflow.rubric import CriterionData, update_criterion

    criterion = category_criteria(category)[0]
    update_criterion(
        criterion,
        CriterionData(name=criterion.name, guidance="", weight=3, scale_min=1, scale_max=10),
        actor=admin,
    )
    db.session.commit()
    ranking = compute_ranking(category, viewer=admin)
    assert ranking.criteria[0].weight == 3.0 and ranking.scale_max == 10
    assert ranking.disagreement_threshold == pytest.approx(3.0)
    assert figures(ranking) == from_scratch(category, admin)


# --------------------------------------------------------------------------------------------
# Viewers


def test_two_chairs_with_different_conflicts_never_share_figures(app):
    scored = scored_category()  # Mia chairs the category's panel and has a conflict with Eve
    chad = user("chad@example.org", "Chad Chair", ("staff", "reviewer"))
    create_panel(scored.award_round, name="Round panel", chair=chad, actor=scored.admin)
    db.session.commit()
    declare_conflict(scored["Ada"], kind="collaborator", reason="Co-author.", actor=chad)
    db.session.commit()

    mia = cached_twice(scored.category, scored.chair)
    chad_sees = cached_twice(scored.category, chad)
    admin_sees = cached_twice(scored.category, scored.admin)
    names = {
        who: [row[0] for row in seen["rows"]]
        for who, seen in (("mia", mia), ("chad", chad_sees), ("admin", admin_sees))
    }
    assert "Eve Online" not in names["mia"] and "Ada Lovelace" in names["mia"]
    assert "Ada Lovelace" not in names["chad"] and "Eve Online" in names["chad"]
    assert "Eve Online" in names["admin"] and "Ada Lovelace" in names["admin"]
    assert mia["reviewers"] != chad_sees["reviewers"]  # each reviewer's mean without the hidden
    # Asked again in another order, each still gets his own figures, as from scratch.
    assert figures(compute_ranking(scored.category, viewer=chad)) == chad_sees
    assert figures(compute_ranking(scored.category, viewer=scored.chair)) == mia
    assert from_scratch(scored.category, chad) == chad_sees
    assert from_scratch(scored.category, scored.chair) == mia


# --------------------------------------------------------------------------------------------
# The clock, uncommitted changes, changes that do not matter


def test_the_closing_time_passing_counts_as_a_change(app):
    closes_at = now() + timedelta(hours=1)
    award_round = closed_round(closes_at=closes_at)  # open by the clock for another hour
    category = factories.category(award_round)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    rita = user("rita@example.org", "Rita Reviewer", ("staff", "reviewer"))
    create_panel(award_round, name="Panel", chair=rita, actor=admin, category=category)
    make_nomination(category, user("nominator@example.org", "Nils Nominator"), "Kari Kept")
    db.session.commit()
    assert cached_twice(category, admin)["rows"][0][3] == 0  # nobody owes a review yet

    with time_machine.travel(closes_at + timedelta(minutes=1), tick=False):
        assert figures(compute_ranking(category, viewer=admin))["rows"][0][3] == 1


def test_an_uncommitted_change_is_seen_by_its_transaction_and_never_kept(app):
    scored = scored_category()
    before = cached_twice(scored.category, scored.chair)
    ada = scored["Ada"]
    save_review(
        ada,
        ReviewInput(scores=scores_for(ada.category, 7), recommendation="support"),
        actor=scored.hanna,
        submit=True,
    )
    inside = figures(compute_ranking(scored.category, viewer=scored.chair))
    assert inside != before and row_of(compute_ranking(scored.category), "Ada").mean == 6.0
    db.session.rollback()
    assert figures(compute_ranking(scored.category, viewer=scored.chair)) == before


def _stamp(category) -> str:
    return ranking_version.current(category.id).version


def test_changes_the_ranking_does_not_read_keep_the_stamp(app):
    scored = scored_category()
    stamp = _stamp(scored.category)
    # A sign-in, a review's comment alone, a nomination's statement, another round.
    start_session(scored.chair)
    db.session.commit()
    ben_review = db.session.execute(
        db.select(Review).where(
            Review.reviewer_id == scored.chair.id, Review.nomination_id == scored["Ben"].id
        )
    ).scalar_one()
    ben_review.comment = "A better comment."
    scored["Ada"].statement = "Rewritten."
    db.session.commit()
    factories.category(factories.award_round(name="Another round"), name="Elsewhere")
    assert _stamp(scored.category) == stamp
    # A change to what it reads does change it, for the categories concerned only.
    other_stamp = _stamp(scored.other)
    review(scored["Ben"], scored.hanna, 6)
    assert _stamp(scored.category) != stamp
    assert _stamp(scored.other) == other_stamp


def test_the_cache_keeps_the_most_recently_used_within_its_size():
    cache: BoundedCache[str] = BoundedCache(capacity=10)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.put("c", "C", 4)  # 12 > 10: b goes
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    cache.put("huge", "H", 11)  # larger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2 and cache.size == 8


def test_a_change_made_outside_the_session_is_seen_after_bump_all(app):
    scored = scored_category()
    before = cached_twice(scored.category, scored.chair)
    with db.engine.begin() as connection:  # as psql would: no session sees it
        connection.execute(
            db.update(User).where(User.id == scored.hanna.id).values(name="Hanna Hard")
        )
    db.session.expire_all()
    assert figures(compute_ranking(scored.category, viewer=scored.chair)) == before  # stale
    ranking_version.bump_all()
    db.session.commit()
    after = figures(compute_ranking(scored.category, viewer=scored.chair))
    assert "Hanna Hard" in {name for name, *_ in after["reviewers"]}
    assert after == from_scratch(scored.category, scored.chair)


@pytest.mark.postgres
def test_a_writer_commits_without_waiting_for_another_still_at_work_in_the_category(app):
    """A row referring to a category (a nomination) holds a key-share lock on the category's
    row until its transaction ends; stamping the category at commit must not wait for it, or
    two nominators committing at once each wait for the other (a deadlock)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between sessions: PostgreSQL only (make test-postgres)")
    category = factories.category(closed_round())
    nominator = user("nominator@example.org", "Nils Nominator")
    stamp = _stamp(category)

    def nomination(name: str) -> Nomination:
        return Nomination(
            category_id=category.id,
            nominator_id=nominator.id,
            nominee_name=name,
            status=NominationStatus.SUBMITTED,
            submitted_at=now(),
        )

    with Session(db.engine) as other:  # another request, still at work
        other.add(nomination("Olga Other"))
        other.flush()
        db.session.add(nomination("Tove This"))
        db.session.flush()
        db.session.execute(text("SET LOCAL lock_timeout = '3s'"))
        db.session.commit()  # waited for the other, it would fail here after 3 s
        assert _stamp(category) != stamp
        other.commit()
    assert {n.nominee_name for n in db.session.execute(db.select(Nomination)).scalars()} == {
        "Olga Other",
        "Tove This",
    }
