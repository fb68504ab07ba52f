"""What a page's forms tell assistive technology, read from the HTML (the standard library's
parser): the error summary and its links, each field's ties to its messages, and the markup
the HTML checker refuses in forms (repeated ids, an empty ``action``).

``form_problems(html)`` lists every broken promise; ``summary(html)`` is the error summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea", "button"}
VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr", "area", "base"}


@dataclass
class Summary:
    attrs: dict[str, str | None]
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    text: str = ""


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.by_id: dict[str, _Element] = {}
        self.controls: list[_Element] = []
        self.forms: list[dict[str, str | None]] = []
        self.summary: Summary | None = None
        self._open: list[_Element] = []  # the elements we are inside, outermost first
        self._link: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        element = _Element(tag, attributes)
        if "id" in attributes:
            self.ids[attributes["id"]] += 1
            self.by_id.setdefault(attributes["id"], element)
        if tag in CONTROLS:
            self.controls.append(element)
        if tag == "form":
            self.forms.append(attributes)
        if "data-error-summary" in attributes:
            self.summary = Summary(attributes)
        if tag == "a" and self.summary is not None and self._inside_summary():
            self._link = [attributes.get("href") or "", ""]
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.summary.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data
        if self._link is not None:
            self._link[1] += data
        if self.summary is not None and self._inside_summary():
            self.summary.text += data

    def _inside_summary(self) -> bool:
        return any("data-error-summary" in e.attrs for e in self._open)


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def summary(html: str) -> Summary | None:
    found = _read(html).summary
    if found is not None:
        found.text = " ".join(found.text.split())
    return found


def message(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (a field's message), spaces collapsed."""
    element = _read(html).by_id.get(element_id)
    return " ".join(element.text.split()) if element else ""


def form_problems(html: str) -> list[str]:
    page = _read(html)
    problems = [f"id {name!r} used {count} times" for name, count in page.ids.items() if count > 1]
    problems += [f"a form with an empty action: {f}" for f in page.forms if f.get("action") == ""]
    for control in page.controls:
        name = control.attrs.get("name") or control.attrs.get("id")
        described = (control.attrs.get("aria-describedby") or "").split()
        problems += [
            f"{name}: aria-describedby names {ref!r}, which is not on the page"
            for ref in described
            if ref not in page.by_id
        ]
        if control.attrs.get("aria-invalid") == "true" and not any(
            ref.endswith("-error") for ref in described
        ):
            problems.append(f"{name} is marked invalid but no message describes it")
    if page.summary is not None:
        attrs = page.summary.attrs
        if attrs.get("tabindex") != "-1" or "autofocus" not in attrs:
            problems.append("the error summary cannot take the focus as the page loads")
        if attrs.get("role") != "alert":
            problems.append("the error summary is not announced (role=alert)")
        for href, text in page.summary.links:
            target = href.removeprefix("#")
            if not href.startswith("#") or target not in page.by_id:
                problems.append(f"the summary links {text!r} to {href!r}, not a field here")
            elif page.by_id[target].tag not in CONTROLS:
                problems.append(f"the summary links {text!r} to a {page.by_id[target].tag}")
    return problems
