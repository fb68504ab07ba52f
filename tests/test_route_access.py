"""Every route x every role, against the explicit table in tests/access_table.py.

One world (tests/access_world.py) and one signed-in browser per role serve the whole module.
A refused request must change nothing (every row of every table and the uploaded files are
compared); an allowed request that changes the world is followed by a fresh world, so every
answer is judged against the same starting point.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask

from nominations import create_app
from nominations.models import db
from tests.access_table import (
    ACCESS,
    ASKED,
    BODIES,
    LOGIN,
    OK,
    PARAMS,
    SKIPPED,
    VALUES,
    VARIANTS,
    Access,
    Expected,
)
from tests.access_world import (
    PEOPLE,
    ROLES,
    SECRETS,
    AccessWorld,
    build_world,
    difference,
    fingerprint,
    restore,
    snapshot,
    upload_contents,
)
from tests.conftest import Client, _empty_tables, make_test_app

METHODS = ("GET", "POST")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class Lab:
    app: Flask
    world: AccessWorld
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    initial: tuple = ()
    rows: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    state: tuple = ()
    resets: int = 0
    cases_run: int = 0
    # Which readers did see each planted secret (so the leak check is not vacuous).
    seen: dict[str, set[str]] = field(default_factory=dict)
    downloads: set[str] = field(default_factory=set)  # the types checked as downloads

    def sign_in(self, role: str) -> None:
        client = self.clients[role]
        if role != "anonymous":
            client.login(PEOPLE[role][0])
        self.tokens[role] = client.csrf_token("/login" if role == "anonymous" else "/")
        if self.rows and role != "anonymous":
            # Signing in again (after the sign-out case) raised the user's session version:
            # the world to go back to is the one with the browsers signed in as they are now.
            self.rows = snapshot()
            self.initial = self.state = fingerprint()

    def reset(self) -> None:
        """The world as it was built (same ids: the browsers stay signed in)."""
        restore(self.rows, self.files)
        self.resets += 1
        self.state = fingerprint()
        assert self.state == self.initial


@pytest.fixture(scope="module")
def lab(database_url, tmp_path_factory) -> Iterator[Lab]:
    uploads = Path(tmp_path_factory.mktemp("access")) / "uploads"
    app = make_test_app(database_url, uploads)
    with app.app_context():
        _empty_tables()
        result = Lab(app, build_world())
        for role in ROLES:
            result.clients[role] = app.test_client()
            result.sign_in(role)
        result.initial = result.state = fingerprint()
        result.rows = snapshot()
        result.files = upload_contents()
        yield result
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def _cases() -> list[tuple[str, str, str, Access]]:
    """(case name, endpoint, method, entry) for the table's entries and variants."""
    cases = []
    for name, entry in [*ACCESS.items(), *VARIANTS.items()]:
        endpoint = name.split(" ")[0]
        for method in METHODS:
            if entry.expected(method) is not None:
                cases.append((name, endpoint, method, entry))
    return cases


CASES = _cases()


def table_problems(app: Flask, ids: dict[str, int]) -> list[str]:
    """What is missing from (or stale in) the access table for ``app``'s routes."""
    problems = []
    walked = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        walked.add(rule.endpoint)
        entry = ACCESS.get(rule.endpoint)
        if entry is None:
            problems.append(
                f"{rule.endpoint} ({rule.rule}) has no entry in tests/access_table.py ACCESS: "
                "add one line with the expected answer for each role"
            )
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            if method not in METHODS:
                problems.append(f"{rule.endpoint}: the table cannot express {method} yet")
            elif entry.expected(method) is None:
                problems.append(f"{rule.endpoint} accepts {method} but its entry has no {method}")
        for method in METHODS:
            if entry.expected(method) is not None and method not in rule.methods:
                problems.append(f"{rule.endpoint} does not accept {method}: drop it from its entry")
        for argument in rule.arguments:
            name = entry.params.get(argument) or PARAMS.get(argument)
            if argument not in VALUES and name not in ids:
                problems.append(f"{rule.endpoint}: no value for URL parameter {argument!r}")
    for name in [*ACCESS, *VARIANTS]:
        if name.split(" ")[0] not in walked:
            problems.append(f"{name}: no such route any more; remove the entry")
    return problems


def test_every_route_has_an_entry_in_the_access_table(lab):
    """A new route fails here, by name, until its line in tests/access_table.py exists."""
    assert table_problems(lab.app, lab.world.ids) == []


