"""Who may open what: the expected answer of every route to every role.

tests/test_route_access.py walks every rule of ``app.url_map`` with every role of
``tests.access_world.ROLES`` and compares each answer with this table. A route without an
entry fails that test with its endpoint's name: add one line here when you add a route.

An entry is ``Access(GET=..., POST=...)`` with one expectation per role, in the order of
ROLES::

    anonymous, nominator, staff, reviewer, outsider, conflicted, chair, other_chair, admin

An expectation is
- a status code (200, 302 (a redirect that is not the sign-in page), 403, 404, ...);
- ``LOGIN``: a redirect to the sign-in page;
- ``KEPT`` (401): the nomination form sent without a sign-in: the typed text is shown again
  with a link to sign in (nominations/nominate/kept.py), nothing is stored;
- ``OK``: allowed, whatever the form made of the minimal body we send (a page with the form's
  errors or a redirect after the change): any answer below 400 but the sign-in page;
- a frozenset of acceptable codes;
- ``ASKED``: the page that asks before an action that cannot be undone
  (nominations/confirming.py): 200, and like a refusal it changes nothing. The bodies below
  carry no ``confirmed``, so whoever may do the thing is asked; whoever may not is refused
  first.

Every refusal (LOGIN, 403, 404, ...) must leave the database and the uploads as they were.

URL parameters are filled from the world (tests/access_world.py) by their name (``PARAMS``);
``Access(params={"round_id": "published_round"})`` picks another object for one entry.
A POST is sent with a valid CSRF token and the body of ``BODIES`` (only the token when it has
none). ``VARIANTS`` check the same endpoints on other objects (a draft, another nomination's
document, an unpublished round).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tests.access_world import ROLES, AccessWorld

LOGIN = "login"
OK = "ok"
KEPT = 401
ASKED = "asked"

Expected = int | str | frozenset
Row = tuple[Expected, ...]


@dataclass(frozen=True)
class Access:
    GET: Row | None = None
    POST: Row | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    # The policy rule (nominations/policy.py RULES) that decides who gets in; None for pages
    # that every visitor (or every signed-in user) sees.
    rule: str | None = None

    def expected(self, method: str) -> Row | None:
        return getattr(self, method, None)


#                    anonymous nominator staff reviewer outsider conflicted chair other_chair admin
PUBLIC: Row = (200, 200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN: Row = (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200)
ADMIN_PAGE: Row = (LOGIN, 403, 403, 403, 403, 403, 403, 403, 200)
ADMIN_POST: Row = (LOGIN, 403, 403, 403, 403, 403, 403, 403, OK)
ADMIN_ASKS: Row = (*ADMIN_POST[:-1], ASKED)
# An action that asks first, which the world's state refuses even to an admin (a message on
# the page it came from): refused, not asked.
ADMIN_STATE_REFUSES: Row = (*ADMIN_POST[:-1], 302)
# Signed in, then sent on (302): the sign-in page, a closed call's form.
REDIRECTED: Row = (LOGIN, 302, 302, 302, 302, 302, 302, 302, 302)
# The chair of the panel covering the category (once the call has closed) and admins.
CHAIR_PAGE: Row = (LOGIN, 403, 403, 403, 403, 403, 200, 403, 200)
CHAIR_POST: Row = (LOGIN, 403, 403, 403, 403, 403, OK, 403, OK)
CHAIR_ASKS: Row = (LOGIN, 403, 403, 403, 403, 403, ASKED, 403, ASKED)
# Round overviews: any chair of the round (each sees the categories their panel covers).
ROUND_PAGE: Row = (LOGIN, 403, 403, 403, 403, 403, 200, 200, 200)
# The nomination (and its documents): its nominator, the panel but the conflicted, admins.
NOMINATION_PAGE: Row = (LOGIN, 200, 404, 200, 404, 404, 200, 404, 200)
# A draft: its nominator and admins only.
DRAFT_PAGE: Row = (LOGIN, 200, 404, 404, 404, 404, 404, 404, 200)
# Changes to a nomination: its nominator only (everyone else: there is no such nomination).
NOMINATOR_POST: Row = (KEPT, 200, 404, 404, 404, 404, 404, 404, 404)
# The review pages: reviewers and admins, then the panel rule.
NOT_REVIEWERS: Row = (LOGIN, 403, 403)
HEALTH = frozenset({200, 503})  # 503 while the schema is not at the migrations' head

# Not walked: static files, the same for everybody and holding no data.
SKIPPED = {
    "static": "the app's own CSS, JavaScript and images: public files, no data",
    "bootstrap.static": "Bootstrap-Flask's local copy of Bootstrap: public files, no data",
}

# URL parameter -> the world's object (tests/access_world.py, AccessWorld.ids).
PARAMS = {
    "round_id": "round",
    "category_id": "category",
    "nomination_id": "target",
    "attachment_id": "target_cv",
    "panel_id": "panel",
    "member_id": "member",
    "criterion_id": "criterion",
    "question_id": "question",
    "user_id": "staff_user",
    "department_id": "department",
    "decision_id": "decision",
    "conflict_id": "conflict",
    "rule_id": "reminder_rule",
    "message_id": "outbox_message",
    "referee_id": "target_referee",
    "reviewer_id": "reviewer",
    "holder_id": "publication_holder",
}
# URL parameters that are not objects.
VALUES = {
    "fmt": "csv",
    "token": "not-a-reset-token",
    "kind": "call_opened",
    "language": "nb",
    "email": "tora@example.org",
}

# fmt: off
ACCESS: dict[str, Access] = {
    # --- public pages and feeds
    "public.index": Access(GET=PUBLIC),
    "public.healthz": Access(GET=(HEALTH,) * len(ROLES)),
    "public.calls_json": Access(GET=PUBLIC),
    "public.privacy": Access(GET=PUBLIC),
    # The language switch: open to anyone; posted without a language, refused alike for all
    # (tests/test_languages.py chooses one).
    "public.choose": Access(POST=(400,) * len(ROLES)),
    "calls.index": Access(GET=PUBLIC),
    "results.history": Access(GET=PUBLIC),
    "results.calls_ics": Access(GET=PUBLIC),
    "results.results_atom": Access(GET=PUBLIC),
    "results.round_results": Access(GET=PUBLIC, params={"round_id": "published_round"}),
    # --- signing in and out (signed in: sent on to the home page)
    "auth.login": Access(GET=(200, *REDIRECTED[1:]), POST=(200, *REDIRECTED[1:])),
    "auth.logout": Access(POST=REDIRECTED),
    # Without OIDC_ISSUER (as here) the OpenID Connect routes send everyone to the sign-in page;
    # tests/test_oidc.py walks them against a real provider.
    "auth.oidc_login": Access(GET=(LOGIN,) * len(ROLES)),
    "auth.oidc_callback": Access(GET=(LOGIN,) * len(ROLES)),
    "auth.oidc_refused": Access(GET=(LOGIN,) * len(ROLES)),
    "auth.forgot_password": Access(GET=PUBLIC, POST=PUBLIC),
    # A link that is not a valid reset token: gone, for everyone (tests/test_password_reset.py).
    "auth.reset_password": Access(GET=(410,) * len(ROLES), POST=(410,) * len(ROLES)),
    # --- nominating (the world's call has closed: the calls page, or the form with the reason)
    "nominate.new": Access(GET=REDIRECTED, POST=(KEPT,) + SIGNED_IN[1:], rule="nomination.create"),  # noqa: E501
    "nominate.edit": Access(GET=NOMINATION_PAGE, POST=NOMINATOR_POST, rule="nomination.edit"),
    # The world's call has closed: its nominator is refused (not asked) too.
    "nominate.withdraw_nomination": Access(POST=(LOGIN, 302, 404, 404, 404, 404, 404, 404, 404), rule="nomination.edit"),  # noqa: E501
    "nominate.mine": Access(GET=SIGNED_IN, rule="nomination.create"),
    "nominate.again": Access(POST=(LOGIN, 302, 404, 404, 404, 404, 404, 404, 404), rule="nomination.edit"),  # noqa: E501
    "nominate.attachment": Access(GET=NOMINATION_PAGE, rule="nomination.download"),
    # Referees: the nominator names and removes them; the world's target is decided already, so
    # its nominator is refused (not asked). The letters are for the panel but the conflicted,
    # and admins, never the nominator (tests/test_referees.py).
    "nominate.referees": Access(GET=(LOGIN, 200, 404, 404, 404, 404, 404, 404, 404), POST=(LOGIN, OK, 404, 404, 404, 404, 404, 404, 404), rule="nomination.edit"),  # noqa: E501
    "nominate.remove_referee": Access(POST=(LOGIN, 302, 404, 404, 404, 404, 404, 404, 404), rule="nomination.edit"),  # noqa: E501
    "review.referee_letter": Access(GET=(*NOT_REVIEWERS, 200, 404, 404, 200, 404, 200), rule="referee_letter.read"),  # noqa: E501
    # The referee's page by a link that is not a referee's: the same 404 for everyone.
    "referee.letter": Access(GET=(404,) * len(ROLES), POST=(404,) * len(ROLES)),
    # --- the review panel (reviewers and admins; then the panel rule)
    "review.index": Access(GET=(*NOT_REVIEWERS, 200, 200, 200, 200, 200, 200), rule="review.area"),
    "review.category": Access(GET=(*NOT_REVIEWERS, 200, 404, 200, 200, 404, 404), rule="review.category"),  # noqa: E501
    "review.nomination": Access(GET=(*NOT_REVIEWERS, 200, 404, 404, 200, 404, 200), POST=(*NOT_REVIEWERS, OK, 404, 404, OK, 404, 403), rule="review.read"),  # noqa: E501
    "review.declare": Access(GET=(*NOT_REVIEWERS, 200, 404, 404, 200, 404, 404), POST=(*NOT_REVIEWERS, ASKED, 404, 404, ASKED, 404, 404), rule="conflict.declare"),  # noqa: E501
    "review.conflicts": Access(GET=ROUND_PAGE, rule="progress.view"),
    "review.clear": Access(POST=CHAIR_POST, rule="conflict.clear"),
    "review.coauthors": Access(GET=ROUND_PAGE, rule="coauthor.view"),
    "review.decide_coauthor": Access(POST=CHAIR_POST, rule="coauthor.decide"),
    "review.ranking": Access(GET=CHAIR_PAGE, rule="ranking.view"),
    "review.charts": Access(GET=CHAIR_PAGE, rule="ranking.view"),
    "review.discussion": Access(GET=CHAIR_PAGE, rule="ranking.view"),
    "review.discussion_note": Access(POST=CHAIR_POST, rule="discussion.note"),
    "review.progress": Access(GET=ROUND_PAGE, rule="progress.view"),
    "review.decisions": Access(GET=CHAIR_PAGE, POST=CHAIR_POST, rule="decision.record"),
    "review.citation": Access(POST=CHAIR_POST, rule="decision.record"),
    "review.revoke": Access(POST=CHAIR_ASKS, rule="decision.record"),
    "review.round_summary": Access(GET=ROUND_PAGE, rule="progress.view"),
    # Marking the round decided acts on every category: admins, and a chair whose panels cover
    # them all (the world's chairs each cover one category).
    "review.complete": Access(POST=ADMIN_POST, rule="round.complete"),
    # --- exports: admins, and a chair of the round once the call has closed (the rows and
    #     files: what they may see, nothing of another panel's category)
    "exports.index": Access(GET=SIGNED_IN),
    "exports.category_ranking": Access(GET=CHAIR_PAGE, rule="ranking.view"),
    "exports.round_nominations": Access(GET=ROUND_PAGE, rule="progress.view"),
    "exports.round_spreadsheet": Access(GET=ROUND_PAGE, rule="progress.view"),
    "exports.category_spreadsheet": Access(GET=CHAIR_PAGE, rule="ranking.view"),
    "exports.category_attachments": Access(GET=CHAIR_PAGE, rule="ranking.view"),
    "exports.nomination_attachments": Access(GET=(LOGIN, 403, 403, 403, 403, 403, 200, 404, 200), rule="nomination.view"),  # noqa: E501
    # --- administration
    "admin.index": Access(GET=(*ADMIN_PAGE[:-1], 302), rule="admin.area"),
    "admin.rounds": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.new_reminder": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="reminder.manage"),
    "admin.enable_reminder": Access(POST=ADMIN_POST, rule="reminder.manage"),
    "admin.disable_reminder": Access(POST=ADMIN_POST, rule="reminder.manage"),
    "admin.delete_reminder": Access(POST=ADMIN_ASKS, rule="reminder.manage"),
    "admin.outbox": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.outbox_send_again": Access(POST=ADMIN_POST, rule="outbox.manage"),
    "admin.email_texts": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.edit_email_text": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="email_text.manage"),
    "admin.reset_email_text": Access(POST=ADMIN_POST, rule="email_text.manage"),
    "admin.outcomes": Access(GET=ADMIN_PAGE, rule="admin.area"),
    # The world's round is not published: refused with a message on the outcomes page.
    "admin.send_round_outcomes": Access(POST=ADMIN_STATE_REFUSES, rule="outcomes.send"),
    "admin.scheduling": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.new_round": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    "admin.round_detail": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.edit_round": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    "admin.open_round": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    "admin.new_category": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    "admin.edit_category": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    # The world's round is not decided yet.
    "admin.publish_results": Access(POST=ADMIN_STATE_REFUSES, rule="results.publish"),
    "admin.clone_round": Access(POST=ADMIN_ASKS, rule="round.clone"),
    "admin.users": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.new_user": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="user.manage"),
    "admin.edit_user": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="user.manage"),
    "admin.deactivate_account": Access(POST=ADMIN_ASKS, rule="user.manage"),
    # The world's staff user is active.
    "admin.reactivate_account": Access(POST=ADMIN_STATE_REFUSES, rule="user.manage"),
    "admin.departments": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="department.manage"),
    "admin.edit_department": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="department.manage"),
    "admin.merge_department": Access(POST=ADMIN_POST, rule="department.manage"),
    "admin.department_active": Access(POST=ADMIN_POST, rule="department.manage"),
    "admin.staff_import": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="staff.import"),
    "admin.confirm_staff_import": Access(POST=ADMIN_POST, rule="staff.import"),
    "admin.publications_import": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="publication.import"),  # noqa: E501
    "admin.confirm_publications_import": Access(POST=ADMIN_POST, rule="publication.import"),
    "admin.publications_held": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.remove_publication": Access(POST=ADMIN_ASKS, rule="publication.remove"),
    "admin.nominations": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.nomination_detail": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.nomination_ineligible": Access(POST=ADMIN_POST, rule="nomination.manage"),
    "admin.new_panel": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="panel.manage"),
    "admin.panel_detail": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.edit_panel": Access(POST=ADMIN_POST, rule="panel.manage"),
    "admin.delete_panel_view": Access(POST=ADMIN_ASKS, rule="panel.manage"),
    "admin.add_panel_member": Access(POST=ADMIN_POST, rule="panel.manage"),
    "admin.remove_panel_member": Access(POST=ADMIN_ASKS, rule="panel.manage"),
    "admin.make_panel_chair": Access(POST=ADMIN_POST, rule="panel.manage"),
    "admin.rubric": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="panel.manage"),
    "admin.edit_criterion": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="panel.manage"),
    # The world's rubric has reviews (locked).
    "admin.delete_criterion_view": Access(POST=ADMIN_STATE_REFUSES, rule="panel.manage"),
    "admin.questions": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    "admin.edit_question": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="round.manage"),
    "admin.move_question_view": Access(POST=ADMIN_POST, rule="round.manage"),
    # The world's question has an answer of a submitted nomination (it cannot be removed).
    "admin.delete_question_view": Access(POST=ADMIN_STATE_REFUSES, rule="round.manage"),
    "admin.audit": Access(GET=ADMIN_PAGE, rule="admin.area"),
    # A person's data (nominations/admin/people.py): the world's nominee Tora Target (VALUES).
    "admin.people": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.person": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.export_person_data": Access(POST=ADMIN_POST, rule="person.export"),
    "admin.erase_person_data": Access(GET=ADMIN_PAGE, POST=ADMIN_ASKS, rule="person.erase"),
    "admin.charts": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.round_retention": Access(GET=ADMIN_PAGE, rule="admin.area"),
    "admin.privacy_notice": Access(GET=ADMIN_PAGE, POST=ADMIN_POST, rule="privacy.manage"),
}

# The same endpoints on other objects: "<endpoint> <what>".
VARIANTS: dict[str, Access] = {
    "results.round_results unpublished": Access(GET=(404,) * len(ROLES), params={"round_id": "round"}),  # noqa: E501
    "nominate.edit draft": Access(GET=DRAFT_PAGE, POST=NOMINATOR_POST, params={"nomination_id": "draft"}),  # noqa: E501
    "nominate.attachment draft": Access(GET=DRAFT_PAGE, params={"nomination_id": "draft", "attachment_id": "draft_cv"}),  # noqa: E501
    "nominate.attachment of-another-nomination": Access(GET=(LOGIN,) + (404,) * 8, params={"attachment_id": "draft_cv"}),  # noqa: E501
    "nominate.edit second-category": Access(GET=(LOGIN, 200, 404, 404, 200, 404, 404, 200, 200), params={"nomination_id": "early"}),  # noqa: E501
    "review.nomination other": Access(GET=(*NOT_REVIEWERS, 200, 404, 200, 200, 404, 200), params={"nomination_id": "other"}),  # noqa: E501
    "review.nomination second-category": Access(GET=(*NOT_REVIEWERS, 404, 200, 404, 404, 200, 200), params={"nomination_id": "early"}),  # noqa: E501
    "review.nomination draft": Access(GET=(*NOT_REVIEWERS, 404, 404, 404, 404, 404, 200), POST=(*NOT_REVIEWERS, 404, 404, 404, 404, 404, 403), params={"nomination_id": "draft"}),  # noqa: E501
    "review.declare draft": Access(GET=(*NOT_REVIEWERS, 404, 404, 404, 404, 404, 404), params={"nomination_id": "draft"}),  # noqa: E501
    "review.category second": Access(GET=(*NOT_REVIEWERS, 404, 200, 404, 404, 200, 404), params={"category_id": "second_category"}),  # noqa: E501
    "review.ranking second": Access(GET=(LOGIN, 403, 403, 403, 403, 403, 403, 200, 200), params={"category_id": "second_category"}),  # noqa: E501
    "exports.nomination_attachments draft": Access(GET=(LOGIN, 403, 403, 403, 403, 403, 404, 404, 404), params={"nomination_id": "draft"}),  # noqa: E501
    "admin.outcomes published": Access(GET=ADMIN_PAGE, params={"round_id": "published_round"}),
    "exports.category_spreadsheet last-year": Access(GET=ADMIN_PAGE, params={"category_id": "published_category"}),  # noqa: E501
}
# fmt: on


def _review_body(world: AccessWorld) -> dict:
    return {
        **{f"score_{criterion}": "5" for criterion in world.criteria},
        "comment": "A strong case.",
        "recommendation": "support",
        "save_draft": "Save draft",
    }


def _nomination_body(world: AccessWorld) -> dict:
    return {
        "nominee_name": "Nora Nominee",
        "nominee_email": "nora@example.org",
        "nominee_position": "Postdoctoral fellow",
        "statement": "Nora built the platform three groups rely on.",
        "save_draft": "Save draft",
    }


# A realistic body for the POSTs where a missing check would let a refused role change
# something; the others get the CSRF token only (a form with errors, or a plain action).
BODIES: dict[str, Callable[[AccessWorld], dict]] = {
    "nominate.new": _nomination_body,
    "nominate.edit": _nomination_body,
    "review.nomination": _review_body,
    "review.declare": lambda w: {"kind": "collaborator", "reason": "We wrote a paper together."},
    "review.clear": lambda w: {"reason": "Not a real conflict."},
    "review.decide_coauthor": lambda w: {"reason": "Not co-authors.", "dismiss": "1"},
    "review.decisions": lambda w: {"nomination_id": str(w.ids["other"]), "citation": "Great."},
    "review.citation": lambda w: {f"d{w.ids['decision']}-citation": "A better citation."},
    "admin.nomination_ineligible": lambda w: {"reason": "Not employed here."},
    "admin.edit_user": lambda w: {"name": "Sam Staff", "is_staff": "y", "is_admin": "y"},
}
