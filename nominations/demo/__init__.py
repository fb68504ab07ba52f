"""Demo data for a newcomer (``flask demo``): departments, one user per role and the
institute's four awards in rounds that are open now, so that one can nominate at once, besides
a round in review and last year's published one. Every round, category and criterion has its
English and its bokmål text; some demo users read bokmål, some English.

The parts, one job each: ``people`` (departments and users), ``open_calls`` (the rounds open
now), ``questions`` (a category's own questions and a nomination's answers), ``past_rounds``
(the round in review and last year's), ``letters`` (referee letters), ``ranking`` (a prize
boundary that is not robust)."""

from __future__ import annotations

from flask_babel import gettext as _

from nominations.demo.open_calls import open_calls
from nominations.demo.past_rounds import past_rounds
from nominations.demo.people import DEMO_PASSWORD, USERS, create_people
from nominations.models import AwardRound, Department, db
from nominations.timeutil import format_local, now, to_local

__all__ = ["DEMO_PASSWORD", "USERS", "load_demo"]


def load_demo() -> str:
    departments, users = create_people()
    today = to_local(now()).date()
    closes_at = open_calls(today, users)
    past_rounds(today, departments, users)
    rounds = db.session.execute(db.select(AwardRound.id)).all()
    departments_count = db.session.execute(db.select(db.func.count(Department.id))).scalar()
    return _(
        "Loaded demo data: %(departments)d departments, %(users)d users, %(rounds)d rounds: "
        "two open until %(until)s, one in review, and last year's with its results published.",
        departments=departments_count,
        users=len(USERS),
        rounds=len(rounds),
        until=format_local(closes_at),
    )
