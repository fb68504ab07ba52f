"""E-mail texts the administrators own: the registry of kinds and the sandboxed rendering.

Each kind of e-mail the system sends is one ``Kind`` in ``KINDS`` (entries in
``mail/text_kinds.py``): its key (the name of its default templates, ``emails/<key>.txt`` and
``.html``), a title, the placeholders an administrator may use (name, description, sample value)
and how the placeholders' values are taken from what the sending code passes to the templates.

Without an edited text (no ``EmailText`` row for the kind and language) a message is rendered
from the default templates exactly as before. An edited text is a template for Jinja's
``ImmutableSandboxedEnvironment``: it sees the kind's placeholders as plain strings and numbers,
nothing of the application; it is parsed and tried with the sample values when it is saved, so
an unknown placeholder, a syntax error or an attempt at the sandbox is refused then, never met
while sending. A placeholder may be required (a referee's personal link): a message without
it is refused when saved, and the standard text is sent if real values make it lose it. The
administrators write the plain text; the HTML part is derived from it (escaped, blank lines
make paragraphs, web addresses become links) inside the usual HTML layout, and both end with
the usual footer.

Password reset and the test message stay fixed (``FIXED``): a reset message is what an attacker
would most like to reword, and it must carry its link and expiry whatever an edit says.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from nominations.languages import LANGUAGES, in_language
from nominations.models import EmailText, db

log = logging.getLogger(__name__)

# Kinds that stay as their templates say, and why (shown on the administrators' list).
FIXED = ("password_reset", "test_message")

# Longest text a sandboxed expression may build ('x' * 10**9 would take the worker's memory).
MAX_BUILT = 100_000


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: Any  # a lazy text
    # The sample value the preview uses, in the language in force.
    sample: Callable[[], str | int]
    # A placeholder the message cannot do without (a referee's personal link): a text whose
    # message leaves it out is refused, and one that loses it with real values is not sent.
    required: bool = False


@dataclass(frozen=True)
class Kind:
    key: str  # also the default templates' name: emails/<key>.txt and .html
    title: Any  # lazy texts: the kind's name and who receives it when
    description: Any
    placeholders: tuple[Placeholder, ...]
    # The placeholders' values from the templates' context (called in the recipient's language).
    values: Callable[[Mapping[str, Any]], dict[str, str | int]]
    # The default subject and body as sandbox templates, in the language in force: the same
    # sentences as the default templates, with placeholders where those put values.
    default_subject: Callable[[], str]
    default_body: Callable[[], str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.placeholders)

    @property
    def required(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.placeholders if p.required)

    def samples(self) -> dict[str, str | int]:
        return {p.name: p.sample() for p in self.placeholders}


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind of e-mail (one entry makes it editable, listed and previewed)."""
    KINDS[kind.key] = kind
    return kind


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox with nothing in it but the placeholders, refusing expressions that would
    build huge values."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("the power is too large")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, str | list | tuple) and len(result) > MAX_BUILT:
            raise SecurityError("the value built is too long")
        return result


def _sandbox() -> _Sandbox:
    env = _Sandbox(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)
    env.globals.clear()  # no range(), lipsum(), ...: the placeholders are all there is
    return env


SANDBOX = _sandbox()


class TextProblem(ValueError):
    """Why a text cannot be saved (in the language in force)."""


def check(kind: Kind, source: str) -> None:
    """Refuse ``source`` unless it parses, uses only the kind's placeholders and renders with
    the sample values (TextProblem naming what is wrong)."""
    try:
        parsed = SANDBOX.parse(source)
        SANDBOX.compile(parsed)  # unknown filters and tests are found here
    except TemplateSyntaxError as error:
        raise TextProblem(
            _("Line %(line)d: %(message)s.", line=error.lineno or 1, message=error.message)
        ) from error
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(kind.names))
    if unknown:
        raise TextProblem(
            _(
                "Unknown placeholder: %(names)s. This e-mail knows: %(known)s.",
                names=", ".join("{{ " + name + " }}" for name in unknown),
                known=", ".join(kind.names),
            )
        )
    for language in LANGUAGES:
        with in_language(language):
            samples = kind.samples()
        try:
            SANDBOX.from_string(source).render(samples)
        except SecurityError as error:
            raise TextProblem(
                _("Not allowed in an e-mail text: %(message)s.", message=str(error))
            ) from error
        except TemplateError as error:  # e.g. {{ name.missing }}: placeholders have no parts
            raise TextProblem(
                _("The text cannot be filled in: %(message)s.", message=str(error))
            ) from error
        except (TypeError, ValueError, ArithmeticError, LookupError) as error:
            raise TextProblem(
                _("The text cannot be filled in: %(message)s.", message=str(error))
            ) from error


