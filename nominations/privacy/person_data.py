"""Everything held about one person, found in one place: the registry of *sources*.

A person is an e-mail address (nominees rarely have an account: a nomination names them by
``nominee_name`` and ``nominee_email``) and the account with that address, if there is one.
Each :class:`Source` says where one kind of data about a person lives (the rows, grouped by
the person's role), how it reads in the access export, and what erasing the person does to
it. The access export (``privacy.export``) and the erasure (``privacy.erasure``) both walk
:data:`SOURCES`, so **a new kind of personal data is one more ``@source`` here** (referee
letters, answers to a category's questions, ...): it is then counted on the person's page,
exported and erased without touching either of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, cast, func, or_

from nominations.models import (
    Nomination,
    Referee,
    User,
    db,
)

# A person's name shorter than this is not searched for inside other text (it would match
# everywhere); their e-mail always is.
MIN_NEEDLE = 3


@dataclass
class Person:
    """One person: their e-mail address (lower case; "" when only an account is known) and
    their account, if any."""

    email: str
    user: User | None = None
    # Every name this person goes by here: the account's, and what nominations call them.
    names: set[str] = field(default_factory=set)

    @property
    def id(self) -> int | None:
        """The audit log's object id of a person: their account's id, if any."""
        return self.user.id if self.user is not None else None

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.name
        return sorted(self.names)[0] if self.names else self.email

    @property
    def needles(self) -> list[str]:
        """The strings that identify this person inside other text: names and e-mail."""
        found = {n.strip() for n in self.names if len(n.strip()) >= MIN_NEEDLE}
        if self.email:
            found.add(self.email)
        if self.user is not None:
            found.add(self.user.email)
        return sorted(found, key=len, reverse=True)


def find_person(email: str) -> Person:
    """The person known by ``email`` (matched case-insensitively): the account with that
    address and every name nominations give them (as nominee or referee). Three queries,
    whatever the data."""
    email = (email or "").strip().lower()
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    names = set(
        db.session.execute(
            db.select(Nomination.nominee_name)
            .where(Nomination.nominee_email == email, Nomination.nominee_email != "")
            .distinct()
        ).scalars()
    )
    # A referee is known by the name the nominator gave him (sources_referees).
    names.update(
        db.session.execute(
            db.select(Referee.name).where(Referee.email == email, Referee.email != "").distinct()
        ).scalars()
    )
    if user is not None:
        names.add(user.name)
    return Person(email=email, user=user, names={n for n in names if n})


def search_people(text: str, limit: int = 50) -> list[tuple[str, str]]:
    """(e-mail, name) of the people whose name or e-mail contains ``text``: accounts and
    nominees and referees alike, one row per e-mail address, at most ``limit``. Three queries."""
    pattern = (text or "").strip().lower()
    if not pattern:
        return []
    users = db.session.execute(
        db.select(User.email, User.name)
        .where(
            or_(
                func.lower(User.name).contains(pattern, autoescape=True),
                User.email.contains(pattern, autoescape=True),
            )
        )
        .order_by(User.name)
        .limit(limit)
    ).all()
    nominees = db.session.execute(
        db.select(Nomination.nominee_email, func.min(Nomination.nominee_name))
        .where(
            Nomination.nominee_email != "",
            or_(
                func.lower(Nomination.nominee_name).contains(pattern, autoescape=True),
                Nomination.nominee_email.contains(pattern, autoescape=True),
            ),
        )
        .group_by(Nomination.nominee_email)
        .order_by(Nomination.nominee_email)
        .limit(limit)
    ).all()
    referees = db.session.execute(
        db.select(Referee.email, func.min(Referee.name))
        .where(
            or_(
                func.lower(Referee.name).contains(pattern, autoescape=True),
                Referee.email.contains(pattern, autoescape=True),
            )
        )
        .group_by(Referee.email)
        .order_by(Referee.email)
        .limit(limit)
    ).all()
    found: dict[str, str] = {}
    for email, name in [*users, *nominees, *referees]:
        found.setdefault(email, name)
    return sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))[:limit]


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    key: str  # "reviews_by": the export's key and the erasure's count
    role: str  # the export groups by it: account, nominee, nominator, reviewer, panel, ...
    label: Any  # what the person's page calls these rows (a lazy text)
    rows: Callable[[Person], Select | None]  # the rows held; None: this person has none
    describe: Callable[[Any], dict] | None  # one row as the export shows it (None: counted only)
    # What erasing does to the rows ("kept", "anonymised", "deleted", ...), shown beforehand.
    on_erase: Any = ""
    erase: Callable[[Any, Any], None] | None = None  # (rows, erasure context)


SOURCES: dict[str, Source] = {}


def source(key: str, role: str, label: Any, *, describe=None, on_erase: Any = "", erase=None):
    """Register ``rows`` (the decorated function) as a source of personal data."""

    def register(rows: Callable[[Person], Select | None]) -> Callable[[Person], Select | None]:
        SOURCES[key] = Source(key, role, label, rows, describe, on_erase, erase)
        return rows

    return register


def counts(person: Person) -> dict[str, int]:
    """How many rows each source holds about ``person``: one query for them all."""
    selects = {key: s.rows(person) for key, s in SOURCES.items()}
    present = {key: q for key, q in selects.items() if q is not None}
    if not present:
        return dict.fromkeys(SOURCES, 0)
    columns = [
        db.select(func.count()).select_from(q.order_by(None).subquery()).scalar_subquery().label(k)
        for k, q in present.items()
    ]
    row = db.session.execute(db.select(*columns)).one()._mapping
    return {key: int(row[key]) if key in present else 0 for key in SOURCES}


def rows_of(person: Person, key: str) -> list:
    query = SOURCES[key].rows(person)
    return list(db.session.execute(query).scalars()) if query is not None else []


def held(person: Person) -> dict[str, list]:
    """Every source's rows about ``person`` (read before anything changes)."""
    return {key: rows_of(person, key) for key in SOURCES}


