"""How sure the ranking is: ranks by mean, median and normalised score on known data, the
range of ranks with one reviewer left out, the prize boundary and the page's words for it, and
a conflicted chair who sees nothing derived from the reviews he may not see."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from openpyxl import load_workbook

from nominations.demo import DEMO_PASSWORD, load_demo
from nominations.models import AwardCategory, db
from nominations.workflow import ranking_inputs
from nominations.workflow.disagreement import disagreements
from nominations.workflow.ranking import _computed, compute_ranking
from nominations.workflow.ranking_uncertainty import certainty, competition_ranks
from tests.ranking_setup import TableParser, scored_category
from tests.review_setup import browser
from tests.uncertainty_setup import FRAGILE, ROBUST, panel


def _ranks(result, method: str) -> dict[str, int]:
    by_id = result.alternatives.by_method[method]
    return {row.nominee_name.split()[0]: by_id[row.nomination_id] for row in result.rows}


def test_competition_ranks_share_a_place_on_ties():
    assert competition_ranks({1: 2.0, 2: 3.0, 3: 3.0, 4: 1.0}) == {2: 1, 3: 1, 1: 3, 4: 4}


def test_ranks_by_mean_median_and_normalised_score_on_known_data(app):
    world = panel(FRAGILE)
    result = compute_ranking(world.category, viewer=world.chair)
    # Means: Ada 5, Ben 10/3, Dan 8/3, Cleo 4/3. Medians: Ada 5, Dan 3, Ben 2, Cleo 1.
    assert _ranks(result, "mean") == {"Ada": 1, "Ben": 2, "Dan": 3, "Cleo": 4}
    assert _ranks(result, "median") == {"Ada": 1, "Dan": 2, "Ben": 3, "Cleo": 4}
    assert _ranks(result, "normalised") == {"Ada": 1, "Ben": 2, "Dan": 3, "Cleo": 4}
    medians = {
        row.nominee_name.split()[0]: result.alternatives.medians[row.nomination_id]
        for row in result.rows
    }
    assert medians == {"Ada": 5, "Ben": 2, "Cleo": 1, "Dan": 3}
    # Without Leo, Ben is first and Ada second; without Hanna or Mia the order holds at the top.
    ranges = {
        row.nominee_name.split()[0]: result.alternatives.rank_range[row.nomination_id]
        for row in result.rows
    }
    # Without Hanna: Ada, Ben, Dan, Cleo; without Leo: Ben, Ada, Dan, Cleo; without Mia: Ada,
    # Dan, Ben, Cleo.
    assert ranges == {"Ada": (1, 2), "Ben": (1, 3), "Dan": (2, 3), "Cleo": (4, 4)}
    leo = world.reviewers["Leo"].id
    without_leo = result.alternatives.without[leo]
    assert without_leo[world.nominations["Ben"].id] == 1
    assert without_leo[world.nominations["Ada"].id] == 2


def test_leaving_one_reviewer_out_changes_the_winner_and_the_page_says_so(app):
    world = panel(FRAGILE)
    chair = browser(app, "mia@example.org")
    page = chair.get(f"/review/categories/{world.category.id}/ranking")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The boundary between place 1 (awarded) and place 2 is not robust." in html
    assert "Without the scores of Leo Lenient, Ben Franklin would rank above Ada Lovelace." in html
    # Neither the mean nor the median moves the boundary here; no other reviewer does.
    assert "Ranked by mean" not in html and "Ranked by median" not in html
    assert "Without the scores of Hanna" not in html and "Without the scores of Mia" not in html
    table = TableParser("ranking")
    table.feed(html)
    header, *rows = table.rows
    by_name = {row[1].split()[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Ada"]["Rank"] == "1" and by_name["Ada"]["Without one reviewer"] == "1–2"
    assert "Boundary" in by_name["Ada"]["Flags"] and "Boundary" in by_name["Ben"]["Flags"]
    assert "Boundary" not in by_name["Cleo"]["Flags"]
    assert by_name["Dan"]["Rank by median"] == "2" and by_name["Dan"]["Rank by mean"] == "3"


def test_a_robust_boundary_is_called_robust(app):
    world = panel(ROBUST)
    html = (
        browser(app, "mia@example.org")
        .get(f"/review/categories/{world.category.id}/ranking")
        .get_data(as_text=True)
    )
    summary = re.search(r'<p class="mb-1" id="certainty-summary">([^<]*)</p>', html).group(1)
    assert summary.startswith("The boundary between place 1 (awarded) and place 2 is robust")
    assert "Without the scores of" not in html
    table = TableParser("ranking")
    table.feed(html)
    assert not any("Boundary" in row[-1] for row in table.rows[1:])
    assert len(table.rows) == 5


def test_the_boundary_follows_the_number_of_prizes(app):
    world = panel(FRAGILE, prize_count=2)
    result = compute_ranking(world.category, viewer=world.chair)
    found = certainty(result)
    # Two prizes: Ada and Ben by normalised score and by mean; by median Dan replaces Ben.
    assert not found.robust
    assert found.summary.startswith("The boundary between place 2 (awarded) and place 3")
    assert "Ranked by median score, Dan Brown would rank above Ben Franklin." in found.sentences
    # Four prizes for four nominations: nothing to test.
    world.category.prize_count = 4
    db.session.commit()
    found = certainty(compute_ranking(world.category, viewer=world.chair))
    assert found.robust and not found.has_boundary
    assert found.summary.startswith("There is no prize boundary to test")


def test_anonymous_wording_names_no_reviewer(app):
    world = panel(FRAGILE)
    found = certainty(compute_ranking(world.category, viewer=world.chair), name_reviewers=False)
    assert found.sentences == [
        "Without the scores of one reviewer, Ben Franklin would rank above Ada Lovelace."
    ]


def test_the_page_speaks_bokmal(app):
    world = panel(FRAGILE)
    chair = browser(app, "mia@example.org")
    chair.submit("/language", {"language": "nb"}, page="/")
    html = chair.get(f"/review/categories/{world.category.id}/ranking").get_data(as_text=True)
    assert "Grensen mellom plass 1 (får pris) og plass 2 er ikke robust." in html
    assert (
        "Uten poengene fra Leo Lenient ville Ben Franklin blitt plassert over Ada Lovelace." in html
    )


def _without(inputs, nomination_id: int):
    """The ranking's inputs as if the nomination (and its reviews) did not exist."""
    return dataclasses.replace(
        inputs, nominations=tuple(n for n in inputs.nominations if n.id != nomination_id)
    )


