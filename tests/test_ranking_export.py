"""The ranking with every reviewer's scores as XLSX: the same rows, order and numbers as the
ranking page, ties as ties, a sheet per criterion and one explaining the method; the same
permissions as the page (a conflicted chair's file leaves the row out); no formulas."""

import io
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from nominations.models import Criterion, User, db
from nominations.workflow.ranking import METHOD_TEXT, compute_ranking
from tests.ranking_setup import scored_category, table
from tests.review_setup import browser, review, user

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def scored(app):
    return scored_category()


def _url(category, **query) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/exports/categories/{category.id}/ranking.xlsx" + (f"?{suffix}" if suffix else "")


def _workbook(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX_MIME
    assert response.headers["Content-Disposition"].startswith('attachment; filename="ranking-')
    return load_workbook(io.BytesIO(response.get_data()))


def _records(sheet) -> tuple[list, list[dict]]:
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def _rank_text(cell) -> str:
    """The rank as a spreadsheet displays it (a tie is a number formatted "=0")."""
    if cell.value is None:
        return "—"
    return ("=" if cell.number_format == '"="0' else "") + str(cell.value)


def _page_rows(client, category, query: str = "") -> list[dict]:
    response = client.get(f"/review/categories/{category.id}/ranking{query}")
    assert response.status_code == 200
    _, *rows = table(response.get_data(as_text=True), "ranking")
    return [
        dict(zip(("rank", "nominee", "reviews", "mean", "normalised", "spread"), r, strict=False))
        | {"flags": r[-1]}
        for r in rows
    ]


def _sheet_rows(sheet) -> list[dict]:
    """The Ranking sheet written the way the page writes each number."""
    header, *cells = list(sheet.iter_rows())
    names = [c.value for c in header]
    rows = []
    for row in cells:
        value = {name: cell.value for name, cell in zip(names, row, strict=True)}

        def fmt(number, pattern):
            return "—" if number is None else pattern % number

        department = value["Department"]
        flags = []
        if value["Prize boundary not robust"] == "yes":
            flags.append("Boundary")
        if value["Strong disagreement"] == "yes":
            flags.append("Disagreement")
        if value["Missing reviews"]:
            flags.append(f"Missing {value['Missing reviews']}")
        rows.append(
            {
                "rank": _rank_text(row[0]),
                "nominee": value["Nominee"] + (f" {department}" if department else ""),
                "reviews": f"{value['Reviews']} of {value['Expected reviews']}",
                "mean": fmt(value["Mean weighted score"], "%.2f"),
                "normalised": fmt(value["Normalised score"], "%+.3f"),
                "spread": fmt(value["Spread"], "%.2f"),
                "flags": " ".join(flags),
            }
        )
    return rows


def test_admin_export_matches_the_ranking_page(app, scored):
    admin = browser(app, scored.admin.email)
    category = scored.category
    for query, params in (("", {}), ("?sort=mean&dir=asc", {"sort": "mean", "dir": "asc"})):
        page = _page_rows(admin, category, query)
        workbook = _workbook(admin.get(_url(category, **params)))
        assert workbook.sheetnames == ["Ranking", "Scores by criterion", "Method"]
        assert _sheet_rows(workbook["Ranking"]) == page
    # Default order: by normalised score; the tied pair shares a rank; Finn has no reviews.
    page = _page_rows(admin, category)
    assert [r["nominee"].split()[0] for r in page][-1] == "Finn"
    ranks = {r["nominee"].split()[0]: r["rank"] for r in page}
    assert ranks["Cleo"] == ranks["Dan"] and ranks["Cleo"].startswith("=")
    assert ranks["Finn"] == "—"
    assert {r["rank"] for r in page} >= {"1", "2", "3"}

    header, records = _records(_workbook(admin.get(_url(category)))["Ranking"])
    assert header == [
        "Rank",
        "Nominee",
        "Department",
        "Reviews",
        "Expected reviews",
        "Missing reviews",
        "Mean weighted score",
        "Normalised score",
        "Spread",
        "Strong disagreement",
        "Prize boundary not robust",
        "Rank by mean",
        "Rank by median",
        "Best rank without one reviewer",
        "Worst rank without one reviewer",
        "Hanna Harsh",
        "Leo Lenient",
        "Mia Middle",
    ]
    by_name = {r["Nominee"].split()[0]: r for r in records}
    # Every reviewer's weighted score, unrounded: Mia gave Ben 6, 4, 4 = (12 + 4 + 4) / 4.
    assert [by_name["Ben"][n] for n in ("Hanna Harsh", "Leo Lenient", "Mia Middle")] == [4, 5, 5]
    assert [by_name["Ada"][n] for n in ("Hanna Harsh", "Leo Lenient", "Mia Middle")] == [2, 7, 4]
    assert by_name["Eve"]["Mia Middle"] is None  # Mia declared a conflict: no review counts
    assert (by_name["Eve"]["Reviews"], by_name["Eve"]["Expected reviews"]) == (2, 3)
    assert by_name["Ada"]["Strong disagreement"] == "yes" and by_name["Ada"]["Spread"] == 5
    assert by_name["Ben"]["Strong disagreement"] is None and by_name["Ben"]["Spread"] == 1
    assert by_name["Ada"]["Missing reviews"] == 1  # Rolf has not reviewed
    assert by_name["Finn"]["Rank"] is None and by_name["Finn"]["Mean weighted score"] is None
    assert by_name["Ada"]["Department"] == "Department of Tumor Biology"
    ranking = compute_ranking(category)
    for row in ranking.rows:
        record = by_name[row.nominee_name.split()[0]]
        assert record["Normalised score"] == (
            pytest.approx(row.normalised) if row.normalised is not None else None
        )


def test_criterion_sheet_and_method_sheet(app, scored):
    admin = browser(app, scored.admin.email)
    workbook = _workbook(admin.get(_url(scored.category)))
    header, records = _records(workbook["Scores by criterion"])
    criteria = db.session.execute(
        db.select(Criterion)
        .where(Criterion.category_id == scored.category.id)
        .order_by(Criterion.position)
    ).scalars()
    labels = [f"{c.name} ({c.scale_min}-{c.scale_max}, weight {c.weight:g})" for c in criteria]
    assert header == ["Rank", "Nominee", "Reviewer", *labels, "Weighted score", "Recommendation"]
    # One row per counted review: 5 x Hanna, 5 x Leo, 4 x Mia.
    assert len(records) == 14
    ben_mia = next(
        r for r in records if r["Nominee"] == "Ben Franklin" and r["Reviewer"] == "Mia Middle"
    )
    assert [ben_mia[label] for label in labels] == [6, 4, 4]
    assert ben_mia["Weighted score"] == 5 and ben_mia["Recommendation"] == "Support"
    cleo_hanna = next(
        r for r in records if r["Nominee"] == "Cleo Patra" and r["Reviewer"] == "Hanna Harsh"
    )
    assert cleo_hanna["Recommendation"] == "Do not support"
    # In the Ranking sheet's order.
    ranking_order = [r["Nominee"] for r in _records(workbook["Ranking"])[1] if r["Reviews"]]
    assert list(dict.fromkeys(r["Nominee"] for r in records)) == ranking_order

    _, method = _records(workbook["Method"])
    explained = {r["About"]: r["Explanation"] for r in method}
    assert explained["Normalised score"] == METHOD_TEXT
    assert explained["Category"] == "Researcher of the Year"
    assert "2.00 points or more" in explained["Strong disagreement"]
    assert "=1" in explained["Rank"]
    assert "Left out" not in explained  # the admin has no conflict


def test_conflicted_chair_export_leaves_the_row_out(app, scored):
    chair = browser(app, scored.chair.email)
    category = scored.category
    shown = _page_rows(chair, category)
    # The page and the file leave the row out.
    assert not any(r["nominee"].startswith("Eve Online") for r in shown)
    response = chair.get(_url(category))
    workbook = _workbook(response)
    assert _sheet_rows(workbook["Ranking"]) == shown
    assert b"Eve Online" not in response.get_data()
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "Eve Online" in v for v in row)
    # Ranks numbered among the rows the chair sees, as on the page.
    assert [r["rank"] for r in shown][:1] == ["1"]
    _, method = _records(workbook["Method"])
    explained = {r["About"]: r["Explanation"] for r in method}
    assert explained["Left out"].startswith("1 nomination with which you have a conflict")
    # Hanna's and Leo's scores on Eve are nowhere: not per criterion either.
    _, reviews = _records(workbook["Scores by criterion"])
    assert len(reviews) == 12


