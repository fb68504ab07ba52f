"""After erasing a person, nothing shows them any more (issue 17), as a property: Hypothesis
builds worlds (the access world, tests/access_world.py, plus generated people as nominees,
nominators, reviewers and referees, with statements, review comments naming the nominee
(and, in another person's nomination, the statement, comment, answer and note naming them),
documents of random bytes, letters of reference (random bytes) by them and about them,
answers to the category's questions (text naming them, a file of their bytes), publication
lists, co-authorship decisions and discussion notes with reasons naming them, queued e-mails
and audit rows, in the published and the unpublished round),
erases one generated person (never a published winner) as an administrator, then checks that
their name, e-mail and document bytes (their CV, the letters about them, their answers' file, the
letter they wrote) are in
- no page or download any role gets from the GET routes of the access table (ZIP and XLSX
  exports unpacked; the ICS and Atom feeds are routes of the table too), nor the pages of the
  generated nominations;
- no row of the database: queued e-mails (the outbox), the audit log, every other table;
- no stored document, in either back-end (neither bytes nor name nor e-mail).
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from nominations.models import (
    Attachment,
    AttachmentKind,
    AwardCategory,
    CategoryQuestion,
    CoauthorDecision,
    DiscussionNote,
    Nomination,
    OutboxMessage,
    Panel,
    Publication,
    PublicationHolder,
    QuestionAnswer,
    Referee,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.panels import add_member
from tests import documents, factories
from tests.access_table import ACCESS, PARAMS, VALUES, VARIANTS, Access
from tests.access_world import PDF, PEOPLE, ROLES, build_world, restore, snapshot, upload_contents
from tests.conftest import Client, _empty_tables, make_test_app
from tests.review_setup import review, user

LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"


@dataclass
class Generated:
    name: str
    email: str
    account: bool
    reviewer: bool
    nominated_in: list[str]  # world category names: "category", "second_category", ...
    nominates: int  # how many of the others this person nominates (with an account)
    random_bytes: bytes  # of their CV (after the PDF header)
    mail: bool  # a queued e-mail to them
    index: int
    referee: bool = False  # a referee of the world's "other" nomination, with a letter
    letter_bytes: bytes = b""  # of the letter they wrote as a referee
    publications: int = 0  # on their publication list

    @property
    def document(self) -> bytes:
        """Their CV's own bytes (numbered: two people's random bytes may be equal)."""
        return f"person-{self.index}:".encode() + self.random_bytes

    @property
    def letter(self) -> bytes:
        """The letter they wrote as a referee."""
        return f"letter-by-{self.index}:".encode() + self.letter_bytes


def _person(index: int):
    return st.builds(
        Generated,
        name=st.tuples(
            st.text(LETTERS, min_size=4, max_size=7), st.text(LETTERS, min_size=4, max_size=7)
        ).map(lambda parts: f"Qx{parts[0]} Zy{parts[1]}{index}"),
        email=st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=6).map(
            lambda local: f"qx{index}.{local}@example.org"
        ),
        account=st.booleans(),
        reviewer=st.booleans(),
        nominated_in=st.lists(
            st.sampled_from(["category", "second_category", "published_category"]),
            max_size=2,
            unique=True,
        ),
        nominates=st.integers(0, 2),
        random_bytes=st.binary(min_size=16, max_size=48),
        mail=st.booleans(),
        index=st.just(index),
        referee=st.booleans(),
        letter_bytes=st.binary(min_size=16, max_size=48),
        publications=st.integers(0, 2),
    )


worlds = st.integers(1, 3).flatmap(
    lambda n: st.tuples(st.tuples(*(_person(i) for i in range(n))), st.integers(0, n - 1))
)


@dataclass
class Lab:
    app: object
    ids: dict[str, int]
    clients: dict[str, Client] = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture(scope="module")
def lab(database_url, tmp_path_factory) -> Iterator[Lab]:
    uploads = Path(tmp_path_factory.mktemp("erasure")) / "uploads"
    app = make_test_app(database_url, uploads)
    with app.app_context():
        _empty_tables()
        world = build_world()
        result = Lab(app, world.ids)
        for role in ROLES:
            result.clients[role] = app.test_client()
            if role != "anonymous":
                result.clients[role].login(PEOPLE[role][0])
        result.rows, result.files = snapshot(), upload_contents()
        yield result
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def _build(lab: Lab, people: tuple[Generated, ...]) -> list[int]:
    """The generated people in the world; the ids of the nominations about them."""
    nominator = db.session.get(User, _user_id("nominator"))
    panel = db.session.get(Panel, lab.ids["panel"])
    admin = db.session.get(User, _user_id("admin"))
    accounts: dict[int, User] = {}
    for index, person in enumerate(people):
        if person.account:
            roles = ("staff", "reviewer") if person.reviewer else ("staff",)
            accounts[index] = user(person.email, person.name, roles=roles)
            if person.reviewer:
                add_member(panel, accounts[index], actor=admin)
    about: list[int] = []
    questions = {key: _questions(lab.ids[key]) for key in lab.ids if key.endswith("category")}
    chair_id, world_reviewer = _user_id("chair"), _user_id("reviewer")
    for index, person in enumerate(people):
        _referee_and_publications(lab, person, accounts.get(index), admin)
        # Someone else's record may name them too: the next person's statement, comment, note.
        # Only a name the system knows them by (an account, a nomination, a letter) can be
        # looked for (README, "Not covered").
        colleague = people[index - 1] if len(people) > 1 else None
        known = colleague and (colleague.account or colleague.nominated_in or colleague.referee)
        also = f" With {colleague.name} ({colleague.email})." if known else ""
        for key in person.nominated_in:
            # Nominated by the world's nominator, or by another generated person.
            others = [a for i, a in accounts.items() if i != index]
            by = others[0] if others and person.nominates % 2 else nominator
            category = db.session.get(AwardCategory, lab.ids[key])
            item = factories.nomination(
                category,
                by,
                person.name,
                person.email,
                statement=f"{person.name} ({person.email}) leads the field.{also}",
            )
            about.append(item.id)
            content = PDF + b"% " + person.document + b"\n"
            stored = secrets.token_hex(16) + ".pdf"
            documents.put(stored, content)
            db.session.add(
                Attachment(
                    nomination_id=item.id,
                    kind="cv",
                    original_name="cv.pdf",
                    stored_name=stored,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size_bytes=len(content),
                    uploaded_by_id=by.id,
                )
            )
            audit.record(
                "nomination.update",
                item,
                actor=by,
                before={"nominee_name": "", "statement": ""},
                after={"nominee_name": person.name, "statement": item.statement},
            )
            _about_person(item, person, questions[key], by, chair_id, world_reviewer, also)
            db.session.add(
                OutboxMessage(
                    dedupe_key=f"property:{item.id}",
                    recipient=by.email,
                    subject=f"Your nomination of {person.name}",
                    body_text=f"{person.name} <{person.email}> is nominated.",
                    body_html=f"<p>{person.name}</p>",
                )
            )
            db.session.commit()
            for reviewer_index, reviewer in accounts.items():
                reviews_it = people[reviewer_index].reviewer and key == "category"
                if reviews_it and reviewer_index != index and reviewer is not by:
                    review(item, reviewer, 4, comment=f"I back {person.name}.{also}")
        if person.mail:
            db.session.add(
                OutboxMessage(
                    dedupe_key=f"property:to:{index}",
                    recipient=person.email,
                    subject="About your nomination",
                    body_text=f"Dear {person.name}",
                )
            )
    db.session.commit()
    return about


def _store(content: bytes) -> tuple[str, str]:
    """Store ``content`` in the configured back-end: (stored name, SHA-256)."""
    stored = secrets.token_hex(16) + ".pdf"
    documents.put(stored, content)
    return stored, hashlib.sha256(content).hexdigest()


def _questions(category_id: int) -> tuple[int, int]:
    """A text and a file question of the category (ids), made once per example."""
    made = []
    for kind, label in (("long_text", "Generated plan"), ("file", "Generated file")):
        question = db.session.execute(
            db.select(CategoryQuestion).filter_by(category_id=category_id, label=label)
        ).scalar_one_or_none() or CategoryQuestion(category_id=category_id, kind=kind, label=label)
        db.session.add(question)
        db.session.flush()
        made.append(question.id)
    return made[0], made[1]


def _about_person(
    item, person, questions, by, chair_id: int, reviewer_id: int, also: str = ""
) -> None:
    """What else a nomination about ``person`` holds about them: a letter of reference
    (their bytes), answers (a text naming them, a file of their bytes), the chair's note
    and a co-authorship decision's reason naming them (and ``also``: a sentence naming
    someone else)."""
    letter = PDF + b"% letter about " + person.document + b"\n"
    stored, digest = _store(letter)
    db.session.add(
        Referee(
            nomination_id=item.id,
            name="Rune Referee",
            email="rune@example.org",
            relation="Mentor",
            stored_name=stored,
            original_name=f"about {person.name}.pdf",
            sha256=digest,
            size_bytes=len(letter),
            uploaded_at=now(),
        )
    )
    content = PDF + b"% answer " + person.document + b"\n"
    stored, digest = _store(content)
    answer_file = Attachment(
        nomination_id=item.id,
        kind=AttachmentKind.ANSWER,
        original_name=f"{person.name}.pdf",
        stored_name=stored,
        sha256=digest,
        size_bytes=len(content),
        uploaded_by_id=by.id,
    )
    db.session.add(answer_file)
    db.session.flush()
    text_question, file_question = questions
    db.session.add_all(
        [
            QuestionAnswer(
                nomination_id=item.id,
                question_id=text_question,
                text_value=f"{person.name} will grow the group.{also}",
            ),
            QuestionAnswer(
                nomination_id=item.id, question_id=file_question, attachment_id=answer_file.id
            ),
            DiscussionNote(
                nomination_id=item.id,
                note=f"We agreed on {person.name} ({person.email}).{also}",
                updated_by_id=chair_id,
            ),
            CoauthorDecision(
                nomination_id=item.id,
                reviewer_id=reviewer_id,
                outcome="dismissed",
                reason=f"{person.name} was one of 300 authors.",
                decided_by_id=chair_id,
            ),
        ]
    )
    audit.record(
        "nomination.answers",
        item,
        actor=by,
        before={},
        after={"Generated plan": f"{person.name} will grow the group."},
    )


def _referee_and_publications(lab: Lab, person, account, admin) -> None:
    """``person`` as a referee of the world's "other" nomination (with their letter), their
    publication list, and, as a reviewer, a co-authorship decision about them."""
    if person.referee:
        letter = PDF + b"% " + person.letter + b"\n"
        stored, digest = _store(letter)
        referee = Referee(
            nomination_id=lab.ids["other"],
            name=person.name,
            email=person.email,
            relation=f"{person.name}, mentor",
            token_hash=hashlib.sha256(person.letter).hexdigest(),
            stored_name=stored,
            original_name=f"letter from {person.name}.pdf",
            sha256=digest,
            size_bytes=len(letter),
            uploaded_at=now(),
        )
        db.session.add(referee)
        db.session.flush()
        audit.record(
            "referee.letter_received",
            referee,
            actor=None,
            after={"nomination_id": lab.ids["other"], "referee": person.name},
        )
    for number in range(person.publications):
        title = f"Generated paper {person.index}.{number}"
        paper = db.session.execute(
            db.select(Publication).filter_by(match_key=f"title:{title}")
        ).scalar_one_or_none() or Publication(
            match_key=f"title:{title}", title=title, title_key=title, year=2020
        )
        db.session.add(paper)
        db.session.flush()
        holder = PublicationHolder(
            publication_id=paper.id, email=person.email, source=f"{person.name}.bib"
        )
        db.session.add(holder)
        db.session.flush()
        audit.record(
            "publications.import",
            account or holder,
            actor=admin,
            after={"email": person.email, "file": f"{person.name}.bib", "titles": [title]},
        )
    if account is not None and person.reviewer:
        db.session.add(
            CoauthorDecision(
                nomination_id=lab.ids["other"],
                reviewer_id=account.id,
                outcome="accepted",
                reason=f"{person.name} co-wrote with Olga.",
                decided_by_id=_user_id("chair"),
            )
        )
    db.session.flush()


def _user_id(role: str) -> int:
    return db.session.execute(db.select(User.id).where(User.email == PEOPLE[role][0])).scalar_one()


def _url(lab: Lab, endpoint: str, entry: Access, fmt: str) -> str:
    rule = next(lab.app.url_map.iter_rules(endpoint))
    values = {
        name: (fmt if name == "fmt" else VALUES[name])
        if name in VALUES
        else lab.ids[entry.params.get(name) or PARAMS[name]]
        for name in rule.arguments
    }
    return lab.app.url_map.bind("localhost").build(endpoint, values)


def _readable(body: bytes) -> bytes:
    """A body with every ZIP (an export, an XLSX) unpacked, recursively."""
    if not body.startswith(b"PK\x03\x04"):
        return body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return b"\n".join(_readable(archive.read(name)) for name in archive.namelist())


def _forms(person: Generated) -> list[bytes]:
    """The person's name and e-mail as text may hold them (HTML, JSON escapes, any case)."""
    found = []
    for value in (person.name, person.email):
        for form in {value, value.lower(), value.upper(), json.dumps(value)[1:-1]}:
            found.append(form.encode())
    return found


