"""Reads a form out of a page and fills in what a browser would send for it, untouched.

``form_values(html, action)`` returns the (name, value) pairs of the form posting to
``action``: text, number, date, time and hidden inputs with their value, checked boxes and
radios, the selected option of each select (else its first), textareas with their text (the
line break right after the opening tag dropped and line breaks sent as CR LF, as browsers do),
passwords empty, file inputs as an empty file with no name (nothing chosen). Submit buttons are
left out.
"""

from __future__ import annotations

from html.parser import HTMLParser
from io import BytesIO

from werkzeug.datastructures import FileStorage

NOT_SENT = {"submit", "button", "reset", "image"}


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.pairs: list[tuple[str, str | FileStorage]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and not self.found and a.get("action", "") == self.action:
            self.inside = self.found = True
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in NOT_SENT:
                return
            if kind == "file":
                self.pairs.append((name, FileStorage(BytesIO(b""), filename="")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value", "on")))
            elif kind == "password":
                self.pairs.append((name, ""))
            else:
                self.pairs.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        elif self._option_value is None and self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._select is not None:
            value = self._option_value
            self._options.append(
                (value if value is not None else self._option_text.strip(), self._option_selected)
            )
            self._option_value = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.pairs.append((self._select, (chosen or [self._options[0][0]])[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML reads CR LF and a lone CR as LF, then drops one LF right after the tag
            # (WTForms writes CR LF there, so that text beginning with a line break keeps it).
            text = self._text.replace("\r\n", "\n").replace("\r", "\n")
            text = text[1:] if text.startswith("\n") else text
            self.pairs.append((self._textarea, text.replace("\n", "\r\n")))
            self._textarea = None


def form_values(html: str, action: str) -> list[tuple[str, str | FileStorage]]:
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action} on the page"
    return reader.pairs
