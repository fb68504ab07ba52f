"""Role checks for views, as policy rules (nominations/policy.py): anonymous visitors go to
the sign-in page, others without the role get 403."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from nominations.policy import requires

# The roles a view may ask for, and the policy rule that decides each set.
ROLE_RULES = {
    ("admin",): "admin.area",
    ("reviewer", "admin"): "review.area",
    ("staff",): "nomination.create",
}


def role_required(*roles: str) -> Callable:
    """The policy rule of ``roles`` (:data:`ROLE_RULES`) as a view decorator."""
    return requires(ROLE_RULES[roles])


def safe_next(target: str | None) -> str | None:
    """``target`` if it stays on this site (a path), else None: no open redirects."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