def text_contains(column, needles: Iterable[str]):
    """SQL: ``column`` (text, or JSON read as text) holds one of ``needles``, ignoring case;
    a JSON column may hold a needle with its non-ASCII letters escaped (json.dumps)."""
    if not isinstance(column.type, Text):
        column = cast(column, Text)
    lowered = func.lower(column)
    clauses = []
    for needle in needles:
        for form in {needle, needle.lower(), json.dumps(needle)[1:-1].lower()}:
            clauses.append(lowered.contains(form, autoescape=True))
            clauses.append(column.contains(form, autoescape=True))
    return or_(*clauses) if clauses else None


def _about(person: Person):
    """The nominations naming ``person`` as their nominee (by e-mail)."""
    if not person.email:
        return None
    return Nomination.nominee_email == person.email


def _of_user(column, person: Person):
    return column == person.user.id if person.user is not None else None


def _select(model, condition, *joins) -> Select | None:
    if condition is None:
        return None
    query = db.select(model)
    for join in joins:
        query = query.join(join)
    return query.where(condition).order_by(model.id)


@dataclass
class Erasing:
    """What an erasure's sources share: who is erased, what replaces their name, and the
    objects whose audit records must forget (filled in as the sources run)."""

    person: Person
    replacement: str  # "Erased person #12": the name they go by from now on
    needles: list[str]  # their names and e-mail as they were (Person.needles, before)
    record_id: int | None = None  # the erasure's own audit row (not redacted)
    touched: dict[str, set[int]] = field(default_factory=dict)  # audit object_type -> ids

    def touch(self, object_type: str, ids: Iterable[int]) -> None:
        self.touched.setdefault(object_type, set()).update(ids)


def iso(value) -> str | None:
    """A date or time in an export: ISO 8601, or null."""
    return value.isoformat() if value is not None else None


def clearing(*fields: str) -> Callable[[list, Erasing], None]:
    """A source's ``erase`` that empties the free text ``fields`` of each row and keeps the row
    (its scores, kind, dates: what counts and decisions rest on)."""

    def erase(rows: list, erasing: Erasing) -> None:
        for row in rows:
            for name in fields:
                setattr(row, name, "")
            erasing.touch(type(row).__name__, [row.id])

    return erase


# The sources themselves, each with its export and erasure, register on import.
from nominations.privacy import sources as _sources  # noqa: E402,F401
