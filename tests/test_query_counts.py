"""SQL queries per page: every GET route of the access table (tests/access_table.py), for
every role, in the access world (tests/access_world.py) at two sizes: with a few more of
everything, and with ten times as many (tests/query_world.py). Each page stays within
BUDGET queries and asks exactly as many at both sizes, so a page that starts to read row by
row fails here, by name, with the statement it repeats.

Each request starts with an empty session (no app context kept between requests, as on a
real server), so nothing loaded by an earlier page is counted as free.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event

from nominations.models import db
from tests.access_table import ACCESS, PARAMS, VALUES, VARIANTS, Access
from tests.access_world import PEOPLE, ROLES, AccessWorld, build_world
from tests.conftest import Client, QueryCounter, _empty_tables, make_test_app
from tests.query_world import grow

SMALL, LARGE = 3, 30  # rows of each kind added per category: the large world has ten times more
BUDGET = 12
# Pages allowed more than BUDGET, each with the reason (none so far).
BUDGETS: dict[str, int] = {}

# The table's pages, and the keyset pages of the admin list (a link names a row by id).
QUERIES = {
    "admin.nominations last-page": "last=1",
    "admin.nominations after-a-row": "sort=name&after={target}",
    "admin.nominations before-a-row": "sort=changed&before={target}",
}
PAGES = [(name, entry) for name, entry in [*ACCESS.items(), *VARIANTS.items()] if entry.GET]
PAGES += [(name, ACCESS[name.split(" ")[0]]) for name in QUERIES]


@dataclass
class Reading:
    status: int
    statements: list[str]
    grown: int  # how often the page names a row of tests/query_world.py

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclass
class Readings:
    small: dict[tuple[str, str], Reading] = field(default_factory=dict)
    large: dict[tuple[str, str], Reading] = field(default_factory=dict)


def _url(app: Flask, world: AccessWorld, endpoint: str, entry: Access) -> str:
    rule = next(app.url_map.iter_rules(endpoint))
    values = {
        name: VALUES[name] if name in VALUES else world.ids[entry.params.get(name) or PARAMS[name]]
        for name in rule.arguments
    }
    return app.url_map.bind("localhost").build(endpoint, values)


def _read_every_page(
    app: Flask, engine, world: AccessWorld, clients: dict[str, Client]
) -> dict[tuple[str, str], Reading]:
    readings = {}
    for name, entry in PAGES:
        url = _url(app, world, name.split(" ")[0], entry)
        if name in QUERIES:
            url += "?" + QUERIES[name].format(**world.ids)
        for role in ROLES:
            counter = QueryCounter()
            event.listen(engine, "before_cursor_execute", counter)
            try:
                response = clients[role].get(url)
            finally:
                event.remove(engine, "before_cursor_execute", counter)
            grown = response.get_data().count(b"Grown")
            readings[name, role] = Reading(response.status_code, counter.statements, grown)
    return readings


@pytest.fixture(scope="module")
def readings(database_url, tmp_path_factory) -> Iterator[Readings]:
    app = make_test_app(database_url, Path(tmp_path_factory.mktemp("queries")) / "uploads")
    with app.app_context():
        _empty_tables()
        world = build_world()
        grow(world, SMALL)
        engine = db.engine
    # No app context from here on: each request has its own, and its own session.
    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "anonymous":
            clients[role].login(PEOPLE[role][0])
    result = Readings()
    result.small = _read_every_page(app, engine, world, clients)
    with app.app_context():
        grow(world, LARGE - SMALL)
    result.large = _read_every_page(app, engine, world, clients)
    yield result
    with app.app_context():
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def _most_repeated(statements: list[str]) -> str:
    statement, times = Counter(statements).most_common(1)[0]
    return f"{times} x {' '.join(statement.split())[:300]}"


@pytest.mark.parametrize("name", [name for name, _ in PAGES], ids=lambda n: n.replace(" ", ":"))
def test_each_page_asks_a_fixed_number_of_queries(readings, name):
    budget = BUDGETS.get(name.split(" ")[0], BUDGET)
    problems = []
    for role in ROLES:
        small, large = readings.small[name, role], readings.large[name, role]
        if small.status != large.status:
            problems.append(f"{role}: answered {small.status}, then {large.status}")
        if large.count != small.count:
            problems.append(
                f"{role}: {small.count} queries, {large.count} with ten times the data; "
                f"most repeated: {_most_repeated(large.statements)}"
            )
        elif large.count > budget:
            problems.append(
                f"{role}: {large.count} queries (budget {budget}); "
                f"most repeated: {_most_repeated(large.statements)}"
            )
    assert problems == [], f"{name}:\n" + "\n".join(problems)


def test_the_large_world_shows_on_the_pages(readings):
    """The pages that list rows read more of them in the large world (the two sizes differ
    where it matters, so equal counts mean something)."""
    for name, role in [
        ("review.index", "reviewer"),
        ("review.category", "reviewer"),
        ("review.nomination", "chair"),
        ("review.ranking", "chair"),
        ("admin.nominations", "admin"),
        ("exports.round_nominations", "chair"),
    ]:
        small, large = readings.small[name, role], readings.large[name, role]
        assert small.status == 200, (name, role)
        assert large.grown > small.grown, (name, role)
