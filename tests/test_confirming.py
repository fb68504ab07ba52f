"""Buttons that ask before an action that cannot be undone, without JavaScript: the POST that
was not confirmed answers with a page that asks (the question, what will happen, a button that
sends the same fields again with confirmed=1 and a fresh CSRF token, a link back) and changes
nothing; the confirmed POST acts. Whoever may not act is refused, never asked (issue 14).
With JavaScript app.js asks and adds confirmed=1: tests/browser/test_form_focus_e2e.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nominations.confirming import QUESTIONS
from nominations.models import Panel, Publication, PublicationHolder, ReminderKind, User, db
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.questions.definitions import QuestionData, add_question
from nominations.workflow.referees import RefereeData, name_referee
from nominations.workflow.reminders.rules import add_reminder_rule
from nominations.workflow.rubric import category_criteria
from tests import factories
from tests.access_world import difference, fingerprint
from tests.results_helpers import closed_round, decide, set_status
from tests.review_setup import browser, user, world

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class ConfirmPage:
    heading: str
    lead: str
    action: str
    fields: list[tuple[str, str]]
    button: str
    cancel: str


class _ConfirmReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ConfirmPage("", "", "", [], "", "")
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "h1":
            self._in = "heading"
        elif tag == "p" and "lead" in (attributes.get("class") or ""):
            self._in = "lead"
        elif tag == "form" and attributes.get("method") == "post" and not self.page.action:
            # Not the header's forms (sign out, the language switch).
            if not any(x in (attributes.get("action") or "") for x in ("logout", "/language")):
                self.page.action = attributes.get("action") or ""
                self._in = "form"
        elif tag == "input" and self._in == "form" and attributes.get("type") == "hidden":
            self.page.fields.append((attributes["name"], attributes.get("value") or ""))
        elif tag == "button" and self._in == "form":
            self._in = "button"
        elif tag == "a" and self._in == "form" and not self.page.cancel:
            self.page.cancel = attributes.get("href") or ""

    def handle_endtag(self, tag):
        if tag in ("h1", "p") and self._in in ("heading", "lead"):
            self._in = None
        elif tag == "button" and self._in == "button":
            self._in = "form"
        elif tag == "form" and self._in == "form":
            self._in = "done"

    def handle_data(self, data):
        if self._in in ("heading", "lead", "button"):
            setattr(self.page, self._in, getattr(self.page, self._in) + data)


def confirm_page(response) -> ConfirmPage:
    reader = _ConfirmReader()
    reader.feed(response.get_data(as_text=True))
    page = reader.page
    page.heading, page.lead, page.button = (
        " ".join(t.split()) for t in (page.heading, page.lead, page.button)
    )
    return page


def state() -> tuple:
    db.session.rollback()  # read what the requests committed
    return fingerprint()


@dataclass
class Action:
    endpoint: str
    who: str  # the scene's person who may do it
    url: str
    asked: str  # the question, as the page's heading
    back: str  # where Cancel leads
    body: dict


def scene() -> dict[str, Action]:
    """One world where each action that asks would go through."""
    w = world(prize_count=2)
    sync_automatic_conflicts(w.award_round)
    decision = decide(w.nominations["other"], "For the platform.", decided_by=w.chair)
    rule = add_reminder_rule(
        w.award_round, kind=ReminderKind.CALL_CLOSING.value, days_before=3, actor=w.admin
    )
    criterion = category_criteria(w.category)[-1]
    gone = user("gone@example.org", "Gunnar Gone")
    gone.active = False
    panel = db.session.execute(db.select(Panel)).scalar_one()
    member = next(m for m in panel.members if m.user_id == w.reviewer.id)
    decided = closed_round("ICR Prizes", 2024)
    prize = factories.category(decided, "Researcher of the Year")
    decide(factories.nomination(prize, w.nominator, "Wenche Winner"), "For her work.")
    set_status(decided, "decided")
    call = factories.category(factories.award_round("OUH Research Awards"), "Early Career Award")
    submitted = factories.nomination(call, w.nominator, "Nina Nominee", "nina@example.org")
    referee = name_referee(
        submitted, RefereeData("Rolf Referee", "rolf@example.org", "Mentor"), actor=w.nominator
    )
    question = add_question(call, QuestionData(kind="short_text", label="Motto"), actor=w.admin)
    paper = Publication(match_key="doi:10.1/x", doi="10.1/x", title="A paper", title_key="a paper")
    paper.year = 2024
    db.session.add(paper)
    db.session.flush()
    holding = PublicationHolder(publication_id=paper.id, email="nina@example.org")
    db.session.add(holding)
    db.session.commit()
    rnd, panel = w.award_round.id, panel.id
    return {
        a.endpoint: a
        for a in [
            Action(
                "admin.publish_results",
                "admin",
                f"/admin/rounds/{decided.id}/publish",
                f"Publish the results of {decided.title}?",
                f"/admin/rounds/{decided.id}",
                {},
            ),
            Action(
                "admin.clone_round",
                "admin",
                f"/admin/rounds/{rnd}/next-year",
                f"Open next year's round from {w.award_round.title}?",
                f"/admin/rounds/{rnd}",
                {},
            ),
            Action(
                "admin.delete_reminder",
                "admin",
                f"/admin/reminders/{rule.id}/delete",
                "Remove the reminder “Call closes soon” (3 days before)?",
                f"/admin/rounds/{rnd}#reminders",
                {},
            ),
            Action(
                "admin.delete_criterion_view",
                "admin",
                f"/admin/criteria/{criterion.id}/delete",
                f"Remove the criterion {criterion.name}?",
                f"/admin/categories/{w.category.id}/rubric",
                {},
            ),
            Action(
                "admin.deactivate_account",
                "admin",
                f"/admin/users/{w.outsider.id}/deactivate",
                "Deactivate Otto Outsider?",
                f"/admin/users/{w.outsider.id}",
                {},
            ),
            Action(
                "admin.reactivate_account",
                "admin",
                f"/admin/users/{gone.id}/reactivate",
                "Reactivate Gunnar Gone?",
                f"/admin/users/{gone.id}",
                {},
            ),
            Action(
                "admin.remove_panel_member",
                "admin",
                f"/admin/panel-members/{member.id}/remove",
                "Remove Rita Reviewer from the panel Leadership group?",
                f"/admin/panels/{panel}",
                {},
            ),
            Action(
                "admin.delete_panel_view",
                "admin",
                f"/admin/panels/{panel}/delete",
                "Delete the panel Leadership group?",
                f"/admin/panels/{panel}",
                {},
            ),
            Action(
                "review.revoke",
                "chair",
                f"/review/decisions/{decision.id}/revoke",
                "Remove Olga Other from the winners of Researcher of the Year?",
                f"/review/categories/{w.category.id}/decisions",
                {},
            ),
            Action(
                "review.declare",
                "reviewer",
                f"/review/nominations/{w.nominations['other'].id}/conflict",
                "Declare a conflict of interest with the nomination of Olga Other?",
                f"/review/nominations/{w.nominations['other'].id}",
                {"kind": "collaborator", "reason": "We share a grant & a lab."},
            ),
            Action(
                "nominate.remove_referee",
                "nominator",
                f"/nominations/{submitted.id}/referees/{referee.id}/remove",
                "Remove this referee?",
                f"/nominations/{submitted.id}/referees",
                {},
            ),
            Action(
                "admin.delete_question_view",
                "admin",
                f"/admin/questions/{question.id}/delete",
                "Remove the question “Motto”?",
                f"/admin/categories/{call.id}/questions",
                {},
            ),
            Action(
                "admin.erase_person_data",
                "admin",
                "/admin/people/nina@example.org/erase",
                "Erase Nina Nominee?",
                "/admin/people/nina@example.org",
                {},
            ),
            Action(
                "admin.remove_publication",
                "admin",
                f"/admin/publications/held/{holding.id}/remove",
                "Remove “A paper” from the list of nina@example.org?",
                "/admin/publications/held?email=nina@example.org",
                {},
            ),
            Action(
                "nominate.withdraw_nomination",
                "nominator",
                f"/nominations/{submitted.id}/withdraw",
                "Withdraw this nomination?",
                f"/nominations/{submitted.id}",
                {},
            ),
        ]
    }


ASKING = [
    "admin.publish_results",
    "admin.clone_round",
    "admin.delete_reminder",
    "admin.delete_criterion_view",
    "admin.deactivate_account",
    "admin.reactivate_account",
    "admin.remove_panel_member",
    "admin.delete_panel_view",
    "review.revoke",
    "review.declare",
    "nominate.withdraw_nomination",
    "nominate.remove_referee",
    "admin.delete_question_view",
    "admin.erase_person_data",
    "admin.remove_publication",
]


def test_every_action_that_asks_is_tested_here(app):
    assert set(QUESTIONS) == set(ASKING)


EMAILS = {
    "admin": "admin@example.org",
    "chair": "chair@example.org",
    "reviewer": "reviewer@example.org",
    "nominator": "nominator@example.org",
}


@pytest.mark.parametrize("endpoint", ASKING)
def test_without_javascript_the_action_asks_on_a_page_and_acts_only_when_confirmed(app, endpoint):
    action = scene()[endpoint]
    client = browser(app, EMAILS[action.who])
    before = state()

    asked = client.submit(action.url, action.body, page="/")
    assert asked.status_code == 200
    assert difference(before, state()) == []  # nothing changed
    page = confirm_page(asked)
    assert page.heading == action.asked
    assert page.lead  # what will happen
    assert page.button and page.cancel == action.back
    assert page.action == action.url
    sent = dict(page.fields)
    assert sent["confirmed"] == "1" and sent["csrf_token"]
    assert {k: v for k, v in sent.items() if k not in ("confirmed", "csrf_token")} == action.body

    done = client.post(page.action, data=dict(page.fields))
    assert done.status_code == 302
    assert difference(before, state()) != []


def test_the_question_on_the_page_is_the_one_the_button_asks(app):
    """The page's question and the button's data-confirm come from the same place."""
    action = scene()["admin.deactivate_account"]
    client = browser(app, EMAILS["admin"])
    user_page = client.get(action.back).get_data(as_text=True)
    asked = confirm_page(client.submit(action.url, {}, page=action.back))
    assert f'data-confirm="{asked.heading} {asked.lead}"' in user_page


def test_a_confirmed_post_acts_at_once(app):
    """What app.js sends after window.confirm: no page in between."""
    action = scene()["admin.deactivate_account"]
    client = browser(app, EMAILS["admin"])
    response = client.submit(action.url, {"confirmed": "1"}, page="/")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.execute(
        db.select(User.active).where(User.email == "outsider@example.org")
    ).scalar_one()


def test_who_may_not_act_is_refused_not_asked(app):
    actions = scene()
    outsider = browser(app, "outsider@example.org")  # a reviewer, not on the panel or admin
    before = state()
    for endpoint in ("admin.deactivate_account", "admin.delete_panel_view", "review.revoke"):
        response = outsider.submit(actions[endpoint].url, {}, page="/")
        assert response.status_code == 403, endpoint
        assert b'name="confirmed"' not in response.get_data(), endpoint
    response = outsider.submit(
        actions["nominate.withdraw_nomination"].url, {}, page="/"
    )  # not his nomination: there is no such nomination for him
    assert response.status_code == 404
    assert difference(before, state()) == []


def test_what_the_state_refuses_is_refused_before_any_question(app):
    """An admin deactivating himself, a round not decided yet: the refusal, not a question."""
    w = world()
    admin = browser(app, w.admin.email)
    before = state()
    response = admin.submit(
        f"/admin/users/{w.admin.id}/deactivate", {}, page="/", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "You cannot deactivate yourself" in page and 'name="confirmed"' not in page
    response = admin.submit(
        f"/admin/rounds/{w.award_round.id}/publish", {}, page="/", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Only a decided round can be published" in page and 'name="confirmed"' not in page
    assert difference(before, state()) == []


def test_every_button_that_asks_takes_its_question_from_its_view(app):
    """No template writes a question of its own: each ``data-confirm`` names a registered
    question, so the page that asks without JavaScript says the same."""
    asked = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"data[-_]confirm\s*=\s*\"?([^>\n]*)", text):
            value = match.group(1)
            named = re.match(r"""\{\{ confirmation\('([\w.]+)'|confirmation\('([\w.]+)'""", value)
            assert named, f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
            asked.add(named.group(1) or named.group(2))
    assert asked <= set(QUESTIONS)
    # review.declare's button is a form field: its view sets it. Erasing a person has a page
    # of its own that asks (with what will be erased), whose button sends confirmed=1.
    assert set(QUESTIONS) - asked == {"review.declare", "admin.erase_person_data"}
