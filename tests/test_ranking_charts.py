"""The chair's score charts: each nomination's scores per reviewer and each reviewer's
distribution, as SVG drawn on the server; one mark per score; the same permissions as the
ranking (a conflicted chair's hidden row is absent); the numbers in tables; a fixed number
of queries."""

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from nominations.charts import DotRow, LegendEntry, Mark, dot_rows, mark_style
from nominations.models import User, db
from nominations.workflow.ranking import compute_ranking
from tests.html_audit import inline_code_problems
from tests.ranking_setup import scored_category, table
from tests.review_setup import browser, make_nomination, review, user

SVG = "{http://www.w3.org/2000/svg}"
MARK_TAGS = {f"{SVG}circle", f"{SVG}rect", f"{SVG}polygon"}


def _svgs(page: str) -> dict[str, ET.Element]:
    charts = [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S)]
    return {chart.get("id"): chart for chart in charts}


def _marks(svg: ET.Element) -> list[ET.Element]:
    return [e for e in svg.iter() if e.tag in MARK_TAGS and e.get("class") == "mark"]


def _pairs(svg: ET.Element) -> Counter:
    return Counter(
        (int(m.get("data-nomination")), int(m.get("data-reviewer"))) for m in _marks(svg)
    )


def _expected_pairs(category, viewer) -> Counter:
    ranking = compute_ranking(category, viewer=viewer)
    return Counter(
        (row.nomination_id, reviewer_id) for row in ranking.rows for reviewer_id in row.scores
    )


def _page(client, category) -> str:
    response = client.get(f"/review/categories/{category.id}/charts")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_admin_sees_one_mark_per_score_in_both_charts(app):
    scored = scored_category()
    response = browser(app, scored.admin.email).get(
        f"/review/categories/{scored.category.id}/charts"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert inline_code_problems(page) == []  # nothing the Content-Security-Policy blocks
    charts = _svgs(page)
    assert set(charts) == {"chart-nominations", "chart-reviewers"}
    expected = _expected_pairs(scored.category, scored.admin)
    assert sum(expected.values()) == 14  # 5 by Hanna, 5 by Leo, 4 by Mia
    for chart in charts.values():
        # Accessible: a role, a title and a description, referred to by aria-labelledby.
        assert chart.get("role") == "img"
        title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
        assert title.text and desc.text
        assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert _pairs(chart) == expected
        # Each mark tells its value to a screen reader or on hover.
        assert all(m.find(f"{SVG}title") is not None for m in _marks(chart))
    by_nomination = charts["chart-nominations"]
    assert by_nomination.find(f"{SVG}title").text == "Each nomination's scores per reviewer"
    # One row per nomination (Finn without reviews too), in rank order; the tie as "=".
    rows = [g for g in by_nomination.iter(f"{SVG}g") if g.get("class") == "row"]
    labels = [g.find(f"{SVG}title").text for g in rows]
    assert len(labels) == 6 and labels[-1] == "— Finn Last"
    assert [label for label in labels if label.startswith("=")] == [
        "=4 Cleo Patra",
        "=4 Dan Brown",
    ]
    # Mia gave Ben 6, 4, 4: weighted 5.
    ben, mia = scored["Ben"].id, scored.chair.id
    mark = next(
        m
        for m in _marks(by_nomination)
        if m.get("data-nomination") == str(ben) and m.get("data-reviewer") == str(mia)
    )
    assert mark.find(f"{SVG}title").text == "Ben Franklin, Mia Middle: 5.00"
    # Strong disagreement drawn thick: Ada (2, 7, 4) is, Ben (4, 5, 5) is not.
    ranges = {
        g.get("data-nomination"): next(e for e in g if e.get("class") == "range") for g in rows[:5]
    }
    assert ranges[str(scored["Ada"].id)].get("stroke-width") == "4"
    assert ranges[str(ben)].get("stroke-width") == "2"
    # The numbers are in a table as well.
    numbers = table(page, "scores-table")
    assert numbers[0][:5] == ["Rank", "Nominee", "Hanna Harsh", "Leo Lenient", "Mia Middle"]
    assert next(r for r in numbers if r[1] == "Ben Franklin")[2:5] == ["4.00", "5.00", "5.00"]


def test_reviewer_chart_puts_the_harshest_first_and_marks_each_mean(app):
    scored = scored_category()
    page = _page(browser(app, scored.admin.email), scored.category)
    chart = _svgs(page)["chart-reviewers"]
    rows = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "row"]
    assert [g.find(f"{SVG}title").text for g in rows] == [
        "Hanna Harsh",  # 2, 4, 1, 1, 4: mean 2.4
        "Mia Middle",  # 4, 5, 3, 3: mean 3.75
        "Leo Lenient",  # 7, 5, 5, 5, 7: mean 5.8
    ]
    means = {
        g.get("data-reviewer"): float(
            next(e for e in g if e.get("class") == "mean").get("data-value")
        )
        for g in rows
    }
    assert means == {
        str(scored.hanna.id): pytest.approx(2.4),
        str(scored.chair.id): pytest.approx(3.75),
        str(scored.leo.id): pytest.approx(5.8),
    }
    # The dashed line is the mean of every score: (12 + 29 + 15) / 14 = 4.
    reference = next(e for e in chart.iter(f"{SVG}line") if e.get("class") == "reference")
    assert reference.find(f"{SVG}title").text == "Mean of every score: 4.00"
    # A reviewer keeps the same mark in both charts.
    colours = {}
    for svg in _svgs(page).values():
        for mark in _marks(svg):
            colours.setdefault(mark.get("data-reviewer"), set()).add((mark.tag, mark.get("fill")))
    assert all(len(kinds) == 1 for kinds in colours.values()), colours
    # The table: harsher or more lenient than the others on the same nominations.
    numbers = {row[0]: row for row in table(page, "reviewers-table")[1:]}
    assert numbers["Hanna Harsh"][1:3] == ["5", "1.00"] and numbers["Hanna Harsh"][7] == "2.40"
    assert "harsher" in numbers["Hanna Harsh"][8]
    assert "more lenient" in numbers["Leo Lenient"][8]


