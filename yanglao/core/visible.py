"""What a person sees of a page, and the raw values that must never be there (issue 14):
the test that renders every page of every role (tests/test_plain_pages.py) and the pages'
own tests use it. Pure."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

# Text inside these elements is not shown.
_HIDDEN = {"script", "style", "template", "datalist", "noscript", "title", "head"}


class _Text(HTMLParser):
    def __init__(self, hidden: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.hide = hidden
        self.technical: list[list[Any]] = []  # [tag, depth] of a data-technical element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.technical:
            self.technical[-1][1] += tag == self.technical[-1][0]
        elif any(k == "data-technical" for k, _ in attrs):
            # A technical view kept for system administrators (collapsed, labelled 技术格式).
            self.technical.append([tag, 1])
        if tag in self.hide:
            self.hidden += 1
        elif tag in ("br", "p", "div", "li", "td", "th", "tr", "dd", "dt", "h1", "h2", "h3"):
            self.parts.append("\n")

    INLINE = frozenset(
        {
            "a",
            "span",
            "strong",
            "b",
            "em",
            "i",
            "del",
            "ins",
            "time",
            "small",
            "code",
            "abbr",
            "label",
            "sup",
            "sub",
            "mark",
            "s",
            "u",
        }
    )

    def handle_endtag(self, tag: str) -> None:
        if self.technical and tag == self.technical[-1][0]:
            self.technical[-1][1] -= 1
            if not self.technical[-1][1]:
                self.technical.pop()
        if tag in self.hide and self.hidden:
            self.hidden -= 1
        elif tag not in self.INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.technical:
            self.parts.append(data)


def visible_text(html: str, *, options: bool = False) -> str:
    """The text a reader sees: no tags, attributes, scripts or styles; the choices of
    drop-downs only with `options` (they show when the list is opened)."""
    parser = _Text(_HIDDEN if options else _HIDDEN | {"option"})
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# A Python repr or an empty-value leak, standing alone (not inside a Chinese word).
_REPR = re.compile(r"\{'|\[\]|(?<![A-Za-z])(None|True|False)(?![A-Za-z])")
# A 12-digit region code standing alone (ID numbers are 18 characters; account numbers
# longer): where a name is expected.
_PATH = re.compile(r"(?<![0-9A-Za-z])/[0-9A-Za-z_./?=&%-]+")
_CODE12 = re.compile(r"(?<![0-9A-Za-z*])[0-9]{12}(?![0-9A-Za-z*])")


def raw_values(text: str, enum_values: frozenset[str] = frozenset()) -> list[str]:
    """The raw things found in visible text: reprs, 12-digit codes and (given the set of
    stored enumeration values that are not words anyone would write, e.g. "visit_worker",
    "minimum_living") those values standing alone."""
    text = _PATH.sub(" ", text)  # a page address (/accounts/users/new/) is not a raw value
    found = [m.group(0) for m in _REPR.finditer(text)]
    found += [m.group(0) for m in _CODE12.finditer(text)]
    if enum_values:
        for word in re.findall(r"(?<![A-Za-z_0-9])[a-z][a-z0-9_]*[a-z0-9](?![A-Za-z_0-9])", text):
            if word in enum_values:
                found.append(word)
    return found
