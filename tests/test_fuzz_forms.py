"""Property-based tests (hypothesis): random, hostile and malformed input to the forms people
type into. Whatever is sent, the answer is never a server error: it is the page again with a
clear message at the form, or the success of a valid input, and nothing is half stored.

Sent as a browser would (the same field names, a valid CSRF token), but with random text,
Unicode (NUL and other control characters, lone surrogates sent as UTF-8 bytes, invalid UTF-8,
right-to-left marks, emoji, combining marks), values far beyond the limits (a 1 MB statement),
malformed dates and numbers, fields left out, and several values where one is expected.

Each example starts from a valid form and spoils a few of its fields, so that most examples
get past the form's own checks and reach the workflow and the database. ``HOSTILE`` values
are also sent one field at a time, deterministically (``test_each_hostile_value_...``).

One app and one world serve the whole module (no function-scoped fixtures under @given).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from nominations.models import (
    Attachment,
    AttachmentKind,
    AuditEvent,
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    Referee,
    Review,
    ReviewScore,
    ReviewStatus,
    db,
)
from nominations.timeutil import now
from nominations.workflow.nominations.details import MAX_LINE, MAX_STATEMENT_CHARS
from nominations.workflow.nominations.rules import problems
from nominations.workflow.reviews import MAX_COMMENT
from nominations.workflow.rounds import MAX_PRIZE_AMOUNT
from tests import factories
from tests.access_world import PEOPLE, AccessWorld, build_world
from tests.conftest import Client, _empty_tables, make_test_app
from tests.nominating import PDF, errors

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the worktree; a failure prints its example
    # No shrinking: through HTTP requests it takes minutes; the failing example is reported
    # as generated (every draw is labelled).
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
Pairs = list[tuple[str, bytes]]


# --------------------------------------------------------------------------------------------
# The module's app, world and browsers


@dataclass
class Bench:
    app: Flask
    world: AccessWorld
    category: AwardCategory  # of a round whose call is open
    draft_id: int = 0  # the nominator's nomination in that category (a draft at first)
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def post(self, role: str, url: str, pairs: list, *, multipart: bool):
        pairs = [("csrf_token", self.tokens[role].encode()), *pairs]
        if multipart:
            body, content_type = encode_multipart(pairs)
        else:
            body, content_type = urlencode(pairs).encode(), "application/x-www-form-urlencoded"
        try:
            return self.clients[role].post(url, data=body, content_type=content_type)
        except BaseException:
            # TESTING propagates a view's exception (a 500 in production): the example fails,
            # and the session must not stay broken for the next one.
            db.session.rollback()
            raise


@pytest.fixture(scope="module")
def bench(database_url, tmp_path_factory) -> Iterator[Bench]:
    uploads = Path(tmp_path_factory.mktemp("fuzz")) / "uploads"
    app = make_test_app(database_url, uploads)
    with app.app_context():
        _empty_tables()
        world = build_world()
        current = now()
        open_round = factories.award_round(
            "OUH Research Awards",
            opens_at=current - timedelta(days=7),
            closes_at=current + timedelta(days=21),
        )
        category = factories.category(
            open_round,
            "Early Career Award",
            phd_within_years=8,
            department_nomination_allowed=True,
            word_limit=300,
        )
        draft = Nomination(
            category=category,
            nominator=world.users["nominator"],
            nominee_name="Dag Draft",
            statement="To be written.",
        )
        db.session.add(draft)
        db.session.commit()
        result = Bench(app, world, category, draft.id)
        for role in ("nominator", "reviewer", "admin"):
            client = app.test_client()
            client.login(PEOPLE[role][0])
            result.clients[role] = client
            result.tokens[role] = client.csrf_token("/")
        yield result
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def encode_multipart(pairs: list[tuple[str, bytes | tuple[str, bytes]]]) -> tuple[bytes, str]:
    """multipart/form-data with raw bytes (Werkzeug's builder would turn bytes into text)."""
    boundary = "fuzz" + secrets.token_hex(12)
    parts = []
    for name, value in pairs:
        if isinstance(value, tuple):
            filename, content = value
            # The name as a browser sends it: UTF-8 (a lone surrogate cannot be encoded, the
            # browser sends a replacement), quotes and line breaks percent-encoded.
            quoted = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
            head = (
                f'Content-Disposition: form-data; name="{name}"; filename="{quoted}"\r\n'
                "Content-Type: application/pdf\r\n"
            ).encode("utf-8", "replace")
        else:
            head, content = f'Content-Disposition: form-data; name="{name}"\r\n'.encode(), value
        parts.append(b"--" + boundary.encode() + b"\r\n" + head + b"\r\n" + content + b"\r\n")
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------------------------
# What is sent

ONE_MEGABYTE = ("word " * 210_000).encode()
# Sent to every field, one at a time, by the deterministic test; drawn often by the others.
HOSTILE_TEXT: list[bytes] = [
    b"Nora\x00Nominee",
    b"\x01\x1b[31m\x7f",
    "\u202eelgoog\u202c 👩\u200d🔬".encode(),  # right-to-left override, emoji
    "\ud800".encode("utf-8", "surrogatepass"),  # a lone surrogate, as UTF-8 bytes
    b"\xff\xfe\xc0\x80",  # not UTF-8 at all
    b" ",
    b"A" * 201,
]
HOSTILE_NUMBERS = [b"2147483648", b"9" * 25, b"-9223372036854775809", b"NaN", b"\x00"]
HOSTILE_DATES = [b"0001-01-01", b"9999-12-31", b"2025-02-30", b"\x00"]
HOSTILE = [*HOSTILE_TEXT, ONE_MEGABYTE, b"x" * 5001, *HOSTILE_NUMBERS, *HOSTILE_DATES]


SPECIAL_TEXT = [
    "",
    "نورة النومينية",
    "e\u0301\u0301\u0301",
    "\ufeff\u200b\u2028",
    "'; DROP TABLE nominations; --",
    "<script>alert(1)</script>",
    "{{ 7*7 }} {% raw %}",
    "\r\n\r\n\t",
    "ø" * 255,
]
SURROGATES = st.text(
    alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=5
)
texts = st.one_of(st.text(max_size=200), st.sampled_from(SPECIAL_TEXT), SURROGATES)
numbers = st.one_of(
    st.integers().map(str),
    st.sampled_from(["0", "-1", "1e5", "٣", "inf", "1_000", " 7 ", "0x10", "3.5"]),
)
dates = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["0000-01-01", "31.12.2020", "2020-13-01", "2020-1-1", "10000-01-01"]),
)
times = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["24:00", "25:61", "12:60", "-1:00", "12", "noon", "02:30"]),
)
junk = st.one_of(
    st.sampled_from(HOSTILE),
    texts.map(lambda s: s.encode("utf-8", "surrogatepass")),
    numbers.map(str.encode),
    dates.map(str.encode),
    times.map(str.encode),
    st.binary(max_size=40),
)
# What a spoilt field sends: junk, several values (some junk), or nothing at all.
spoilt = st.one_of(
    junk.map(lambda v: [v]),
    st.lists(junk, min_size=2, max_size=3),
    st.just([]),
)