def test_a_conflicted_chair_sees_no_mark_of_the_hidden_nomination(app):
    scored = scored_category()
    eve = scored["Eve"]
    page = _page(browser(app, scored.chair.email), scored.category)
    charts = _svgs(page)
    expected = _expected_pairs(scored.category, scored.chair)
    assert sum(expected.values()) == 12  # Hanna's and Leo's scores on Eve are not there
    for chart in charts.values():
        assert _pairs(chart) == expected
        nominations = {e.get("data-nomination") for e in chart.iter() if e.get("data-nomination")}
        assert str(eve.id) not in nominations
    assert "Eve Online" not in page
    assert "1 nomination with which you have a conflict of interest" in page
    # Each reviewer's mean covers the rows shown: Hanna 2, 4, 1, 1.
    numbers = {row[0]: row for row in table(page, "reviewers-table")[1:]}
    assert numbers["Hanna Harsh"][1] == "4" and numbers["Hanna Harsh"][7] == "2.00"


def test_charts_are_for_the_chair_and_admins_only(app):
    scored = scored_category()
    url = f"/review/categories/{scored.category.id}/charts"
    response = browser(app).get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    user("staff@example.org", "Sam Staff")
    for email in ("staff@example.org", scored.hanna.email, "otto@example.org"):
        assert browser(app, email).get(url).status_code == 403, email
    assert browser(app, scored.admin.email).get("/review/categories/9999/charts").status_code == 404
    chair = browser(app, scored.chair.email)
    assert chair.get(f"/review/categories/{scored.other.id}/charts").status_code == 403
    ranking = chair.get(f"/review/categories/{scored.category.id}/ranking")
    assert url in ranking.get_data(as_text=True)


def test_chart_queries_do_not_grow_with_the_nominations(app, count_queries):
    scored = scored_category()
    chair = browser(app, scored.chair.email)
    url = f"/review/categories/{scored.category.id}/charts"
    db.session.expire_all()
    with count_queries() as few:
        chair.get(url)
    nominator = db.session.execute(
        db.select(User).where(User.email == "nominator@example.org")
    ).scalar_one()
    for index in range(10):
        extra = make_nomination(scored.category, nominator, f"Extra Person{index}")
        review(extra, scored.hanna, 1 + index % 7)
        review(extra, scored.leo, 7 - index % 7)
        review(extra, scored.chair, 4)
    db.session.expire_all()
    with count_queries() as many:
        page = _page(chair, scored.category)
    assert sum(_pairs(_svgs(page)["chart-nominations"]).values()) == 12 + 30
    assert many.count == few.count, "\n".join(many.statements)


def test_dot_rows_are_well_formed_and_escape_names():
    chart = dot_rows(
        'Scores <b> & "quotes"',
        [
            DotRow(
                label="Åse <Ødegård> & co",
                marks=[
                    Mark(value=3.5, key=key, label=f"<reviewer {key}>", data={"reviewer": key})
                    for key in range(10)
                ],
                mean=3.5,
                box=(2.0, 3.5, 5.0),
                emphasis=True,
                note="mean 3.50",
                data={"nomination": 1},
            ),
            DotRow(label="No reviews", marks=[]),
        ],
        chart_id="c1",
        axis_min=1,
        axis_max=7,
        description="A test & more",
        legend=[LegendEntry(f'Reviewer "{key}"', key) for key in range(10)],
        reference=4.0,
        reference_label="mean <4>",
    )
    svg = ET.fromstring(str(chart))
    assert svg.find(f"{SVG}title").text == 'Scores <b> & "quotes"'
    assert svg.find(f"{SVG}desc").text == "A test & more"
    marks = _marks(svg)
    assert len(marks) == 10
    # Eight colours, then the next shape: keys 0 and 8 share a colour, not a shape.
    assert mark_style(0)[0] == mark_style(8)[0] and mark_style(0)[1] != mark_style(8)[1]
    assert {m.tag for m in marks} == {f"{SVG}circle", f"{SVG}rect"}
    # Equal values are nudged apart so that every mark stays visible.
    positions = set()
    for mark in marks:
        if mark.tag == f"{SVG}circle":
            positions.add(mark.get("cy"))
        else:
            positions.add(float(mark.get("y")) + float(mark.get("height")) / 2)
    assert len(positions) > 1
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Åse <Ødegård> & co" in texts and "mean 3.50" in texts
    empty = ET.fromstring(
        str(dot_rows("Empty", [], chart_id="c2", axis_min=1, axis_max=7, description="none"))
    )
    assert "No scores yet" in [t.text for t in empty.iter(f"{SVG}text")]