def test_a_conflicted_chair_sees_nothing_derived_from_hidden_reviews(app):
    scored = scored_category()  # the chair (Mia) has a conflict with Eve
    eve = scored["Eve"].id
    chair_view = compute_ranking(scored.category, viewer=scored.chair)
    admin_view = compute_ranking(scored.category, viewer=scored.admin)
    blind = _computed(_without(ranking_inputs.load(scored.category), eve), frozenset())
    # Every figure the chair gets equals the ranking computed as if Eve's reviews did not exist.
    assert chair_view.alternatives == blind.alternatives
    assert eve not in chair_view.alternatives.rank_range
    assert all(eve not in ranks for ranks in chair_view.alternatives.without.values())
    chair_spreads = {d.row.nomination_id: d.spread for d in disagreements(chair_view)}
    blind_spreads = {
        d.row.nomination_id: d.spread
        for d in disagreements(dataclasses.replace(chair_view, rows=blind.rows))
    }
    assert chair_spreads == pytest.approx(blind_spreads)
    # ... and differs from the admin's, whose reviewers' scales include Eve's scores.
    admin_spreads = {d.row.nomination_id: d.spread for d in disagreements(admin_view)}
    assert eve in admin_view.alternatives.rank_range
    assert admin_spreads != pytest.approx(chair_spreads)
    # Nor does the page name her, in the ranking or on the discussion list.
    chair = browser(app, "mia@example.org")
    for path in ("ranking", "discussion"):
        html = chair.get(f"/review/categories/{scored.category.id}/{path}").get_data(as_text=True)
        assert "Eve Online" not in html
        assert re.search(r"conflict of interest", html)


def test_the_export_has_the_ranks_by_mean_and_median_and_the_rank_range(app):
    world = panel(FRAGILE)
    response = browser(app, "mia@example.org").get(
        f"/exports/categories/{world.category.id}/ranking.xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Ranking"]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_name = {row[1].split()[0]: dict(zip(header, row, strict=True)) for row in rows}
    columns = (
        "Rank",
        "Rank by mean",
        "Rank by median",
        "Best rank without one reviewer",
        "Worst rank without one reviewer",
    )
    assert [by_name["Ada"][c] for c in columns] == [1, 1, 1, 1, 2]
    assert [by_name["Ben"][c] for c in columns] == [2, 2, 3, 1, 3]
    assert [by_name["Dan"][c] for c in columns] == [3, 3, 2, 2, 3]
    assert [by_name["Cleo"][c] for c in columns] == [4, 4, 4, 4, 4]


def test_the_demo_shows_a_round_whose_boundary_is_not_robust(app):
    load_demo()
    db.session.commit()
    category = db.session.execute(
        db.select(AwardCategory).where(AwardCategory.name == "Innovation Prize")
    ).scalar_one()
    chair = browser(app)
    chair.login("chair@example.org", DEMO_PASSWORD)
    html = chair.get(f"/review/categories/{category.id}/ranking").get_data(as_text=True)
    assert "The boundary between place 1 (awarded) and place 2 is not robust." in html
    assert "Without the scores of Leif Lenient, Lars Berg would rank above Ingrid Haugen." in html
    listed = chair.get(f"/review/categories/{category.id}/discussion").get_data(as_text=True)
    assert 'id="disagreements"' in listed
