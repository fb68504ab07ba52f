"""Which pages the accessibility audit opens (tests/browser/test_a11y_*.py), in which state.

- with data: every GET entry (and variant) of tests/access_table.py, for every role it answers
  with a page (200), in the access world (tests/access_world.py), its URL parameters filled
  the way tests/test_route_access.py fills them; plus what that world cannot show (an open
  call's nomination form, a reset link, the refusal pages);
- empty: a fresh installation (a few accounts, nothing else): the lists and overviews, then a
  round with nothing in it;
- with errors: each form page sent from the browser with its fields emptied or a bad value.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from nominations.models import AwardCategory, User, db
from nominations.policy import SYSTEM
from nominations.workflow.passwords import reset_token
from nominations.workflow.questions.definitions import QuestionData, add_question
from tests import factories
from tests.access_table import ACCESS, PARAMS, VALUES, VARIANTS, Access
from tests.access_world import ROLES, build_world
from tests.browser.a11y import Audit, run_audit


def table_url(app: Flask, ids: dict[str, int], endpoint: str, entry: Access) -> str:
    rule = next(app.url_map.iter_rules(endpoint))
    values = {
        name: VALUES[name] if name in VALUES else ids[entry.params.get(name) or PARAMS[name]]
        for name in rule.arguments
    }
    return app.url_map.bind("localhost").build(endpoint, values)


def table_pages(app: Flask, ids: dict[str, int], role: str) -> list[tuple[str, str]]:
    """(route, URL) of every GET entry and variant of the access table that answers ``role``
    (a column of the table) with a page."""
    column = ROLES.index(role)
    pages = []
    for name, entry in [*ACCESS.items(), *VARIANTS.items()]:
        if entry.GET is not None and entry.GET[column] == 200:
            pages.append((name, table_url(app, ids, name.split(" ")[0], entry)))
    return pages


# --- what the access world does not show ------------------------------------------------------


def open_call() -> AwardCategory:
    """A round open for nominations (beside the world's closed one) and its category."""
    award_round = factories.award_round("OUH Research Awards")
    category = factories.category(
        award_round, "Excellent Researcher Award", prize_amount=400_000, phd_within_years=8
    )
    # Its own questions, one of each kind (required ones, so a refused form marks them).
    for kind, label, extra in (
        ("short_text", "Main discovery", {"word_limit": 20, "help_text": "One sentence."}),
        ("long_text", "Research plan", {"word_limit": 200, "label_nb": "Forskningsplan"}),
        ("single_choice", "Career stage", {"options": "Early\nSenior", "required": True}),
        ("multiple_choice", "Fields", {"options": "Biology\nPhysics", "required": True}),
        ("yes_no", "Leads a group", {"required": True}),
        ("number", "First-author papers", {"min_value": Decimal(0), "whole_numbers": True}),
        ("file", "Letter from the head of department", {"required": True}),
    ):
        add_question(category, QuestionData(kind=kind, label=label, **extra), actor=SYSTEM)
    db.session.commit()
    return category


def referee_link(nomination_id: int) -> str:
    """The upload page of a new referee of the nomination (a link as the e-mail has it)."""
    from nominations.models import Referee
    from nominations.workflow.referees.links import issue_token

    referee = Referee(nomination_id=nomination_id, name="Rolf Referee", email="rolf@example.org")
    token = issue_token(referee)
    db.session.add(referee)
    db.session.commit()
    return f"/referee/{token}"


# A person's data (nominations/admin/people.py) in the states the table's URLs do not show:
# a search with results, and an erasure a keep rule refuses (the administrator's own account).
PERSON_PAGES = [
    ("admin.people found", "/admin/people?q=tora"),
    ("admin.erase_person_data refused", "/admin/people/admin@example.org/erase"),
]


def reset_link(email: str) -> str:
    person = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
    return f"/password/reset/{reset_token(person)}"


# --- a panel that disagrees (tests/uncertainty_setup.py): the ranking's uncertainty, the
# discussion list with its note forms, and a note on the nomination's review page


def disagreement_pages() -> tuple[dict[str, list[tuple[str, str]]], int]:
    """Build a panel whose prize boundary is not robust, with a chair's note on Ada; return
    the pages to open by reviewer e-mail, and the category's id."""
    from nominations.workflow.disagreement import save_note
    from tests.uncertainty_setup import FRAGILE, panel

    world = panel(FRAGILE)
    ada = world.nominations["Ada"]
    save_note(ada, "Resolved at the meeting: Hanna had read an old CV.", actor=world.chair)
    db.session.commit()
    category_id = world.category.id
    chair_pages = [
        ("review.ranking", f"/review/categories/{category_id}/ranking"),
        ("review.discussion", f"/review/categories/{category_id}/discussion"),
    ]
    member_pages = [("review.nomination", f"/review/nominations/{ada.id}")]
    return {"mia@example.org": chair_pages, "hanna@example.org": member_pages}, category_id


# --- empty: a fresh installation ------------------------------------------------------------------

# Pages that are only a form look the same with or without data: audited in the other states.
FORM_ONLY = {
    "auth.login",
    "auth.forgot_password",
    "admin.new_round",
    "admin.new_user",
    "admin.staff_import",
    "admin.publications_import",
}
# The accounts of a fresh installation, and the access table's column each one reads.
EMPTY_PEOPLE = {
    "anonymous": (None, "anonymous"),
    "staff": ("staff@example.org", "staff"),
    "reviewer": ("reviewer@example.org", "outsider"),  # a reviewer on no panel yet
    "admin": ("admin@example.org", "admin"),
}


def empty_people() -> None:
    factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    factories.user("staff@example.org", "Sam Staff")
    factories.user("reviewer@example.org", "Rita Reviewer", roles=("staff", "reviewer"))


def empty_pages(app: Flask, column: str) -> list[tuple[str, str]]:
    """The routes without URL parameters that answer ``column`` with a page."""
    pages = []
    for rule in app.url_map.iter_rules():
        entry = ACCESS.get(rule.endpoint)
        if entry is None or entry.GET is None or rule.arguments or rule.endpoint in FORM_ONLY:
            continue
        if entry.GET[ROLES.index(column)] == 200:
            pages.append((rule.endpoint, rule.rule))
    return sorted(pages)


def empty_round_pages(app: Flask, round_id: int) -> list[tuple[str, str]]:
    """An admin's pages of a round that has nothing in it yet (GET-only, by round)."""
    pages = []
    for rule in app.url_map.iter_rules():
        entry = ACCESS.get(rule.endpoint)
        if entry is None or entry.GET is None or entry.POST is not None:
            continue
        public = entry.GET[ROLES.index("anonymous")] == 200  # the round's results: not yet
        if rule.arguments == {"round_id"} and entry.GET[ROLES.index("admin")] == 200 and not public:
            url = app.url_map.bind("localhost").build(rule.endpoint, {"round_id": round_id})
            pages.append((f"{rule.endpoint} empty-round", url))
    return sorted(pages)


# --- with errors: each form, sent from the browser --------------------------------------------

STAFF_FILE_HEADER = "Name;E-mail;Department;Role\n"
BAD_STAFF_FILE = (
    STAFF_FILE_HEADER + "Per Hansen;per@example.org;New Dept;\n;nobody@example.org;New Dept;\n"
    "Ola;not-an-address;New Dept;boss\n"
).encode()
GOOD_STAFF_FILE = (
    STAFF_FILE_HEADER + "Per Hansen;per@example.org;Department of Cancer Genetics;\n"
    "Sam Staff;staff@example.org;Department of Cancer Genetics;staff, reviewer\n"
).encode()


def staff_file(content: bytes) -> dict[str, tuple[str, str, bytes]]:
    return {"HR export (CSV or XLSX)": ("hr.csv", "text/csv", content)}


# A publication list with an entry left out (no year): its preview lists both kinds.
PUBLICATION_FILE = b"Title,Year,DOI\nA paper written together,2025,10.1000/a11y\nNo year,,\n"
PUBLICATION_PERSON = {"The person's e-mail address": "reviewer@example.org"}


def publication_file(content: bytes) -> dict[str, tuple[str, str, bytes]]:
    return {"Publication list (CSV, BibTeX or RIS)": ("list.csv", "text/csv", content)}


# (route, role, URL parameters (the world's objects), what to send): every page of the access
# table with a form a person fills in; the fields are emptied, ``values`` by label are typed.
FORMS: list[tuple[str, str, dict[str, str], dict]] = [
    ("auth.login", "anonymous", {}, {}),
    ("auth.forgot_password", "anonymous", {}, {}),
    ("review.nomination", "chair", {"nomination_id": "other"}, {"button": "Submit review"}),
    ("review.declare", "reviewer", {"nomination_id": "target"}, {}),
    ("review.decisions", "chair", {}, {"button": "Award the prize"}),
    ("admin.new_round", "admin", {}, {}),
    ("admin.edit_round", "admin", {}, {"values": {"Year": "1999"}}),
    ("admin.new_category", "admin", {}, {}),
    ("admin.edit_category", "admin", {}, {"values": {"Prize amount": "-5"}}),
    ("admin.new_reminder", "admin", {}, {}),
    ("admin.new_user", "admin", {}, {"values": {"E-mail": "not an address"}}),
    ("admin.edit_user", "admin", {}, {}),
    ("admin.departments", "admin", {}, {}),
    ("admin.edit_department", "admin", {}, {}),
    ("admin.staff_import", "admin", {}, {}),
    ("admin.publications_import", "admin", {}, {}),
    ("admin.nomination_detail", "admin", {"nomination_id": "open_nomination"}, {}),
    ("nominate.referees", "nominator", {"nomination_id": "open_nomination"}, {}),
    ("admin.new_panel", "admin", {}, {}),
    ("admin.panel_detail", "admin", {}, {"button": "Save panel"}),
    ("admin.rubric", "admin", {"category_id": "open_category"}, {}),
    ("admin.edit_criterion", "admin", {}, {"values": {"Weight": "-1"}}),
    ("admin.questions", "admin", {"category_id": "open_category"}, {}),
    ("admin.edit_question", "admin", {}, {}),
    # The e-mail text editor with a placeholder the kind does not know (and emptied fields).
    ("admin.edit_email_text", "admin", {}, {"button": "Save"}),
    # (Not admin.privacy_notice: nothing a browser can type there is refused; an empty
    # notice shows the other language or the built-in text, and the length is capped by the
    # textarea's maxlength. Its page is audited with the data.)
]


def form_url(app: Flask, ids: dict[str, int], route: str, params: dict[str, str]) -> str:
    return table_url(app, ids, route, Access(params=params))


def audit_table_pages(browser, live_server, module: str, roles: tuple[str, ...]) -> Audit:
    """Every page of the access table that answers each of ``roles``, in the access world,
    each person signed in once (the audit of a module that checks those roles alone)."""

    def steps(audit: Audit) -> None:
        with live_server.app_context():
            world = build_world()
        for role in roles:
            pages = table_pages(live_server.app, world.ids, role)
            audit.pages(audit.person(role), role, "data", pages)

    return run_audit(browser, live_server, module, steps)
