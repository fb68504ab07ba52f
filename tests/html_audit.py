"""Checks on HTML that the Content-Security-Policy relies on, plus a small same-site crawler.

``inline_code_problems(html)`` lists what ``script-src 'self'; style-src 'self'`` would block:
``<script>`` without ``src``, ``<style>`` blocks, ``style=`` attributes, ``on...=`` handlers and
``javascript:`` URLs. ``crawl(client, urls)`` fetches pages and follows same-site links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

SKIP_PREFIXES = ("/static/", "/bootstrap/")


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        where = f"<{tag} {self.getpos()[0]}:{self.getpos()[1]}>"
        if tag == "script" and "src" not in names:
            self.problems.append(f"inline <script> block at {where}")
        if tag == "style":
            self.problems.append(f"<style> block at {where}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= attribute on {where}")
            elif name.startswith("on"):
                self.problems.append(f"{name}= handler on {where}")
            elif name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name}= on {where}")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def inline_code_problems(html: str) -> list[str]:
    auditor = _Auditor()
    auditor.feed(html)
    auditor.close()
    return auditor.problems


def links(html: str) -> list[str]:
    auditor = _Auditor()
    auditor.feed(html)
    return auditor.links


# Template sources: the same rules, on the text (so templates no test renders yet count too).
SOURCE_RULES = [
    (re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I), "inline <script> block"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"""[\s"']style\s*=""", re.I), "style= attribute"),
    (re.compile(r"""[\s"']on[a-z]+\s*=""", re.I), "on...= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def source_problems(text: str) -> list[str]:
    problems = []
    for pattern, label in SOURCE_RULES:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{label} on line {line}: {match.group(0)!r}")
    return problems


def crawl(client, start: Iterable[str], limit: int = 300) -> dict[str, tuple[int, str]]:
    """GET each URL and every same-site link found, breadth first; {path: (status, html)}.

    Only HTML answers are kept and followed; static files and sign-out are skipped.
    """
    seen: dict[str, tuple[int, str]] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        response = client.get(url)
        if "text/html" not in response.content_type:
            seen[url] = (response.status_code, "")
            continue
        html = response.get_data(as_text=True)
        seen[url] = (response.status_code, html)
        for href in links(html):
            target, _ = urldefrag(urljoin(url, href))
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path and path not in seen and path not in queue:
                queue.append(path)
    return seen
