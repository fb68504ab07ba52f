"""Property: for random small rounds, nothing a conflicted person can fetch names a nomination
he may not see, and every figure shown to him is the figure of a world without it.

Each example builds a round from a drawn spec (reviewers with or without departments, one or
two categories, panels per category or one for the whole round, declared, automatic and cleared
conflicts, submitted and draft reviews, a blind mode), then for every person with a conflict:

- the pages and files he can fetch (review overview and category lists, the nominations he
  reviews, ranking page and XLSX, score charts, progress, conflicts, nominations CSV/XLSX,
  the e-mails queued for him at the close and for the review reminder) never contain the name
  of a nomination he has a conflict with (the oracle below, written from the spec);
- the conflict rule (``assignment``) agrees with that oracle for every pair;
- the ranking figures (rows, ranks, z-scores, reviewer figures, distributions) and the progress
  counts computed for him equal those computed, for nobody in particular, in the same round
  rebuilt without the nominations he has a conflict with: so none of them depends on a score he
  may not see, and he cannot solve for one.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nominations.models import (
    AwardRound,
    BlindMode,
    ConflictOfInterest,
    Criterion,
    Nomination,
    NominationStatus,
    OutboxMessage,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewScore,
    ReviewStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import access, assignment
from nominations.workflow.lifecycle import close_round_if_due
from nominations.workflow.progress import round_progress
from nominations.workflow.ranking import compute_ranking
from nominations.workflow.ranking_details import ranking_details
from nominations.workflow.reminders.sending import send_due_reminders
from tests import factories
from tests.conftest import _empty_tables
from tests.results_helpers import attach
from tests.review_setup import FAST_HASH, browser, closed_round

DEPARTMENTS = ("Radiology", "Biology")


@dataclass(frozen=True)
class Spec:
    reviewers: tuple[int | None, ...]  # each reviewer's department index, or None
    categories: int
    per_category: bool  # one panel per category, or one for the whole round
    department_conflicts: bool
    blind: str
    # (category, nominee department, nominee is reviewer k (e-mail) or None, nominator k/None)
    nominations: tuple[tuple[int, int, int | None, int | None], ...]
    declared: frozenset[tuple[int, int]]  # (reviewer, nomination)
    cleared: frozenset[tuple[int, int]]  # automatic ones cleared by the chair
    reviews: tuple[tuple[int, int, str, int], ...]  # (reviewer, nomination, status, score)


@st.composite
def specs(draw) -> Spec:
    n_reviewers = draw(st.integers(2, 4))
    reviewers = tuple(draw(st.sampled_from((None, 0, 1))) for _ in range(n_reviewers))
    categories = draw(st.integers(1, 2))
    who = st.one_of(st.none(), st.integers(0, n_reviewers - 1))
    nominations = tuple(
        draw(
            st.lists(
                st.tuples(st.integers(0, categories - 1), st.integers(0, 1), who, who),
                min_size=2,
                max_size=5,
            )
        )
    )
    pairs = st.tuples(st.integers(0, n_reviewers - 1), st.integers(0, len(nominations) - 1))
    reviews = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_reviewers - 1),
                st.integers(0, len(nominations) - 1),
                st.sampled_from((ReviewStatus.SUBMITTED, ReviewStatus.SUBMITTED, "draft")),
                st.integers(1, 7),
            ),
            max_size=16,
            unique_by=lambda r: (r[0], r[1]),
        )
    )
    return Spec(
        reviewers=reviewers,
        categories=categories,
        per_category=draw(st.booleans()),
        department_conflicts=draw(st.booleans()),
        blind=draw(st.sampled_from(list(BlindMode))),
        nominations=nominations,
        declared=frozenset(draw(st.lists(pairs, max_size=3))),
        cleared=frozenset(draw(st.lists(pairs, max_size=2))),
        reviews=tuple(reviews),
    )


def _email(k: int) -> str:
    return f"reviewer{k}@example.org"


def _name(i: int) -> str:
    return f"Zqnominee{i:02d}x"  # a token no page prints by chance


def automatic(spec: Spec, k: int, i: int) -> bool:
    _, department, nominee, nominator = spec.nominations[i]
    return (
        nominee == k
        or nominator == k
        or (spec.department_conflicts and spec.reviewers[k] == department)
    )


def conflicted(spec: Spec, k: int, i: int) -> bool:
    """The oracle, from the spec: declared (never cleared: only automatic ones are), or
    automatic and not cleared."""
    if (k, i) in spec.declared:
        return True
    return automatic(spec, k, i) and (k, i) not in spec.cleared


def build(spec: Spec, leave_out: set[int] = frozenset()) -> dict:
    """The round of the spec (without the nominations ``leave_out``), stored directly."""
    _empty_tables()
    award_round = closed_round(
        department_conflicts=spec.department_conflicts, blind_mode=spec.blind
    )
    departments = [factories.department(name) for name in DEPARTMENTS]
    admin = User(email="admin@example.org", name="Ada Admin", password_hash=FAST_HASH)
    admin.is_admin = admin.is_staff = True
    nominator = User(email="nominator@example.org", name="Nils Nominator", password_hash=FAST_HASH)
    reviewers = [
        User(
            email=_email(k),
            name=f"Reviewer {k}",
            password_hash=FAST_HASH,
            department=None if d is None else departments[d],
            is_staff=True,
            is_reviewer=True,
        )
        for k, d in enumerate(spec.reviewers)
    ]
    db.session.add_all([admin, nominator, *reviewers])
    categories = [factories.category(award_round, f"Category {c}") for c in range(spec.categories)]
    panels = (
        [Panel(round_id=award_round.id, category_id=c.id, name=c.name) for c in categories]
        if spec.per_category
        else [Panel(round_id=award_round.id, category_id=None, name="Whole round")]
    )
    db.session.add_all(panels)
    db.session.flush()
    for p, panel in enumerate(panels):
        for k, reviewer in enumerate(reviewers):
            role = PanelRole.CHAIR if k == p % len(reviewers) else PanelRole.MEMBER
            db.session.add(PanelMember(panel_id=panel.id, user_id=reviewer.id, role=role))
    nominations: dict[int, Nomination] = {}
    for i, (c, department, nominee, by) in enumerate(spec.nominations):
        if i in leave_out:
            continue
        nominations[i] = Nomination(
            category_id=categories[c].id,
            nominator_id=(reviewers[by] if by is not None else nominator).id,
            nominee_name=_name(i),
            nominee_email=_email(nominee) if nominee is not None else f"n{i}@example.org",
            nominee_department=departments[department],
            nominee_position="Researcher",
            statement="Why.",
            status=NominationStatus.SUBMITTED,
            submitted_at=now() - timedelta(days=3),
        )
    db.session.add_all(nominations.values())
    db.session.flush()
    for i, nomination in nominations.items():  # a document that names its nominee, for the ZIPs
        attach(nomination, f"CV of {_name(i)}.pdf", f"%PDF-1.4\n{_name(i)}\n%%EOF\n".encode())
    stamp = now()
    for k, i in spec.declared:
        if i in nominations:
            db.session.add(
                ConflictOfInterest(
                    nomination_id=nominations[i].id,
                    reviewer_id=reviewers[k].id,
                    kind="collaborator",
                    automatic=False,
                    reason="Declared.",
                    declared_at=stamp,
                )
            )
    for k, i in spec.cleared - spec.declared:
        if i in nominations and automatic(spec, k, i):
            db.session.add(
                ConflictOfInterest(
                    nomination_id=nominations[i].id,
                    reviewer_id=reviewers[k].id,
                    kind="same_department",
                    automatic=True,
                    reason="Automatic.",
                    declared_at=stamp,
                    cleared_at=stamp,
                    cleared_by_id=admin.id,
                    cleared_reason="Wrong.",
                )
            )
    criteria = {
        c.id: db.session.execute(db.select(Criterion).where(Criterion.category_id == c.id))
        .scalars()
        .all()
        for c in categories
    }
    for k, i, status, score in spec.reviews:
        if i not in nominations:
            continue
        review = Review(
            nomination_id=nominations[i].id,
            reviewer_id=reviewers[k].id,
            status=status,
            recommendation="support",
            comment="",
            submitted_at=stamp if status == ReviewStatus.SUBMITTED else None,
        )
        db.session.add(review)
        db.session.flush()
        for criterion in criteria[nominations[i].category_id]:
            db.session.add(ReviewScore(review_id=review.id, criterion_id=criterion.id, score=score))
    db.session.commit()
    return {"round": award_round, "categories": categories, "reviewers": reviewers}


def _ranking_figures(ranking) -> dict:
    details = ranking_details(ranking)
    names = {r.reviewer_id: r.name for r in ranking.reviewers}

    def by_name(values: dict) -> dict:
        return {names[k]: round(v, 9) for k, v in values.items()}

    def number(value):
        return None if value is None else round(value, 9)

    return {
        "rows": [
            (
                row.nominee_name,
                row.reviews,
                row.expected,
                number(row.mean),
                number(row.normalised),
                number(row.spread),
                row.disagreement,
                row.rank,
                row.tied,
                by_name(row.scores),
                by_name(row.z_scores),
            )
            for row in ranking.rows
        ],
        "reviewers": [
            (r.name, r.reviews, number(r.mean), number(r.std)) for r in ranking.reviewers
        ],
        "distributions": [
            (d.name, number(d.mean), number(d.median), number(d.offset), d.compared)
            for d in details.distributions
        ],
        "overall": number(details.overall_mean),
    }


def _progress_figures(progress) -> dict:
    return {
        "reviewers": [(r.name, r.expected, r.submitted, r.drafts) for r in progress.reviewers],
        "lacking": [
            (n.nominee_name, n.expected, n.submitted, n.missing_names) for n in progress.lacking
        ],
        "nominations": progress.nominations,
    }


def _figures(person: User, award_round: AwardRound, categories) -> dict:
    only = access.overseen_categories(person, award_round)
    return {
        "rankings": [
            _ranking_figures(compute_ranking(c, viewer=person))
            for c in categories
            if access.can_view_ranking(person, c)
        ],
        "progress": _progress_figures(round_progress(award_round, only, viewer=person))
        if access.can_view_progress(person, award_round)
        else None,
    }


def _fetched(app, person: User, award_round: AwardRound, categories) -> list[str]:
    """Everything ``person`` can fetch: pages, files and the e-mails queued for him."""
    client = browser(app, person.email)
    urls = ["/review/", f"/review/rounds/{award_round.id}/progress"]
    urls.append(f"/review/rounds/{award_round.id}/conflicts")
    urls += [f"/exports/rounds/{award_round.id}/nominations.{fmt}" for fmt in ("csv", "xlsx")]
    for c in categories:
        urls += [
            f"/review/categories/{c.id}",
            f"/review/categories/{c.id}/ranking",
            f"/review/categories/{c.id}/charts",
            f"/exports/categories/{c.id}/ranking.xlsx",
            f"/exports/categories/{c.id}/nominations.csv",
            f"/exports/categories/{c.id}/nominations.xlsx",
            f"/exports/categories/{c.id}/attachments.zip",
        ]
    for nomination in db.session.execute(access.visible_nominations_query(person)).scalars():
        urls.append(f"/review/nominations/{nomination.id}")
        urls.append(f"/exports/nominations/{nomination.id}/attachments.zip")
    texts = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            texts.append(response.get_data().decode("utf-8", "replace"))
            if url.endswith((".xlsx", ".zip")):  # a workbook's strings are zipped XML too
                with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
                    texts += archive.namelist()
                    texts += [
                        archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                    ]
    mails = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.recipient == person.email)
    ).scalars()
    texts += [f"{m.subject}\n{m.body_text}\n{m.body_html}" for m in mails]
    return texts


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=specs())
def test_nothing_a_conflicted_person_fetches_names_or_solves_a_hidden_nomination(app, spec):
    world = build(spec)
    award_round, categories = world["round"], world["categories"]
    close_round_if_due(award_round.id, now())
    db.session.commit()
    send_due_reminders(award_round.review_deadline - timedelta(days=6))
    db.session.commit()
    ids = {n.nominee_name: n for n in db.session.execute(db.select(Nomination)).scalars()}
    hidden_by: dict[int, set[int]] = {}
    for k, reviewer in enumerate(world["reviewers"]):
        for i in range(len(spec.nominations)):
            expected = conflicted(spec, k, i)
            assert assignment.conflicted(reviewer, ids[_name(i)]) == expected, (k, i)
        hidden = {i for i in range(len(spec.nominations)) if conflicted(spec, k, i)}
        if hidden:
            hidden_by[k] = hidden

    shown_figures = {}
    for k, hidden in hidden_by.items():
        person = world["reviewers"][k]
        # His own nominations he knows (and sees as their nominator); no other hidden name.
        unnamed = {i for i in hidden if spec.nominations[i][3] != k}
        for text in _fetched(app, person, award_round, categories):
            for i in unnamed:
                assert _name(i) not in text, (k, i)
        shown_figures[k] = _figures(person, award_round, categories)

    for k, hidden in hidden_by.items():
        without = build(spec, leave_out=hidden)
        person = db.session.execute(db.select(User).where(User.email == _email(k))).scalar_one()
        figures = {
            "rankings": [
                _ranking_figures(compute_ranking(c))
                for c in without["categories"]
                if access.can_view_ranking(person, c)
            ],
            "progress": _progress_figures(
                round_progress(
                    without["round"], access.overseen_categories(person, without["round"])
                )
            )
            if access.can_view_progress(person, without["round"])
            else None,
        }
        assert shown_figures[k] == figures, k
