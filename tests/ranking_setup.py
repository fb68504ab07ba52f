"""A scored category for the ranking export and chart tests, built through the workflows.

The default rubric: scientific excellence (weight 2), impact (1), leadership and collaboration
(1), each on 1-7, so a weighted score is (2a + b + c) / 4. One value = every criterion.

                Hanna (harsh)   Leo (lenient)   Mia (chair)
    Ada         2               7               4            spread 5: strong disagreement
    Ben         4               5               6, 4, 4 = 5  spread 1: agreement
    Cleo        1               5               3            } the same scores from everyone:
    Dan         1               5               3            } a tie
    Eve         4               7               (conflict: Mia declared one)
    Finn        -               -               -            no reviews yet: unranked

Plus Rolf, a panel member who has not reviewed, and a second category ("Other Award") whose
panel Mia does not chair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from nominations.models import AwardCategory, AwardRound, Nomination, User, db
from nominations.workflow.conflicts import declare_conflict
from nominations.workflow.panels import add_member, create_panel
from tests import factories
from tests.review_setup import closed_round, make_nomination, review, user


@dataclass
class Scored:
    award_round: AwardRound
    category: AwardCategory
    other: AwardCategory
    admin: User
    chair: User
    hanna: User
    leo: User
    rolf: User
    nominations: dict[str, Nomination] = field(default_factory=dict)

    def __getitem__(self, first_name: str) -> Nomination:
        return self.nominations[first_name]


def scored_category(*, chair_conflict: bool = True) -> Scored:
    award_round = closed_round()
    category = factories.category(award_round, "Researcher of the Year", prize_count=1)
    other = factories.category(award_round, "Other Award", prize_count=1)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    nominator = user("nominator@example.org", "Nils Nominator")
    mia = user("mia@example.org", "Mia Middle", ("staff", "reviewer"))
    hanna = user("hanna@example.org", "Hanna Harsh", ("staff", "reviewer"))
    leo = user("leo@example.org", "Leo Lenient", ("staff", "reviewer"))
    rolf = user("rolf@example.org", "Rolf Reviewer", ("staff", "reviewer"))
    otto = user("otto@example.org", "Otto Other", ("staff", "reviewer"))
    panel = create_panel(
        award_round, name="Researcher panel", chair=mia, actor=admin, category=category
    )
    for member in (hanna, leo, rolf):
        add_member(panel, member, actor=admin)
    create_panel(award_round, name="Other panel", chair=otto, actor=admin, category=other)
    dept = factories.department("Department of Tumor Biology")
    names = ("Ada Lovelace", "Ben Franklin", "Cleo Patra", "Dan Brown", "Eve Online", "Finn Last")
    result = Scored(award_round, category, other, admin, mia, hanna, leo, rolf)
    for name in names:
        result.nominations[name.split()[0]] = make_nomination(
            category, nominator, name, department=dept
        )
    make_nomination(other, nominator, "Olga Other")
    if chair_conflict:
        declare_conflict(result["Eve"], kind="collaborator", reason="Joint grant.", actor=mia)
    review(result["Ada"], hanna, 2, recommendation="neutral")
    review(result["Ben"], hanna, 4)
    review(result["Cleo"], hanna, 1, recommendation="do_not_support")
    review(result["Dan"], hanna, 1, recommendation="do_not_support")
    review(result["Eve"], hanna, 4)
    review(result["Ada"], leo, 7, recommendation="strongly_support")
    review(result["Ben"], leo, 5)
    review(result["Cleo"], leo, 5)
    review(result["Dan"], leo, 5)
    review(result["Eve"], leo, 7, recommendation="strongly_support")
    review(result["Ada"], mia, 4)
    review(result["Ben"], mia, 6, 4, 4, comment="Strong record.")
    review(result["Cleo"], mia, 3)
    review(result["Dan"], mia, 3)
    if not chair_conflict:
        review(result["Eve"], mia, 5)
    db.session.commit()  # the test is the edge: the workflow functions above only flush
    return result


class TableParser(HTMLParser):
    """The cell texts (whitespace collapsed) of the table with the given id."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id = table_id
        self.inside = self.cell = False
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th"):
            self.cell = False

    def handle_data(self, data):
        if self.inside and self.cell:
            self.rows[-1][-1] += data


def table(page: str, table_id: str) -> list[list[str]]:
    parser = TableParser(table_id)
    parser.feed(page)
    return [[re.sub(r"\s+", " ", cell).strip() for cell in row] for row in parser.rows]