def test_conflicted_viewer_cannot_work_out_a_hidden_score_from_reviewer_figures(app, scored):
    """Next to each reviewer's scores on the rows shown, a mean (or a z-score) over every row
    would give the hidden score away: every figure covers the shown rows alone."""
    ranking = compute_ranking(scored.category, viewer=scored.chair)
    figures = {r.name: r for r in ranking.reviewers}
    assert figures["Hanna Harsh"].reviews == 4  # Ada, Ben, Cleo, Dan; not Eve
    assert figures["Hanna Harsh"].mean == pytest.approx((2 + 4 + 1 + 1) / 4)
    assert figures["Leo Lenient"].mean == pytest.approx((7 + 5 + 5 + 5) / 4)
    assert figures["Hanna Harsh"].std == pytest.approx(1.224744871)  # pstdev of 2, 4, 1, 1
    # Without a conflict, the figures cover every counted review.
    full = {r.name: r for r in compute_ranking(scored.category, viewer=scored.admin).reviewers}
    assert full["Hanna Harsh"].reviews == 5
    page = browser(app, scored.chair.email).get(f"/review/categories/{scored.category.id}/ranking")
    body = page.get_data(as_text=True)
    assert "computed without it" in body
    assert "<td>Hanna Harsh</td><td>4</td>\n      <td>2.00</td>" in body  # over the shown rows