NUMBERED = "{n}"  # in a valid value: replaced by a number, so that two names rarely clash


def _valid_value(value: str) -> st.SearchStrategy[str]:
    if NUMBERED in value:
        return st.integers(0, 10**9).map(lambda n: value.replace(NUMBERED, str(n)))
    return st.just(value)


def form(fields: dict[str, list[str]]) -> st.SearchStrategy[Pairs]:
    """A valid form (each field one of its valid values) with up to four fields spoilt."""
    valid = {
        name: st.one_of(*[_valid_value(value) for value in values])
        for name, values in fields.items()
    }

    def merge(chosen: tuple[dict[str, str], dict[str, list[bytes]]]) -> Pairs:
        good, bad = chosen
        sent = {name: [value.encode()] for name, value in good.items()} | bad
        return [(name, value) for name, values in sent.items() for value in values]

    return st.tuples(
        st.fixed_dictionaries(valid),
        st.dictionaries(st.sampled_from(sorted(valid)), spoilt, max_size=4),
    ).map(merge)


def buttons(*names: str) -> st.SearchStrategy[Pairs]:
    return st.lists(st.sampled_from(names), unique=True, max_size=len(names)).map(
        lambda pressed: [(name, b"1") for name in pressed]
    )


def shows_a_clear_error(response) -> bool:
    """The page names what is wrong: a message at a field or about the form, not only an
    error summary whose links lead to no message on the page."""
    return any(errors(response))


