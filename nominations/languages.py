"""Norwegian (bokmål) and English: who reads which, and texts entered in both.

Every visible text goes through Flask-Babel (``gettext``/``_`` in Python, ``{{ _('...') }}`` or
``{% trans %}`` in templates). The language of a request is, in this order: the signed-in
person's choice (``users.locale``, set by the switch in the header), the choice an anonymous
visitor made with the same switch (the session), the best match of the browser's
Accept-Language, the institute's default (``DEFAULT_LANGUAGE``, ``nb``).

E-mails are written in the recipient's language: ``in_language(recipient_language(user))``
around the rendering.

Content administrators type (round, category and criterion names, descriptions, eligibility,
guidance) has an English column and a bokmål column (``*_nb``); ``localized(obj, field)``
shows the reader's language and falls back to the other when one is empty.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from babel import Locale
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_login import current_user

# The languages a person can choose, in the order the switch offers them, with their own names.
LANGUAGES: dict[str, str] = {"nb": "Norsk (bokmål)", "en": "English"}
SESSION_KEY = "language"
# Browsers that ask for Norwegian ("no") or nynorsk ("nn") read bokmål best of the two.
NORWEGIAN_ALIASES = {"no": "nb", "nn": "nb"}

babel = Babel()


def default_language() -> str:
    return current_app.config["DEFAULT_LANGUAGE"]


def select_language() -> str:
    """The language of this request (Flask-Babel's locale selector)."""
    if not has_request_context():
        return default_language()
    chosen = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    chosen = chosen or session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return browser_language() or default_language()


def browser_language() -> str | None:
    """The first language of Accept-Language (by quality) we have, by its primary subtag:
    "nb-NO", "no" and "nn" read bokmål, "en-GB" and "en-US" English."""
    for tag, _quality in request.accept_languages:  # already ordered by quality
        primary = tag.replace("_", "-").split("-", 1)[0].lower()
        primary = NORWEGIAN_ALIASES.get(primary, primary)
        if primary in LANGUAGES:
            return primary
    return None


def current_language() -> str:
    """'nb' or 'en': the language texts are shown in now (request, or ``in_language``)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def recipient_language(user: object | None) -> str:
    """The language to write to this person in: their choice, else the institute's default."""
    chosen = getattr(user, "locale", None)
    return chosen if chosen in LANGUAGES else default_language()


def in_language(language: str | None) -> AbstractContextManager:
    """Render texts (an e-mail) in ``language``, whatever the current request's language."""
    return force_locale(language if language in LANGUAGES else default_language())


def formatting_locale() -> Locale:
    """The Babel locale numbers and dates are written by: British English for English (day
    before month, a 24-hour clock, as the institute writes), bokmål for Norwegian."""
    return Locale.parse("nb_NO" if current_language() == "nb" else "en_GB")


def localized(obj: object, field: str) -> str:
    """An administrator's text in the reader's language: ``field`` holds the English text,
    ``field_nb`` the bokmål; when the reader's one is empty, the other is shown."""
    english = getattr(obj, field, "") or ""
    bokmal = getattr(obj, f"{field}_nb", "") or ""
    if current_language() == "nb":
        return bokmal or english
    return english or bokmal


def site_name() -> str:
    """The site's name in the reader's language (SITE_NAME, SITE_NAME_NB)."""
    config = current_app.config
    if current_language() == "nb":
        return config.get("SITE_NAME_NB") or config["SITE_NAME"]
    return config["SITE_NAME"]


def request_translations():
    """Flask-Babel's ``get_translations()``, looked up once per request and locale: its own
    lookup goes through several context look-ups and a locale-to-string on every call, some
    25 µs, and a page calls it dozens of times. Kept beside the locale it was found for, so
    ``in_language`` (which sets another locale for a while) gets its own (issue 16)."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    kept = g.get("_kept_translations")
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    g._kept_translations = (locale, translations)
    return translations


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_language, timezone_selector=_timezone)
    # The templates' _, gettext and ngettext as Flask-Babel installs them (new style: the
    # same escaping and %-formatting), through the translations looked up once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )

    @app.after_request
    def _vary_by_language(response: Response) -> Response:
        # Every page and feed is written in the reader's language: a shared cache keeps one
        # copy per Accept-Language (a choice in the session already adds Vary: Cookie).
        if "Vary" in response.headers:
            response.vary.add("Accept-Language")
        else:  # the usual case, without parsing a header that is not there
            response.headers["Vary"] = "Accept-Language"
        return response

    @app.context_processor
    def _languages() -> dict:
        return {
            "languages": LANGUAGES,
            "current_language": current_language,
            "site_name": site_name(),
        }


def _timezone() -> str:
    return current_app.config["TIMEZONE"]
