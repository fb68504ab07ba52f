"""No doubles (issue 12, point 4): a create form sent twice (a double click, a reload of the
answer, a retry after a lost answer, two requests at the same moment) makes one nomination and
one confirmation; nothing is stored without a nominee's name; a successful POST redirects."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest

from nominations.models import Nomination, NominationStatus, OutboxMessage, db
from nominations.timeutil import now
from nominations.workflow.nominations import commands
from tests import factories
from tests.conftest import CSRF_RE
from tests.nominating import field_errors, fields, pdf, text

SUBMIT = {"submit_nomination": "Submit nomination"}
DRAFT = {"save_draft": "Save draft"}
TOKEN_RE = re.compile(r'name="form_token"[^>]*value="([^"]+)"')


@pytest.fixture
def dept(app):
    return factories.department("Department of Tumor Biology")


@pytest.fixture
def category(app):
    closes = now() + timedelta(days=20)
    award_round = factories.award_round(
        "ICR Prizes",
        opens_at=closes - timedelta(days=30),
        closes_at=closes,
        review_deadline=closes + timedelta(days=30),
    )
    return factories.category(
        award_round, "Researcher of the Year", 100_000, requires_cv=False, max_support_letters=3
    )


def new_url(category) -> str:
    return f"/calls/{category.id}/nominate"


def the_form(client, category) -> dict:
    """What the browser holds once the create page is shown: its hidden fields."""
    page = client.get(new_url(category)).get_data(as_text=True)
    hidden = {"csrf_token": CSRF_RE.search(page).group(1)}
    token = TOKEN_RE.search(page)
    if token:  # the code before the change had none
        hidden["form_token"] = token.group(1)
    return hidden


def nominations() -> list[Nomination]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Nomination)).scalars())


def confirmations() -> list[str]:
    return list(
        db.session.execute(
            db.select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.startswith("nomination-submitted:")
            )
        ).scalars()
    )


def two_clicks_at_once(make_client, nominator, url: str, sent: dict, monkeypatch) -> list:
    """A double click: the same form sent twice together, each on its own connection with
    the nominator's session; the first to submit holds its transaction (and, on PostgreSQL,
    the nomination's row lock) a moment while the other arrives. Each click's client (whose
    cookie holds its answer's message) and answer."""
    cookie = nominator.get_cookie("session")
    twin = make_client()
    twin.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
    real_notify = commands.notify_nominator

    def slow_notify(*args, **kwargs):
        real_notify(*args, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(commands, "notify_nominator", slow_notify)
    start = threading.Barrier(2)
    answers: dict[int, object] = {}

    def click(index: int, client) -> None:
        start.wait()
        answers[index] = client.post(url, data=sent)

    threads = [threading.Thread(target=click, args=pair) for pair in enumerate((nominator, twin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [(nominator, answers[0]), (twin, answers[1])]


def test_the_same_form_sent_twice_makes_one_nomination_and_one_confirmation(
    make_client, staff, dept, category
):
    nominator = make_client(staff.email)
    form = the_form(nominator, category)

    def send():
        return nominator.post(
            new_url(category),
            data={
                **form,
                **fields(dept),
                "support_letters": [pdf("letter.pdf")],
                **SUBMIT,
            },
        )

    first = send()
    assert first.status_code == 302
    again = send()  # the answer was lost (or the button pressed again): the same form again
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]

    [nomination] = nominations()
    assert nomination.status == NominationStatus.SUBMITTED
    assert [a.original_name for a in nomination.attachments] == ["letter.pdf"]
    assert len(confirmations()) == 1
    shown = text(nominator.get(again.headers["Location"]))
    assert "This form had been sent already: it went to the same nomination" in shown


def test_a_fresh_form_makes_a_new_nomination(make_client, staff, dept, category):
    """The token tells a repeat from a second nomination: a new page is a new one."""
    nominator = make_client(staff.email)
    for name in ("Nora Nominee", "Olav Other"):
        response = nominator.post(
            new_url(category),
            data={**the_form(nominator, category), **fields(dept, nominee_name=name), **DRAFT},
        )
        assert response.status_code == 302
    assert sorted(n.nominee_name for n in nominations()) == ["Nora Nominee", "Olav Other"]


def test_two_identical_posts_at_the_same_moment_make_one_nomination(
    app, make_client, staff, dept, category, monkeypatch
):
    """A double click: both requests are in flight together, on their own connections."""
    nominator = make_client(staff.email)
    sent = {**the_form(nominator, category), **fields(dept), **SUBMIT}
    clicks = two_clicks_at_once(make_client, nominator, new_url(category), sent, monkeypatch)
    assert [answer.status_code for _, answer in clicks] == [302, 302]
    assert len({answer.headers["Location"] for _, answer in clicks}) == 1
    [nomination] = nominations()
    assert nomination.status == NominationStatus.SUBMITTED
    assert len(confirmations()) == 1


@pytest.mark.parametrize("button", [DRAFT, SUBMIT], ids=["save-draft", "submit"])
def test_nothing_is_stored_without_the_nominees_name(make_client, staff, dept, category, button):
    nominator = make_client(staff.email)
    typed = fields(dept, nominee_name="")
    response = nominator.post(
        new_url(category), data={**the_form(nominator, category), **typed, **button}
    )
    assert response.status_code == 200
    assert nominations() == []
    [message] = field_errors(response, "nominee_name")
    assert message.startswith("Type the nominee's name first: a draft is kept under it.")
    page = text(response)
    assert typed["statement"] in page  # what was typed is still there


def test_every_successful_post_redirects(make_client, staff, dept, category):
    """Post/Redirect/Get: reloading the page after any of them sends nothing again."""
    nominator = make_client(staff.email)
    saved = nominator.post(
        new_url(category), data={**the_form(nominator, category), **fields(dept), **DRAFT}
    )
    assert saved.status_code == 302
    url = saved.headers["Location"]
    assert "Draft saved at" in text(nominator.get(url))
    submitted = nominator.submit(url, {**fields(dept), **SUBMIT})
    assert (submitted.status_code, submitted.headers["Location"]) == (302, url)
    changed = nominator.submit(url, {**fields(dept, nominee_position="Group leader"), **SUBMIT})
    assert (changed.status_code, changed.headers["Location"]) == (302, url)
    withdrawn = nominator.submit(f"{url}/withdraw", {"confirmed": "1"}, page=url)
    assert (withdrawn.status_code, withdrawn.headers["Location"]) == (302, url)
    [nomination] = nominations()
    assert nomination.status == NominationStatus.WITHDRAWN
    assert len(confirmations()) == 1


def test_a_double_click_on_submit_answers_both_clicks_as_submitted(
    make_client, staff, dept, category
):
    """The browser shows the second click's answer: it must say what the first one did,
    not "nothing changed", and send no second confirmation."""
    nominator = make_client(staff.email)
    saved = nominator.post(
        new_url(category), data={**the_form(nominator, category), **fields(dept), **DRAFT}
    )
    url = saved.headers["Location"]
    page = nominator.get(url).get_data(as_text=True)
    shown_as_draft = {"csrf_token": CSRF_RE.search(page).group(1), **fields(dept), **SUBMIT}
    first = nominator.post(url, data=shown_as_draft)
    second = nominator.post(url, data=shown_as_draft)  # the same page, clicked again
    assert (first.status_code, second.status_code) == (302, 302)
    assert second.headers["Location"] == first.headers["Location"]
    shown = text(nominator.get(second.headers["Location"]))
    assert shown.count("Nomination submitted. A confirmation is on its way") == 1
    assert "Nothing was changed" not in shown
    [nomination] = nominations()
    assert nomination.status == NominationStatus.SUBMITTED
    assert len(confirmations()) == 1


@pytest.mark.postgres
def test_a_double_click_on_submit_at_the_same_moment_answers_both_as_submitted(
    make_client, staff, dept, category, monkeypatch
):
    """Both clicks in flight together: the second waits on the first's row lock, then finds
    the nomination submitted. Both answers say so; one confirmation is sent."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between sessions: PostgreSQL only (make test-postgres)")
    nominator = make_client(staff.email)
    saved = nominator.post(
        new_url(category), data={**the_form(nominator, category), **fields(dept), **DRAFT}
    )
    url = saved.headers["Location"]
    page = nominator.get(url).get_data(as_text=True)
    sent = {"csrf_token": CSRF_RE.search(page).group(1), **fields(dept), **SUBMIT}
    clicks = two_clicks_at_once(make_client, nominator, url, sent, monkeypatch)

    assert [answer.status_code for _, answer in clicks] == [302, 302]
    for client, _ in clicks:
        shown = text(client.get(url))
        assert "Nomination submitted. A confirmation is on its way" in shown
        assert "already been submitted" not in shown and "use “Save changes”" not in shown
    [nomination] = nominations()
    assert nomination.status == NominationStatus.SUBMITTED
    assert len(confirmations()) == 1
