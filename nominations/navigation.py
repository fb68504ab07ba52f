"""The main navigation, by role. An entry shows only when its endpoint exists and the
visitor holds the role (None: everyone). The administrators' pages share one "Admin" menu,
so that the bar fits on one line on a laptop (1280 px) whatever roles a person holds."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_login import current_user

ADMIN_MENU = "Admin"

# (endpoint, label, role, menu): entries with a menu are listed in that menu, in this order.
NAV: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("calls.index", "Open calls", None, None),
    ("nominate.mine", "My nominations", "staff", None),
    ("review.index", "Review", "reviewer", None),
    ("results.history", "Winners", None, None),
    ("exports.index", "Exports", "reviewer", None),
    ("admin.rounds", "Rounds", "admin", ADMIN_MENU),
    ("admin.nominations", "Nominations", "admin", ADMIN_MENU),
    ("admin.users", "Users", "admin", ADMIN_MENU),
    ("admin.departments", "Departments", "admin", ADMIN_MENU),
    ("admin.outbox", "Outbox", "admin", ADMIN_MENU),
    ("admin.scheduling", "Scheduler", "admin", ADMIN_MENU),
    ("admin.audit", "Audit log", "admin", ADMIN_MENU),
)


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: str
    current: bool  # the page shown is this one (aria-current="page")


@dataclass(frozen=True)
class NavMenu:
    label: str
    links: tuple[NavLink, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _visible(endpoint: str, role: str | None) -> bool:
    if endpoint not in current_app.view_functions:
        return False
    return role is None or (current_user.is_authenticated and current_user.has_role(role))


def nav_items() -> list[NavLink | NavMenu]:
    """The bar's entries in order: links, and a menu where its first link would stand."""
    items: list[NavLink | NavMenu] = []
    menus: dict[str, list[NavLink]] = {}
    for endpoint, label, role, menu in NAV:
        if not _visible(endpoint, role):
            continue
        link = NavLink(endpoint, label, request.endpoint == endpoint)
        if menu is None:
            items.append(link)
        elif menu in menus:
            menus[menu].append(link)
        else:
            menus[menu] = [link]
            items.append(NavMenu(menu, ()))  # a placeholder, filled below
    return [
        NavMenu(item.label, tuple(menus[item.label])) if isinstance(item, NavMenu) else item
        for item in items
    ]
