"""The main navigation, by role. An entry shows only when its endpoint exists and the
visitor holds the role (None: everyone)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

NAV: tuple[tuple[str, str, str | None], ...] = (
    ("calls.index", "Open calls", None),
    ("nominate.mine", "My nominations", "staff"),
    ("review.index", "Review", "reviewer"),
    ("results.history", "Winners", None),
    ("exports.index", "Exports", "reviewer"),
    ("admin.rounds", "Rounds", "admin"),
    ("admin.nominations", "Nominations", "admin"),
    ("admin.users", "Users", "admin"),
    ("admin.departments", "Departments", "admin"),
    ("admin.outbox", "Outbox", "admin"),
    ("admin.scheduling", "Scheduler", "admin"),
    ("admin.audit", "Audit log", "admin"),
)


def nav_links() -> list[tuple[str, str, str | None]]:
    endpoints = current_app.view_functions
    links = []
    for endpoint, label, role in NAV:
        if endpoint not in endpoints:
            continue
        if role is not None and not (current_user.is_authenticated and current_user.has_role(role)):
            continue
        links.append((endpoint, label, role))
    return links
