"""What a screen reader, a keyboard and a phone rely on in every page (WCAG 2.1 AA, issue 14):
landmarks and a skip link, one h1 and headings in order, every table in a named region that
scrolls by keyboard, the administrators' pages in one menu of the bar, and every chart with a
table of the same numbers.

The pages are parsed with lxml (installed with feedgen, one of the app's dependencies).
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from nominations import PROJECT_ROOT
from nominations.demo import DEMO_PASSWORD, USERS, load_demo
from nominations.models import User, db
from tests import factories
from tests import results_helpers as h
from tests.html_audit import crawl
from tests.ranking_setup import scored_category
from tests.review_setup import browser

TEMPLATES = Path(PROJECT_ROOT) / "templates"
ADMIN_PAGES = [
    "Rounds",
    "Nominations",
    "Users",
    "Personal data",
    "Departments",
    "Outbox",
    "E-mail texts",
    "Scheduler",
    "Audit log",
]


def _tree(html: str):
    return lxml.html.fromstring(html)


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def structure_problems(html: str) -> list[str]:
    """Landmarks, skip link, headings and table regions of one rendered page."""
    tree = _tree(html)
    problems = []
    for tag, count in (("header", 1), ("main", 1), ("footer", 1)):
        found = len(tree.xpath(f"//{tag}[not(ancestor::main)]"))
        if found != count:
            problems.append(f"{found} <{tag}> landmarks (expected {count})")
    if not tree.xpath("//header/nav[@aria-label='Main navigation' or @aria-label='Hovedmeny']"):
        problems.append("no main navigation inside the header")
    first_link = tree.xpath("//body//a")[0]
    if first_link.get("href") != "#main" or not tree.xpath("//main[@id='main']"):
        problems.append("the first link is not a skip link to <main id=main>")
    levels = [int(h.tag[1]) for h in tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    if levels.count(1) != 1 or levels[0] != 1:
        problems.append(f"headings {levels}: not one h1 first")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"headings {levels}: h{before} followed by h{after}")
    for table in tree.xpath("//table[not(ancestor::table)]"):
        region = table.getparent()
        if not (
            region.tag == "div"
            and region.get("role") == "region"
            and region.get("tabindex") == "0"
            and (region.get("aria-label") or "").strip()
        ):
            problems.append(f"a table not in a named, focusable region: {_text(table)[:60]!r}")
    return problems


def test_every_table_of_the_templates_is_in_a_table_region():
    """The source: one macro for all tables (e-mails aside), so that none is forgotten on a page
    no other test renders."""
    token = re.compile(r"{%-?\s*call\s+table_region\(|{%-?\s*endcall\s*-?%}|<table\b|</table>")
    unwrapped = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] == "emails":
            continue
        regions, tables = [], 0
        text = path.read_text()
        for match in token.finditer(text):
            word = match.group(0)
            if "table_region" in word:
                regions.append(tables)
            elif "endcall" in word:
                if regions:
                    regions.pop()
            elif word == "</table>":
                tables -= 1
            else:
                if tables == 0 and not regions:
                    line = text.count("\n", 0, match.start()) + 1
                    unwrapped.append(f"{path.relative_to(TEMPLATES)}:{line}")
                tables += 1
    assert unwrapped == []


def test_every_page_of_every_demo_user_has_landmarks_headings_and_table_regions(app, make_client):
    load_demo()
    db.session.commit()  # the test is the edge: the pages read what the loader stored
    failures, checked = [], 0
    for email in [None, *(user[0] for user in USERS)]:
        visitor = make_client()
        if email:
            visitor.login(email, DEMO_PASSWORD)
        for url, (status, html) in crawl(visitor, ["/", "/no/such/page"]).items():
            if html and not 300 <= status < 400:  # a redirect's body is werkzeug's, not ours
                checked += 1
                failures += [f"{email} {url} ({status}): {p}" for p in structure_problems(html)]
    assert failures == []
    assert checked >= 80  # the crawl reached the admin, review and results pages


def _bar(tree) -> list:
    return tree.xpath(
        "//nav[@aria-label='Main navigation' or @aria-label='Hovedmeny']"
        "//ul[contains(@class, 'me-auto')]/li"
    )


def test_the_admin_pages_are_one_menu_of_the_bar(client, admin):
    client.login("admin@example.org")
    tree = _tree(client.get("/admin/outbox").get_data(as_text=True))
    entries = [_text(item.xpath("./a|./button")[0]) for item in _bar(tree)]
    assert entries == ["Open calls", "My nominations", "Winners", "Admin"]
    menu = tree.xpath("//button[contains(@class, 'dropdown-toggle')]")[0]
    assert menu.get("type") == "button" and menu.get("aria-expanded") == "false"
    assert "active" in menu.get("class")  # the admin page shown is in this menu
    links = menu.getparent().xpath(".//a")
    assert [_text(a) for a in links] == ADMIN_PAGES
    # The page shown is marked for screen readers, and only that one.
    current = tree.xpath("//nav//a[@aria-current='page']")
    assert [(a.get("href"), _text(a)) for a in current] == [("/admin/outbox", "Outbox")]


def test_people_without_the_admin_role_get_no_admin_menu(client, staff):
    client.login("staff@example.org")
    tree = _tree(client.get("/calls").get_data(as_text=True))
    entries = [_text(item.xpath("./a|./button")[0]) for item in _bar(tree)]
    assert entries == ["Open calls", "My nominations", "Winners"]
    assert tree.xpath("//nav//a[@aria-current='page']/@href") == ["/calls"]


def _chart_numbers(svg) -> dict[tuple[str, str], str]:
    return {
        (bar.get("data-series"), bar.get("data-group")): bar.get("data-value")
        for bar in svg.xpath(".//*[local-name()='rect'][@class='bar']")
    }


def _table_numbers(table) -> dict[tuple[str, str], str]:
    years = [_text(th) for th in table.xpath("./thead/tr/th")][1:]
    numbers = {}
    for row in table.xpath("./tbody/tr"):
        name = _text(row.xpath("./th")[0])
        for year, cell in zip(years, row.xpath("./td"), strict=True):
            numbers[(name, year)] = _text(cell)
    return numbers


def test_each_admin_chart_has_a_table_with_the_same_numbers(client, admin):
    nominator = factories.user("nora@example.org")
    genetics = factories.department("Department of Cancer Genetics")
    for year, count in ((2023, 1), (2024, 3), (2025, 2)):
        award_round = h.closed_round("ICR Prizes", year=year)
        researcher = factories.category(award_round, "Researcher of the Year", 100_000)
        employee = factories.category(award_round, "Employee of the Year", 50_000)
        for index in range(count):
            factories.nomination(researcher, nominator, f"R{year}-{index}", department=genetics)
        factories.nomination(employee, nominator, f"E{year}")
    client.login("admin@example.org")
    tree = _tree(client.get("/admin/charts").get_data(as_text=True))
    sections = tree.xpath("//main//section")
    assert len(sections) == 2
    for section in sections:
        svg = section.xpath(".//*[local-name()='svg']")[0]
        # The picture is named for screen readers, and its description points to the table.
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.xpath(f".//*[@id='{title_id}']")[0].text
        assert "table below" in svg.xpath(f".//*[@id='{desc_id}']")[0].text
        table = section.xpath(".//table")[0]
        assert _text(table.xpath("./thead/tr/th")[0]) in ("Category", "Department")
        chart, numbers = _chart_numbers(svg), _table_numbers(table)
        assert len(chart) >= 6 and chart == numbers
    per_category = _table_numbers(sections[0].xpath(".//table")[0])
    assert per_category[("Researcher of the Year", "2024")] == "3"


def test_the_score_charts_tables_hold_every_mark_of_the_charts(app):
    scored = scored_category()
    page = browser(app, scored.admin.email).get(f"/review/categories/{scored.category.id}/charts")
    tree = _tree(page.get_data(as_text=True))
    names = {str(u.id): u.name for u in db.session.scalars(db.select(User))}

    def marks(chart_id: str) -> list:
        chart = tree.xpath(f"//*[local-name()='svg'][@id='{chart_id}']")[0]
        assert chart.get("role") == "img" and chart.get("aria-labelledby")
        return chart.xpath(".//*[@class='mark']")

    def value(mark) -> str:
        return mark.xpath("./*[local-name()='title']")[0].text.rsplit(": ", 1)[1]

    # Per nomination: each reviewer's weighted score, in the reviewer's column of its row.
    table = tree.xpath("//table[@id='scores-table']")[0]
    columns = [_text(th) for th in table.xpath("./thead/tr/th")]
    cells = {}
    for row in table.xpath("./tbody/tr[@data-nomination]"):
        texts = [_text(cell) for cell in row.xpath("./th|./td")]
        for column, text in zip(columns, texts, strict=True):
            cells[(row.get("data-nomination"), column)] = text
    chart_marks = marks("chart-nominations")
    assert len(chart_marks) == 14
    for mark in chart_marks:
        reviewer = names[mark.get("data-reviewer")]
        assert cells[(mark.get("data-nomination"), reviewer)] == value(mark)
    filled = [
        text for (_, column), text in cells.items() if column in names.values() and text != "—"
    ]
    assert len(filled) == len(chart_marks)  # no number in the table that the chart lacks

    # Per reviewer: lowest, highest and mean of the marks of their row.
    table = tree.xpath("//table[@id='reviewers-table']")[0]
    for row in table.xpath("./tbody/tr[@data-reviewer]"):
        texts = [_text(cell) for cell in row.xpath("./th|./td")]
        values = sorted(
            float(value(m))
            for m in marks("chart-reviewers")
            if m.get("data-reviewer") == row.get("data-reviewer")
        )
        assert int(texts[1]) == len(values)
        assert (texts[2], texts[6]) == (f"{values[0]:.2f}", f"{values[-1]:.2f}")