def _control_free(text: str, multiline: bool = False) -> bool:
    allowed = {"\n", "\t"} if multiline else set()
    return not any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in text)


# --------------------------------------------------------------------------------------------
# The nomination form: save a draft, submit


def nomination_form(bench: Bench) -> dict[str, list[str]]:
    """Valid values of each field (the first is the one the deterministic test uses)."""
    dept = str(bench.world.users["nominator"].department_id)
    closing = bench.category.round.closes_at.date()
    return {
        "nominee_name": ["Nora Nominee", "Åse Ødegård"],
        "nominee_email": ["nora@example.org", "Ase@Example.org"],
        "nominee_department_id": [dept],
        "nominee_position": ["Postdoctoral fellow"],
        "nominee_phd_date": [(closing - timedelta(days=400)).isoformat()],
        "statement": ["Nora built the platform.", "Line one.\r\nLine two."],
        "on_behalf_of_department_id": [dept, "0"],
    }


documents = st.lists(
    st.tuples(
        st.sampled_from(["cv", "publications", "support_letters"]),
        st.one_of(st.sampled_from(["cv.pdf", "../../etc/passwd.pdf", "é\u202e.pdf"]), texts),
        st.sampled_from([PDF, b"", b"<html>not a pdf</html>", b"%PDF", PDF + b"x" * 100]),
    ),
    max_size=5,
)


def _store_is_consistent(bench: Bench) -> list[str]:
    """Rows and files agree; stored text is clean and within its limits; a submitted
    nomination is complete."""
    found = []
    root = Path(bench.app.config["UPLOAD_FOLDER"])
    on_disk = {p.name for p in root.iterdir()} if root.exists() else set()
    rows = db.session.execute(db.select(Attachment)).scalars().all()
    # The world's referee letters are stored beside the documents (rows of their own).
    letters = db.session.execute(
        db.select(Referee.stored_name).where(Referee.stored_name.is_not(None))
    ).scalars()
    stored = {a.stored_name for a in rows} | set(letters)
    if stored != on_disk:
        found.append(f"files {sorted(on_disk)} but rows {sorted(stored)}")
    for attachment in rows:
        path = root / attachment.stored_name
        if path.is_file():
            content = path.read_bytes()
            if not content.startswith(b"%PDF-") or len(content) != attachment.size_bytes:
                found.append(f"attachment {attachment.id}: not the PDF it claims to be")
            if hashlib.sha256(content).hexdigest() != attachment.sha256:
                found.append(f"attachment {attachment.id}: checksum differs")
            if not _control_free(attachment.original_name):
                found.append(f"attachment {attachment.id}: name {attachment.original_name!r}")
    for nomination in db.session.execute(
        db.select(Nomination).where(Nomination.category_id == bench.category.id)
    ).scalars():
        name = nomination.nominee_name
        if not (_control_free(name) and len(name) <= MAX_LINE):
            found.append(f"nomination {nomination.id}: name {name!r}")
        if not _control_free(nomination.nominee_position) or len(nomination.nominee_position) > 200:
            found.append(f"nomination {nomination.id}: position")
        if nomination.nominee_email != nomination.nominee_email.lower():
            found.append(f"nomination {nomination.id}: e-mail not lower case")
        if not _control_free(nomination.statement, multiline=True):
            found.append(f"nomination {nomination.id}: control characters in the statement")
        if len(nomination.statement) > MAX_STATEMENT_CHARS:
            found.append(f"nomination {nomination.id}: statement too long")
        kinds = [a.kind for a in nomination.attachments]
        if kinds.count(AttachmentKind.CV) > 1 or kinds.count(AttachmentKind.PUBLICATIONS) > 1:
            found.append(f"nomination {nomination.id}: two documents of one kind")
        letters = kinds.count(AttachmentKind.SUPPORT_LETTER)
        if letters > nomination.category.max_support_letters:
            found.append(f"nomination {nomination.id}: {letters} support letters")
        if nomination.status == NominationStatus.SUBMITTED and problems(nomination):
            found.append(f"nomination {nomination.id}: submitted but {problems(nomination)}")
    return found


