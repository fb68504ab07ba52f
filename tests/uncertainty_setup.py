"""A small panel for the ranking's uncertainty and disagreement tests: Hanna, Leo and Mia (the
chair) score Ada, Ben, Cleo and Dan, each review the same score on every criterion (so its
weighted score is that score), built through the workflows."""

from __future__ import annotations

from dataclasses import dataclass

from nominations.models import AwardCategory, Nomination, User, db
from nominations.workflow.panels import add_member, create_panel
from tests import factories
from tests.review_setup import closed_round, make_nomination, review, user

NAMES = ("Ada Lovelace", "Ben Franklin", "Cleo Patra", "Dan Brown")


@dataclass
class Panel:
    category: AwardCategory
    admin: User
    chair: User
    reviewers: dict[str, User]
    nominations: dict[str, Nomination]


def panel(scores: dict[str, tuple[int, ...]], *, prize_count: int = 1) -> Panel:
    """``scores``: reviewer's first name -> scores of Ada, Ben, Cleo, Dan."""
    award_round = closed_round()
    category = factories.category(award_round, "Researcher of the Year", prize_count=prize_count)
    admin = user("admin@example.org", "Ada Admin", ("staff", "admin"))
    nominator = user("nominator@example.org", "Nils Nominator")
    people = {
        "Hanna": user("hanna@example.org", "Hanna Harsh", ("staff", "reviewer")),
        "Leo": user("leo@example.org", "Leo Lenient", ("staff", "reviewer")),
        "Mia": user("mia@example.org", "Mia Middle", ("staff", "reviewer")),
    }
    created = create_panel(
        award_round, name="Panel", chair=people["Mia"], actor=admin, category=category
    )
    for name in ("Hanna", "Leo"):
        add_member(created, people[name], actor=admin)
    nominations = {n.split()[0]: make_nomination(category, nominator, n) for n in NAMES}
    db.session.commit()
    for reviewer, values in scores.items():
        for first, value in zip(("Ada", "Ben", "Cleo", "Dan"), values, strict=True):
            review(nominations[first], people[reviewer], value)
    return Panel(category, admin, people["Mia"], people, nominations)


# Ada wins by normalised, mean and median score; without Leo's scores Ben ranks above her.
#   normalised: Ada +0.97, Ben +0.18, Dan -0.24, Cleo -0.91
#   without Hanna: Ada +0.62, Ben +0.44; without Leo: Ben +0.68, Ada +0.64; without Mia:
#   Ada +1.65, Dan -0.17, Ben -0.57.
FRAGILE = {"Hanna": (5, 2, 1, 2), "Leo": (7, 1, 1, 3), "Mia": (3, 7, 2, 3)}
# Everyone puts them in the same order.
ROBUST = {"Hanna": (7, 5, 3, 1), "Leo": (6, 5, 2, 1), "Mia": (7, 4, 3, 2)}