def test_a_route_without_an_entry_is_named(database_url, lab):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    app.add_url_rule("/admin/archive", "admin.archive", lambda: "", methods=["GET", "POST"])
    app.add_url_rule("/nominations/<int:nomination_id>/copy", "nominate.copy", lambda: "")
    problems = table_problems(app, lab.world.ids)
    assert len(problems) == 2
    assert problems[0].startswith("admin.archive (/admin/archive) has no entry")
    assert problems[1].startswith("nominate.copy (/nominations/<int:nomination_id>/copy)")


def test_the_access_table_and_the_world_are_sound(lab):
    assert len(ACCESS) + len(SKIPPED) == len({r.endpoint for r in lab.app.url_map.iter_rules()})
    for name, entry in [*ACCESS.items(), *VARIANTS.items()]:
        for method in METHODS:
            row = entry.expected(method)
            assert row is None or len(row) == len(ROLES), name
    # The world is what the table assumes.
    ids = lab.world.ids
    assert ids["target"] != ids["draft"] and ids["round"] != ids["published_round"]


def _url(lab: Lab, endpoint: str, entry: Access) -> str:
    rule = next(lab.app.url_map.iter_rules(endpoint))
    values = {}
    for argument in rule.arguments:
        if argument in VALUES:
            values[argument] = VALUES[argument]
        else:
            values[argument] = lab.world.ids[entry.params.get(argument) or PARAMS[argument]]
    return lab.app.url_map.bind("localhost").build(endpoint, values)


def _describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def _matches(expected: Expected, response) -> bool:
    location = response.headers.get("Location") or ""
    to_login = response.status_code in (301, 302, 303) and location.startswith("/login")
    if expected == LOGIN:
        return to_login
    if expected == OK:
        return response.status_code < 400 and not to_login
    if expected == ASKED:
        return response.status_code == 200 and b'name="confirmed"' in response.get_data()
    if isinstance(expected, frozenset):
        return response.status_code in expected
    return response.status_code == expected and not to_login


# What a browser may show in the page; anything else (documents, exports) is a download.
SHOWN_INLINE = {"text/html", "application/json", "application/atom+xml", "text/calendar"}


def _download_problems(response) -> list[str]:
    """Nothing uploaded or exported is ever shown inline, and no answer may be sniffed."""
    problems = []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    disposition = response.headers.get("Content-Disposition", "")
    downloaded = response.status_code == 200 and response.mimetype not in SHOWN_INLINE
    if downloaded and not disposition.startswith("attachment;"):
        problems.append(f"{response.mimetype} served with Content-Disposition {disposition!r}")
    return problems


def _refusal(expected: Expected) -> bool:
    return expected == LOGIN or (isinstance(expected, int) and expected >= 400)


def _changes_nothing(expected: Expected) -> bool:
    """A refusal, or the page that asks first."""
    return _refusal(expected) or expected == ASKED


@pytest.mark.parametrize(
    ("name", "endpoint", "method", "entry"),
    CASES,
    ids=[f"{name.replace(' ', ':')}-{method}" for name, _, method, _ in CASES],
)
def test_each_role_gets_the_answer_of_the_access_table(lab, name, endpoint, method, entry):
    problems = []
    for role, expected in zip(ROLES, entry.expected(method), strict=True):
        url = _url(lab, endpoint, entry)
        client = lab.clients[role]
        try:
            if method == "GET":
                response = client.get(url)
            else:
                data = BODIES.get(endpoint, lambda w: {})(lab.world)
                response = client.post(url, data={**data, "csrf_token": lab.tokens[role]})
        except Exception as error:  # TESTING propagates exceptions: a 500 in production
            problems.append(f"{role}: {method} {url} raised {error!r}")
            lab.reset()
            continue
        if not _matches(expected, response):
            problems.append(
                f"{role}: {method} {url} answered {_describe(response)}, expected {expected}"
            )
        problems += [f"{role}: {method} {url}: {p}" for p in _download_problems(response)]
        if response.status_code == 200 and response.mimetype not in SHOWN_INLINE:
            lab.downloads.add(response.mimetype)
        body = response.get_data()
        for secret, readers in SECRETS.items():
            if secret.encode() not in body:
                continue
            if role in readers:
                lab.seen.setdefault(secret, set()).add(role)
            else:
                problems.append(
                    f"{role}: {method} {url} shows {secret!r}, which only {sorted(readers)} may see"
                )
        after = fingerprint()
        if after != lab.state:
            if _changes_nothing(expected) or not _matches(expected, response):
                problems.append(
                    f"{role}: {method} {url} was refused or asked but changed "
                    f"{', '.join(difference(lab.state, after))}"
                )
            lab.reset()
        if endpoint == "auth.logout" and role != "anonymous":
            lab.sign_in(role)
    lab.cases_run += 1
    assert problems == [], f"{name} {method}:\n" + "\n".join(problems)