def _mine(bench: Bench) -> dict[int, tuple]:
    """The nominator's nominations: everything stored about each, documents included."""
    nominator = bench.world.users["nominator"]
    db.session.expire_all()
    return {
        n.id: (
            n.status,
            n.nominee_name,
            n.nominee_email,
            n.nominee_department_id,
            n.nominee_position,
            n.nominee_phd_date,
            n.statement,
            n.on_behalf_of_department_id,
            sorted((a.kind, a.sha256) for a in n.attachments),
        )
        for n in db.session.execute(
            db.select(Nomination).where(Nomination.nominator_id == nominator.id)
        ).scalars()
    }


def nomination_case(bench: Bench, pairs: list, *, edit: bool) -> None:
    """Send the nomination form (new, or the stored nomination); check the answer and the
    store."""
    url = f"/nominations/{bench.draft_id}" if edit else f"/calls/{bench.category.id}/nominate"
    before = _mine(bench)
    response = bench.post("nominator", url, pairs, multipart=True)

    assert response.status_code in (200, 302), response.status_code
    after = _mine(bench)
    new = set(after) - set(before)
    assert len(new) <= (0 if edit else 1)
    was_submitted = edit and before[bench.draft_id][0] == NominationStatus.SUBMITTED
    if response.status_code == 302:
        nomination_id = bench.draft_id if edit else next(iter(new))
        assert response.headers["Location"] == f"/nominations/{nomination_id}"
        submitted = was_submitted or any(name == "submit_nomination" for name, _ in pairs)
        status = NominationStatus.SUBMITTED if submitted else NominationStatus.DRAFT
        assert after[nomination_id][0] == status
    else:
        assert shows_a_clear_error(response), errors(response)
        # Saved as a draft at most (documents or the submission refused) ...
        for nomination_id in new:
            assert after[nomination_id][0] == NominationStatus.DRAFT
        # ... and a submitted nomination is changed completely or not at all.
        if was_submitted:
            assert after[bench.draft_id] == before[bench.draft_id]
    untouched = {k: v for k, v in after.items() if k not in new and k != bench.draft_id}
    assert untouched == {k: v for k, v in before.items() if k != bench.draft_id}
    assert _store_is_consistent(bench) == []


@given(data=st.data())
@FUZZ
def test_the_nomination_form_never_fails_and_stores_nothing_half(bench, data):
    fields = data.draw(form(nomination_form(bench)), label="fields")
    files = data.draw(documents, label="documents")
    pressed = data.draw(buttons("save_draft", "submit_nomination"), label="buttons")
    edit = data.draw(st.booleans(), label="edit the stored nomination")
    uploads = [(kind, (name, content)) for kind, name, content in files]
    nomination_case(bench, [*fields, *uploads, *pressed], edit=edit)


# --------------------------------------------------------------------------------------------
# The review form: save a draft, submit


def review_form(bench: Bench) -> dict[str, list[str]]:
    fields = {f"score_{c}": [str(v) for v in range(1, 8)] for c in bench.world.criteria}
    fields["comment"] = ["Convincing.", "Strong\r\nwork."]
    fields["recommendation"] = ["support", "strongly_support", "neutral"]
    return fields


