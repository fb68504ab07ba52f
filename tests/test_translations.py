"""Every text has its bokmål translation, and no template shows text outside a translation call.

The catalog (nominations/translations/nb/LC_MESSAGES/messages.po) is compared with what
`pybabel extract` finds in the sources now (the same babel.cfg `make translations-update`
reads), so a new text without a translation fails here, naming it.

Templates are read with Jinja's own lexer: everything outside ``{{ }}``, ``{% %}`` and
``{# #}`` is what the page shows as written; its text (and its visible attributes: title, alt,
placeholder, aria-label, value of buttons) must hold no words. Abbreviations that read the same
in both languages (PDF, CSV, ICS) may stand.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.lexer import TOKEN_BLOCK_BEGIN, TOKEN_DATA, TOKEN_NAME, TOKEN_WHITESPACE

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "nominations/translations/nb/LC_MESSAGES/messages.po"
TEMPLATES = ROOT / "templates"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
WORD = re.compile(r"[^\W\d_]{2,}")
ABBREVIATION = re.compile(r"^[A-Z]{2,5}s?$")
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}


def _extracted() -> dict[str, tuple]:
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: (
            not any(
                part.startswith((".", "_")) or part in ("node_modules", "tests", "instance")
                for part in Path(path).relative_to(ROOT).parts
            )
        ),
    ):
        key = message[0] if isinstance(message, tuple | list) else message
        found[key] = message
    return found


@pytest.fixture(scope="module")
def catalog():
    with open(CATALOG, "rb") as handle:
        return read_po(handle, locale="nb")


@pytest.fixture(scope="module")
def extracted():
    return _extracted()


def test_every_text_has_a_bokmal_translation(catalog, extracted):
    missing = []
    for key in sorted(extracted):
        entry = catalog.get(key)
        strings = entry.string if entry is not None else None
        untranslated = not all(strings) if isinstance(strings, tuple | list) else not strings
        if entry is None or untranslated or entry.fuzzy:
            missing.append(key)
    assert not missing, (
        f"{len(missing)} texts have no bokmål translation (run `make translations-update` and "
        "translate them in the catalog): " + "; ".join(repr(m) for m in missing[:40])
    )


def test_translations_keep_their_placeholders(catalog, extracted):
    wrong = []
    for key, message in extracted.items():
        entry = catalog.get(key)
        if entry is None or not entry.string:
            continue
        originals = message if isinstance(message, tuple | list) else (message,)
        translations = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        wanted = {name for text in originals for name in _placeholders(text)}
        for text in translations:
            if _placeholders(text) != wanted:
                wrong.append((key, text))
    assert not wrong, wrong[:20]


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text or "")}


class _VisibleText(HTMLParser):
    """Collects what a reader sees in an HTML fragment (Jinja replaced by a marker)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES:
                self._collect(value)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self._collect(attributes.get("value"))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._collect(data)

    def _collect(self, text: str | None) -> None:
        for word in WORD.findall((text or "").replace("\x00", " ")):
            if not ABBREVIATION.match(word):
                self.words.append(word)


def _untranslated_words(path: Path) -> list[str]:
    source = path.read_text()
    environment = Environment(extensions=["jinja2.ext.i18n"])
    pieces = []
    in_trans = False  # the text of a {% trans %} block is the message itself
    previous = None
    for _line, token, value in environment.lex(source):
        if previous == TOKEN_BLOCK_BEGIN and token == TOKEN_NAME:
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if token not in (TOKEN_WHITESPACE,):
            previous = token
        pieces.append(value if token == TOKEN_DATA and not in_trans else "\x00")
    text = "".join(pieces)
    if path.suffix == ".txt":  # a plain-text e-mail: every word is shown
        return [w for w in WORD.findall(text.replace("\x00", " ")) if not ABBREVIATION.match(w)]
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    return parser.words


@pytest.mark.parametrize(
    "template",
    sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.is_file()),
)
def test_a_template_shows_no_text_outside_a_translation_call(template):
    words = _untranslated_words(TEMPLATES / template)
    assert not words, f"{template} shows untranslated text: {' '.join(words[:30])}"


def test_the_checker_finds_text_outside_translation_calls(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{{ _("Rounds") }}</h1><p title="Closing soon">{{ n }} left</p>'
        "<script>var x = 'ok';</script>{# a comment #}<abbr>PDF</abbr>"
    )
    assert _untranslated_words(page) == ["Closing", "soon", "left"]
    mail = tmp_path / "mail.txt"
    mail.write_text("{% trans %}Hello{% endtrans %}\nRegards {{ site_name }}\n")
    assert _untranslated_words(mail) == ["Regards"]


TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?%\}(.*?)\{%-?\s*endtrans", re.S)


def test_a_trans_block_names_its_values_as_jinja_does():
    """Inside {% trans %} a value is {{ name }}; a %(name)s there is printed as it stands
    (the co-authorship page said "the last %(years)s years")."""
    found = [
        f"{path.relative_to(TEMPLATES)}: {placeholder}"
        for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
        for block in TRANS_BLOCK.findall(path.read_text(encoding="utf-8"))
        for placeholder in re.findall(r"%\(\w+\)\w", block)
    ]
    assert not found, found