def _leaks(body: bytes, person: Generated) -> list[str]:
    readable = _readable(body)
    lowered = readable.lower()
    found = [f.decode() for f in _forms(person) if f in readable or f.lower() in lowered]
    if person.document in readable:
        found.append("document bytes")
    if person.referee and person.letter in readable:
        found.append("letter bytes")
    return found


def _pages(lab: Lab, about: list[int]) -> Iterator[tuple[str, str]]:
    """(role, URL) of every page and download the access table shows a role, and the pages
    of the generated nominations for the administrator."""
    for name, entry in [*ACCESS.items(), *VARIANTS.items()]:
        if entry.GET is None:
            continue
        endpoint = name.split(" ")[0]
        formats = (
            ("csv", "xlsx")
            if "fmt" in next(lab.app.url_map.iter_rules(endpoint)).arguments
            else ("",)
        )
        for column, role in enumerate(ROLES):
            if entry.GET[column] == 200:
                for fmt in formats:
                    yield role, _url(lab, endpoint, entry, fmt)
    for nomination_id in about:
        yield "admin", f"/admin/nominations/{nomination_id}"
        yield "admin", f"/exports/nominations/{nomination_id}/attachments.zip"
        yield "nominator", f"/nominate/{nomination_id}"


def _database_leaks(person: Generated) -> list[str]:
    found = []
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        for row in connection.execute(table.select()):
            for value in row:
                data = value if isinstance(value, bytes) else str(value).encode()
                if data and _leaks(data, person):
                    found.append(f"{table.name}: {_leaks(data, person)}")
    return found