def _reviews(nomination_id: int) -> tuple[list[Review], int, int]:
    db.session.expire_all()
    reviews = (
        db.session.execute(db.select(Review).where(Review.nomination_id == nomination_id))
        .scalars()
        .all()
    )
    scores = db.session.execute(db.select(db.func.count(ReviewScore.id))).scalar_one()
    events = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
    return list(reviews), scores, events


def review_case(bench: Bench, pairs: Pairs) -> None:
    """The reviewer sends the review form for a nomination they have not reviewed yet."""
    world = bench.world
    nomination_id = world.ids["other"]
    reviewer_id = world.users["reviewer"].id
    for review in db.session.execute(
        db.select(Review).where(
            Review.nomination_id == nomination_id, Review.reviewer_id == reviewer_id
        )
    ).scalars():
        db.session.delete(review)  # with its scores
    db.session.commit()
    before_reviews, before_scores, before_events = _reviews(nomination_id)

    response = bench.post(
        "reviewer", f"/review/nominations/{nomination_id}", pairs, multipart=False
    )

    assert response.status_code in (200, 302), response.status_code
    reviews, scores, events = _reviews(nomination_id)
    mine = [r for r in reviews if r.reviewer_id == reviewer_id]
    if response.status_code == 302:
        [review] = mine
        assert _control_free(review.comment, multiline=True)
        assert len(review.comment) <= MAX_COMMENT
        for score in review.scores:
            assert score.criterion.scale_min <= score.score <= score.criterion.scale_max
        if review.status == ReviewStatus.SUBMITTED:
            assert len(review.scores) == len(world.criteria) and review.recommendation
    else:
        assert shows_a_clear_error(response), errors(response)
        assert mine == [] and len(reviews) == len(before_reviews)
        assert (scores, events) == (before_scores, before_events)


@given(data=st.data())
@FUZZ
def test_the_review_form_never_fails_and_a_refused_review_stores_nothing(bench, data):
    fields = data.draw(form(review_form(bench)), label="fields")
    pressed = data.draw(buttons("save_draft", "submit_review"), label="buttons")
    review_case(bench, [*fields, *pressed])


# --------------------------------------------------------------------------------------------
# Admin: a new round, a new category


def round_form(bench: Bench) -> dict[str, list[str]]:
    year = date.today().year + 1
    return {
        "name": [f"Fuzz Prizes {NUMBERED}", f"Prix Åse {NUMBERED}"],
        "year": [str(year)],
        "organiser": ["The institute"],
        "description": ["Yearly prizes.\r\nFor everyone."],
        "opens_date": [f"{year}-01-10"],
        "opens_time": ["09:00", ""],
        "closes_date": [f"{year}-03-07"],
        "closes_time": ["", "12:00"],
        "review_date": [f"{year}-04-30"],
        "review_time": ["12:00"],
        "ceremony_on": [f"{year}-12-11", ""],
        "blind_mode": ["after_own", "never", "always"],
        "department_conflicts": ["y"],
    }


def _rounds() -> list[AwardRound]:
    db.session.expire_all()
    return db.session.execute(db.select(AwardRound).order_by(AwardRound.id)).scalars().all()


def round_case(bench: Bench, pairs: Pairs) -> None:
    before = _rounds()
    response = bench.post("admin", "/admin/rounds/new", pairs, multipart=False)

    assert response.status_code in (200, 302), response.status_code
    after = _rounds()
    if response.status_code == 302:
        assert len(after) == len(before) + 1
        award_round = after[-1]
        assert response.headers["Location"] == f"/admin/rounds/{award_round.id}"
        assert _control_free(award_round.name) and 0 < len(award_round.name) <= 200
        assert _control_free(award_round.organiser) and len(award_round.organiser) <= 200
        assert _control_free(award_round.description, multiline=True)
        assert 2000 <= award_round.year <= 2200
        assert award_round.opens_at < award_round.closes_at < award_round.review_deadline
        assert award_round.opens_at.year >= 2000 and award_round.review_deadline.year <= 2200
    else:
        assert shows_a_clear_error(response), errors(response)
        assert len(after) == len(before)


