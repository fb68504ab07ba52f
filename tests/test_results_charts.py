"""Admin charts: nominations per category and per department over the years, as SVG drawn on
the server (no script, no inline style, nothing from a CDN)."""

import re
import xml.etree.ElementTree as ET

from nominations.charts import Series, grouped_bars, nice_max
from nominations.models import NominationStatus
from tests import factories
from tests import results_helpers as h

SVG = "{http://www.w3.org/2000/svg}"


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S)]


def _bars(svg: ET.Element) -> dict[tuple[str, str], int]:
    return {
        (rect.get("data-series"), rect.get("data-group")): int(rect.get("data-value"))
        for rect in svg.iter(f"{SVG}rect")
        if rect.get("class") == "bar"
    }


def test_admin_sees_nominations_per_category_and_department_over_the_years(client, admin):
    genetics = factories.department("Department of Cancer Genetics")
    biology = factories.department("Department of Tumor Biology")
    nominator = factories.user("nora@example.org")
    for year, counts in ((2024, (2, 1)), (2025, (3, 0))):
        award_round = h.closed_round("ICR Prizes", year=year)
        researcher = factories.category(award_round, "Researcher of the Year", 100_000)
        employee = factories.category(award_round, "Employee of the Year", 50_000)
        for index in range(counts[0]):
            factories.nomination(researcher, nominator, f"R{year}-{index}", department=genetics)
        for index in range(counts[1]):
            factories.nomination(employee, nominator, f"E{year}-{index}", department=biology)
        # Drafts never went in: not counted.
        factories.nomination(employee, nominator, f"D{year}", status=NominationStatus.DRAFT)
    factories.nomination(researcher, nominator, "No Department")  # 2025, no department

    client.login("admin@example.org")
    response = client.get("/admin/charts")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    category_chart, department_chart = _svgs(page)
    assert category_chart.get("role") == "img"
    assert category_chart.find(f"{SVG}title").text == "Nominations per category and year"
    assert _bars(category_chart) == {
        ("Employee of the Year", "2024"): 1,
        ("Employee of the Year", "2025"): 0,
        ("Researcher of the Year", "2024"): 2,
        ("Researcher of the Year", "2025"): 4,
    }
    assert _bars(department_chart) == {
        ("Department of Cancer Genetics", "2024"): 2,
        ("Department of Cancer Genetics", "2025"): 3,
        ("Department of Tumor Biology", "2024"): 1,
        ("Department of Tumor Biology", "2025"): 0,
        ("(no department)", "2024"): 0,
        ("(no department)", "2025"): 1,
    }
    # A taller bar for a larger count.
    heights = {
        (r.get("data-series"), r.get("data-group")): float(r.get("height"))
        for r in category_chart.iter(f"{SVG}rect")
        if r.get("class") == "bar"
    }
    assert heights[("Researcher of the Year", "2025")] > heights[("Researcher of the Year", "2024")]
    assert heights[("Employee of the Year", "2025")] == 0
    # The numbers are in a table too.
    assert '<th scope="row">Department of Tumor Biology</th><td>1</td><td>0</td>' in page


def test_charts_without_data_and_for_non_admins(client, admin, staff, make_client):
    client.login("admin@example.org")
    page = client.get("/admin/charts").get_data(as_text=True)
    assert [svg.find(f"{SVG}title").text for svg in _svgs(page)] == [
        "Nominations per category and year",
        "Nominations per department and year",
    ]
    assert page.count("No data yet") == 2
    assert make_client("staff@example.org").get("/admin/charts").status_code == 403
    assert make_client().get("/admin/charts").status_code == 302


def test_svg_escapes_names_and_picks_round_axis_maxima():
    chart = grouped_bars(
        "A <b> & c",
        ["2024"],
        [Series('Dept "x" <y>', [3])],
        chart_id="c1",
    )
    svg = ET.fromstring(str(chart))  # well-formed XML despite the names
    assert svg.find(f"{SVG}title").text == "A <b> & c"
    assert _bars(svg) == {('Dept "x" <y>', "2024"): 3}
    assert nice_max(3) == (3, 1)
    assert nice_max(7) == (8, 2)
    assert nice_max(42) == (50, 10)
    assert nice_max(0) == (1.0, 1.0)