def _stored_leaks(person: Generated) -> list[str]:
    found = []
    for where in documents.BOTH:
        for name in documents.stored_names(where):
            if leaks := _leaks(documents.stored_bytes(name, where) or b"", person):
                found.append(f"{where}:{name}: {leaks}")
    return found


def _erase_and_check(lab: Lab, world, storage: str, *, crawl: bool) -> None:
    people, chosen = world
    person = people[chosen]
    with lab.app.app_context():
        restore(lab.rows, lab.files)
        db.session.execute(text("DELETE FROM document_chunks"))  # the last example's chunks
        db.session.commit()
        lab.app.config["DOCUMENT_STORAGE"] = storage
        about = _build(lab, people)
        admin = lab.clients["admin"]
        page = f"/admin/people/{person.email}/erase"
        response = admin.submit(page, {"confirmed": "1"}, page=page)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

        problems = _database_leaks(person) + _stored_leaks(person)
        if crawl:
            for role, url in _pages(lab, about):
                answer = lab.clients[role].get(url)
                assert answer.status_code < 500, url
                if leaks := _leaks(answer.get_data(), person):
                    problems.append(f"{role} {url}: {leaks}")
        assert not problems, "\n".join(problems)
        # The others stay: another generated person's nominations keep their name.
        for other in people:
            if other is not person and other.nominated_in:
                kept = db.select(db.func.count(Nomination.id)).where(
                    Nomination.nominee_name == other.name
                )
                assert db.session.scalar(kept) == len(other.nominated_in)


# Every row of the database (queued e-mails and the audit log among them) and every stored
# document, in many worlds: fast (no pages).
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds, storage=st.sampled_from(documents.BOTH))
def test_an_erased_person_is_in_no_row_and_no_document(lab, world, storage):
    _erase_and_check(lab, world, storage, crawl=False)


# Every page, download and feed of the access table, for every role, in fewer worlds (each
# crawl is some 400 requests).
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds, storage=st.sampled_from(documents.BOTH))
def test_an_erased_person_is_on_no_page_export_or_feed(lab, world, storage):
    _erase_and_check(lab, world, storage, crawl=True)