@given(data=st.data())
@FUZZ
def test_the_round_form_never_fails(bench, data):
    round_case(bench, data.draw(form(round_form(bench)), label="fields"))


def category_form(bench: Bench) -> dict[str, list[str]]:
    small = ["1", "2", "5"]
    return {
        "name": [f"Fuzz Award {NUMBERED}", f"Prix Åse {NUMBERED}"],
        "description": ["For the best."],
        "eligibility_text": ["Everyone.", ""],
        "phd_within_years": [*small, ""],
        "prize_amount": ["400000", "200000"],
        "prize_count": small,
        "funder": ["The Radium Hospital Foundation"],
        "self_nomination_allowed": ["y"],
        "department_nomination_allowed": ["y"],
        "word_limit": ["1000", "500"],
        "requires_cv": ["y"],
        "requires_publications": ["y"],
        "max_support_letters": small,
    }


def _categories(round_id: int) -> list[AwardCategory]:
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(AwardCategory)
            .where(AwardCategory.round_id == round_id)
            .order_by(AwardCategory.id)
        )
        .scalars()
        .all()
    )


def category_case(bench: Bench, pairs: Pairs) -> None:
    round_id = bench.category.round_id
    before = _categories(round_id)
    url = f"/admin/rounds/{round_id}/categories/new"
    response = bench.post("admin", url, pairs, multipart=False)

    assert response.status_code in (200, 302), response.status_code
    after = _categories(round_id)
    if response.status_code == 302:
        assert len(after) == len(before) + 1
        category = after[-1]
        assert _control_free(category.name) and 0 < len(category.name) <= 200
        assert _control_free(category.funder) and len(category.funder) <= 200
        for text in (category.description, category.eligibility_text):
            assert _control_free(text, multiline=True)
        assert 0 < category.prize_amount <= MAX_PRIZE_AMOUNT and category.prize_count > 0
        assert category.word_limit > 0 and category.max_support_letters >= 0
    else:
        assert shows_a_clear_error(response), errors(response)
        assert len(after) == len(before)


@given(data=st.data())
@FUZZ
def test_the_category_form_never_fails(bench, data):
    category_case(bench, data.draw(form(category_form(bench)), label="fields"))


# --------------------------------------------------------------------------------------------
# Every hostile value in every field, one at a time (the same checks)

FORMS: dict[str, tuple[Callable, Callable, Pairs]] = {
    # name: (the valid fields, the case, buttons pressed)
    "nomination": (nomination_form, nomination_case, [("submit_nomination", b"1")]),
    "review": (review_form, review_case, [("submit_review", b"1")]),
    "round": (round_form, round_case, []),
    "category": (category_form, category_case, []),
}


_numbers = itertools.count(1)


def _hostile_for(valid: str) -> list[bytes]:
    """The hostile values for a field, by the kind of its valid value."""
    if valid.isdigit():
        return [*HOSTILE_TEXT, *HOSTILE_NUMBERS]
    if len(valid) == 10 and valid[4] == "-" and valid[7] == "-":
        return [*HOSTILE_TEXT, *HOSTILE_DATES]
    return [*HOSTILE_TEXT, ONE_MEGABYTE]


@pytest.mark.parametrize("form_name", sorted(FORMS))
def test_each_hostile_value_in_each_field_is_refused_or_stored_clean(bench, form_name):
    fields, case, pressed = FORMS[form_name]
    valid = {name: values[0] for name, values in fields(bench).items()}
    for name, value in valid.items():
        for hostile in _hostile_for(value):
            pairs = [
                (k, hostile if k == name else v.replace(NUMBERED, str(next(_numbers))).encode())
                for k, v in valid.items()
            ]
            if form_name == "nomination":
                case(bench, [*pairs, ("cv", ("cv.pdf", PDF)), *pressed], edit=False)
            else:
                case(bench, [*pairs, *pressed])
