"""Who may see what. Every view and export asks here; nothing else decides visibility."""

from __future__ import annotations

from nominations.models import Nomination, User


def can_view_nomination(user: User, nomination: Nomination) -> bool:
    """Admins see every nomination; a nominator sees their own."""
    if not user.is_authenticated:
        return False
    return bool(user.is_admin or nomination.nominator_id == user.id)


def can_edit_nomination(user: User, nomination: Nomination) -> bool:
    """Only the nominator edits a nomination (the workflow checks the deadline and status)."""
    return user.is_authenticated and nomination.nominator_id == user.id