def check_required(kind: Kind, body: str) -> None:
    """Refuse a message (checked already) that leaves out a placeholder its kind cannot do
    without: the sample value must come out whole in each language, so a placeholder only
    mentioned in a condition that is never true, or changed by a filter, does not count."""
    for placeholder in kind.required:
        for language in LANGUAGES:
            with in_language(language):
                samples = kind.samples()
            if str(samples[placeholder.name]) not in SANDBOX.from_string(body).render(samples):
                raise TextProblem(
                    _(
                        "The message must contain %(placeholder)s (%(description)s): the e-mail "
                        "is of no use without it.",
                        placeholder="{{ " + placeholder.name + " }}",
                        description=placeholder.description,
                    )
                )


def missing_required(kind: Kind, values: Mapping[str, Any], text: str) -> list[str]:
    """The required placeholders whose real value a rendered message does not carry."""
    return [p.name for p in kind.required if str(values[p.name]) not in text]


# --- rendering --------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"']+")


def _linked(line: str) -> Markup:
    """One line of plain text as HTML: escaped, its web addresses made links."""
    out, last = [], 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(".,;:!?)")
        out.append(escape(line[last : match.start()]))
        out.append(Markup('<a href="%s">%s</a>') % (url, url))
        last = match.start() + len(url)
    out.append(escape(line[last:]))
    return Markup("").join(out)


def text_to_html(text: str) -> Markup:
    """Paragraphs (blank lines between them) of escaped text; line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>\n").join(_linked(line) for line in p.splitlines())
        for p in paragraphs
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    body_html: Markup  # the part inside the layout (the preview shows it)


def render_source(subject: str, body: str, values: Mapping[str, Any], language: str) -> Rendered:
    """An edited (or default) text filled with ``values``, with the usual footer and HTML
    layout, in ``language``. The sources were checked when they were saved."""
    with in_language(language):
        title = " ".join(SANDBOX.from_string(subject).render(values).split())
        written = SANDBOX.from_string(body).render(values).strip()
        text = written + "\n" + render_template("emails/_footer.txt")
        body_html = text_to_html(written)
        html = render_template("emails/_edited.html", subject=title, body_html=body_html)
    return Rendered(title, text, html, body_html)


def edited_texts(key: str) -> dict[str, EmailText]:
    """The administrators' texts of a kind by language (none for a kind not in the registry)."""
    if key not in KINDS:
        return {}
    rows = db.session.execute(db.select(EmailText).where(EmailText.kind == key)).scalars()
    return {row.language: row for row in rows}


def values_for(key: str, language: str, context: Mapping[str, Any]) -> dict[str, str | int]:
    """The placeholders' values of a message of ``key`` from its templates' context."""
    context = {"base_url": current_app.config["BASE_URL"].rstrip("/"), **context}
    with in_language(language):
        return KINDS[key].values(context)


def render_edited(entry: EmailText, language: str, context: Mapping[str, Any]) -> Rendered | None:
    """An edited text filled in for a real message; None when it fails with real values
    (it passed with the samples) or leaves out a required placeholder's value: the caller
    sends the standard text instead, so that a text never stops a submission or a mailing
    nor loses a referee's link."""
    try:
        values = values_for(entry.kind, language, context)
        rendered = render_source(entry.subject, entry.body, values, language)
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
        log.error(
            "The edited e-mail text %s (%s) failed (%s); the standard text is sent.",
            entry.kind,
            language,
            error,
        )
        return None
    missing = missing_required(KINDS[entry.kind], values, rendered.text)
    if missing:  # e.g. a condition true for the samples only: the link must reach the reader
        log.error(
            "The edited e-mail text %s (%s) left out %s; the standard text is sent.",
            entry.kind,
            language,
            ", ".join(missing),
        )
        return None
    return rendered


def default_source(kind: Kind, language: str) -> tuple[str, str]:
    """The default subject and body of ``kind`` as sandbox templates, in ``language``."""
    with in_language(language):
        return kind.default_subject(), kind.default_body()


def current_source(kind: Kind, language: str, entry: EmailText | None) -> tuple[str, str]:
    return (entry.subject, entry.body) if entry is not None else default_source(kind, language)


def preview(kind: Kind, language: str, subject: str, body: str) -> Rendered:
    """The text filled with the kind's sample values, as a recipient reading ``language``
    would see it."""
    with in_language(language):
        samples = kind.samples()
    return render_source(subject, body, samples, language)


from nominations.mail import text_kinds  # noqa: E402,F401  (registers the kinds)
