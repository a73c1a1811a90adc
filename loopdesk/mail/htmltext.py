"""HTML mail bodies: plain-text rendering and allowlist sanitizing. Pure."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser

import nh3

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg"})
_CELL_TAGS = frozenset({"td", "th"})
_ITEM_TAGS = frozenset({"li", "tr", "dt", "dd"})
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_MANY_NEWLINES_RE = re.compile(r"\n{3,}")
_MAX_SKIP_DEPTH = 10_000
_PRE_PROTECT = str.maketrans({"\n": "\x00", " ": "\x01", "\t": "\x02", "\u00a0": "\x01"})
_PRE_RESTORE = str.maketrans({"\x00": "\n", "\x01": " ", "\x02": "\t"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0

    def _newline(self) -> None:
        self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = min(self.skip_depth + 1, _MAX_SKIP_DEPTH)
            return
        if tag == "br":
            self._newline()
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag == "li":
                self.parts.append("- ")
            elif tag == "pre":
                self.pre_depth += 1
        elif tag in _CELL_TAGS:
            self.parts.append("\t")
        elif tag == "img" and not self.skip_depth:
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(self.skip_depth - 1, 0)
            return
        if tag in _BLOCK_TAGS:
            if tag not in _ITEM_TAGS:
                self._newline()
            if tag == "pre":
                self.pre_depth = max(self.pre_depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        data = data.replace("\x00", "").replace("\x01", "").replace("\x02", "")
        if self.pre_depth:
            self.parts.append(data.replace("\r\n", "\n").translate(_PRE_PROTECT))
        else:
            self.parts.append(_SPACE_RE.sub(" ", data))


def html_to_text(html: str) -> str:
    """Render HTML as readable plain text (blocks and <br> become line breaks)."""
    if not html:
        return ""
    parser = _TextExtractor()
    with contextlib.suppress(Exception):  # html.parser is lenient; keep whatever was extracted
        parser.feed(html)
        parser.close()
    text = "".join(parser.parts)
    lines = []
    for line in text.split("\n"):
        lines.append(line.strip(" \t"))
    text = "\n".join(lines)
    text = re.sub(r"[ \t]*\t[ \t]*", "\t", text)
    text = re.sub(r" {2,}", " ", text)
    return _MANY_NEWLINES_RE.sub("\n\n", text).strip().translate(_PRE_RESTORE)


_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_COMMON_ATTRIBUTES = {"style", "title", "align", "dir", "lang"}
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON_ATTRIBUTES,
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border"},
    "font": {"color", "face", "size"},
    "table": {"border", "cellpadding", "cellspacing", "width", "bgcolor", "summary"},
    "td": {"colspan", "rowspan", "width", "height", "valign", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "width", "height", "valign", "bgcolor", "scope"},
    "tr": {"valign", "bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
_STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-align",
    "text-decoration",
    "text-indent",
    "line-height",
    "letter-spacing",
    "white-space",
    "vertical-align",
    "width",
    "height",
    "max-width",
    "min-width",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "border",
    "border-top",
    "border-bottom",
    "border-left",
    "border-right",
    "border-color",
    "border-style",
    "border-width",
    "border-collapse",
    "border-spacing",
    "display",
    "list-style-type",
}
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_IMAGE_SCHEMES = ("cid:", "data:image/")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    lowered = value.strip().lower()
    if tag == "img" and attribute == "src":
        return value if lowered.startswith(_IMAGE_SCHEMES) else None
    if attribute in {"href", "cite"}:
        return value if lowered.startswith(_LINK_SCHEMES) else None
    return value


def sanitize_html(html: str) -> str:
    """Clean untrusted HTML with an allowlist (no scripts, handlers, remote images or unsafe links)."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style", "title", "head", "textarea", "iframe", "object", "noscript"},
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        link_rel="noopener noreferrer",
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
    )