def test_ranking_export_refused_like_the_ranking_page(app, scored):
    category = scored.category
    url = _url(category)
    anonymous = browser(app)
    response = anonymous.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    user("staff@example.org", "Sam Staff")
    for email in ("staff@example.org", scored.hanna.email, "otto@example.org"):
        # Staff; a member who is not the chair; the chair of another category's panel.
        assert browser(app, email).get(url).status_code == 403, email
    assert browser(app, scored.chair.email).get(_url(scored.other)).status_code == 403
    assert (
        browser(app, scored.admin.email).get("/exports/categories/9999/ranking.xlsx").status_code
        == 404
    )
    # Before the call closes, not even the chair.
    with time_machine.travel(scored.award_round.closes_at - timedelta(minutes=1), tick=False):
        assert browser(app, scored.chair.email).get(url).status_code == 403
    assert browser(app, scored.chair.email).get(url).status_code == 200


def test_ranking_export_is_linked_from_the_ranking_and_exports_pages(app, scored):
    chair = browser(app, scored.chair.email)
    category = scored.category
    ranking_page = chair.get(
        f"/review/categories/{category.id}/ranking?sort=mean&dir=asc"
    ).get_data(as_text=True)
    link = f"/exports/categories/{category.id}/ranking.xlsx?sort=mean&amp;dir=asc"
    assert link in ranking_page
    exports_page = chair.get(f"/exports/rounds/{scored.award_round.id}").get_data(as_text=True)
    assert f"/exports/categories/{category.id}/ranking.xlsx" in exports_page
    # Mia's panel covers one category: no links for the other.
    assert f"/exports/categories/{scored.other.id}/ranking.xlsx" not in exports_page
    assert f"/exports/categories/{scored.other.id}/nominations.csv" not in exports_page
    assert "Not covered by your panel." in exports_page


def test_text_from_users_never_runs_as_a_formula(app, scored):
    leo = db.session.get(User, scored.leo.id)
    leo.name = '=HYPERLINK("http://evil.example","Leo")'
    scored["Ada"].nominee_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    scored["Ada"].nominee_department.name = "-2+3 Department"
    criterion = (
        db.session.execute(db.select(Criterion).where(Criterion.category_id == scored.category.id))
        .scalars()
        .first()
    )
    criterion.name = "+Impact"
    db.session.commit()
    admin = browser(app, scored.admin.email)
    data = admin.get(_url(scored.category)).get_data()
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert '\'=HYPERLINK("http://evil.example","Leo")' in texts
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in texts
    assert "'-2+3 Department" in texts
    assert any(t.startswith("'+Impact (") for t in texts)
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    # A tie is a number shown "=1", not a text that could run.
    ranks = [row[0] for row in workbook["Ranking"].iter_rows(min_row=2)]
    assert any(c.number_format == '"="0' and isinstance(c.value, int) for c in ranks)


def test_ranking_export_queries_do_not_grow_with_the_rows(app, scored, count_queries):
    admin = browser(app, scored.admin.email)
    url = _url(scored.category)
    db.session.expire_all()
    with count_queries() as few:
        assert admin.get(url).status_code == 200
    nominator = db.session.execute(
        db.select(User).where(User.email == "nominator@example.org")
    ).scalar_one()
    from tests.review_setup import make_nomination

    for index in range(8):
        extra = make_nomination(scored.category, nominator, f"Extra Person{index}")
        review(extra, scored.hanna, 1 + index % 7)
        review(extra, scored.leo, 7 - index % 7)
    db.session.expire_all()
    with count_queries() as many:
        response = admin.get(url)
    assert response.status_code == 200
    assert len(_records(_workbook(response)["Ranking"])[1]) == 14
    assert many.count == few.count, "\n".join(many.statements)