# Query strings no link makes: NUL and invalid UTF-8, numbers beyond any column, dates out of
# the calendar, pages far past the end (each list page, search and filter reads some of them).
HOSTILE_QUERIES = [
    "q=%00%ff&name=x%00&award=%00&action=%00&actor=99999999999&round=99999999999"
    "&category=99999999999&status=%00&since=0001-01-01&until=9999-12-31"
    "&page=99999999999999999999&per_page=99999999999&sort=%00&dir=%00&year=99999999999"
    "&duplicates=1&next=%00",
    "q=%25%5F&actor=system&round=-5&page=-99999999999999999999&per_page=-1&year=-1"
    "&since=2025-02-30&until=0000-00-00&sort=name&dir=asc&next=//evil.example.com",
]


@pytest.mark.parametrize("role", ["anonymous", "chair", "admin"])
def test_hostile_query_strings_are_never_a_server_error(lab, role):
    problems = []
    for endpoint, entry in ACCESS.items():
        if entry.GET is None:
            continue
        for query in HOSTILE_QUERIES:
            url = f"{_url(lab, endpoint, entry)}?{query}"
            try:
                response = lab.clients[role].get(url)
            except Exception as error:  # TESTING propagates exceptions: a 500 in production
                db.session.rollback()
                problems.append(f"{url} raised {error!r}")
                continue
            if response.status_code >= 500 and endpoint != "public.healthz":
                problems.append(f"{url} answered {response.status_code}")
    assert problems == []


def test_the_leak_check_saw_every_secret_where_it_belongs(lab):
    """Runs after the table's cases (pytest keeps the module's order): each planted secret was
    found in some page of a role allowed to read it, so its absence elsewhere means something."""
    if lab.cases_run < len(CASES):
        pytest.skip("only part of the access table ran")
    assert {secret for secret in SECRETS if not lab.seen.get(secret)} == set()
    assert lab.seen["REVIEWER-COMMENT"] >= {"reviewer", "chair", "admin"}
    assert lab.seen["TARGET-STATEMENT"] >= {"nominator", "reviewer", "chair", "admin"}
    assert lab.seen["CONFLICT-REASON"] >= {"chair", "admin"}
    assert lab.seen["Bea Early"] >= {"outsider", "other_chair", "admin"}
    assert lab.downloads >= {"application/pdf", "application/zip", "text/csv"}


# Ids no row can have: past PostgreSQL's integer (2**31), past any 64-bit integer (2**63).
OUT_OF_RANGE_IDS = [2**31, 2**63, 10**30]


@pytest.mark.parametrize("huge", OUT_OF_RANGE_IDS)
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_an_id_out_of_range_is_a_404_on_every_route(lab, role, huge):
    """Each id of each route of the table, one at a time, beyond the columns' range: 404 for
    everybody (the route does not match), never a database error, and nothing changes."""
    problems = []
    cases = 0
    for endpoint, entry in ACCESS.items():
        rule = next(lab.app.url_map.iter_rules(endpoint))
        for argument in sorted(rule.arguments - set(VALUES)):
            values = {
                name: VALUES[name]
                if name in VALUES
                else lab.world.ids[entry.params.get(name) or PARAMS[name]]
                for name in rule.arguments
            }
            url = lab.app.url_map.bind("localhost").build(endpoint, {**values, argument: huge})
            cases += 1
            for method in METHODS:
                if entry.expected(method) is None:
                    continue
                client = lab.clients[role]
                try:
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, data={"csrf_token": lab.tokens[role]})
                except Exception as error:  # TESTING propagates exceptions: a 500 in production
                    db.session.rollback()
                    problems.append(f"{method} {url} raised {error!r}")
                    continue
                if response.status_code != 404:
                    problems.append(f"{method} {url} answered {_describe(response)}")
    assert cases > 40
    assert fingerprint() == lab.state
    assert problems == []
