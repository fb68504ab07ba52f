"""Who holds the personal data and whom to ask about it, from the configuration: the privacy
page, the notice e-mail to nominees and its editable text all say the same."""

from __future__ import annotations

from flask import current_app

from nominations.languages import site_name


def controller() -> str:
    """Who holds the data: PRIVACY_CONTROLLER, else the site's name (reader's language)."""
    return current_app.config.get("PRIVACY_CONTROLLER") or site_name()


def contact() -> str:
    """The address for questions about personal data (the data protection officer), or ""."""
    return current_app.config.get("PRIVACY_CONTACT") or ""
