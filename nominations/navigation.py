"""The main navigation, by role. An entry shows only when its endpoint exists and the
visitor holds the role (None: everyone). The administrators' pages share one "Admin" menu,
so that the bar fits on one line on a laptop (1280 px) whatever roles a person holds."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ADMIN_MENU = _l("Admin")

# (endpoint, label, role, menu): entries with a menu are listed in that menu, in this order.
# Labels are lazy: each is written in the reader's language when the bar is drawn.
NAV: tuple[tuple[str, object, str | None, object | None], ...] = (
    ("calls.index", _l("Open calls"), None, None),
    ("nominate.mine", _l("My nominations"), "staff", None),
    ("review.index", _l("Review"), "reviewer", None),
    ("results.history", _l("Winners"), None, None),
    ("exports.index", _l("Exports"), "reviewer", None),
    ("admin.rounds", _l("Rounds"), "admin", ADMIN_MENU),
    ("admin.nominations", _l("Nominations"), "admin", ADMIN_MENU),
    ("admin.users", _l("Users"), "admin", ADMIN_MENU),
    ("admin.people", _l("Personal data"), "admin", ADMIN_MENU),
    ("admin.departments", _l("Departments"), "admin", ADMIN_MENU),
    ("admin.outbox", _l("Outbox"), "admin", ADMIN_MENU),
    ("admin.email_texts", _l("E-mail texts"), "admin", ADMIN_MENU),
    ("admin.scheduling", _l("Scheduler"), "admin", ADMIN_MENU),
    ("admin.audit", _l("Audit log"), "admin", ADMIN_MENU),
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
        link = NavLink(endpoint, str(label), request.endpoint == endpoint)
        menu = str(menu) if menu is not None else None
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
