"""The one Markdown pipeline: Python-Markdown with our extensions, then nh3 sanitising."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

EXTENSIONS = ["tables", "fenced_code", "admonition", "attr_list", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"permalink": False, "toc_depth": "2-3"}}

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")

# Maps a relative link or image path in a source file to its public URL (or None to keep it).
LinkResolver = Callable[[str, str], str | None]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolver: LinkResolver) -> None:
        super().__init__(md)
        self.resolver = resolver

    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            target = element.get(attribute) if attribute else None
            if attribute and target:
                new = self.resolver(element.tag, target)
                if new is not None:
                    element.set(attribute, new)
            if element.tag == "a" and element.get("href", "").startswith(("http:", "https:")):
                element.set("rel", "noopener")


class _LinkExtension(Extension):
    def __init__(self, resolver: LinkResolver) -> None:
        super().__init__()
        self.resolver = resolver

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_RewriteLinks(md, self.resolver), "sokrog_links", 1)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Link:
    """A link (`a`) or an image (`img`) as the renderer reads it, with its source line."""

    tag: str
    target: str
    text: str
    line: int


@dataclass
class Outline:
    """What a Markdown text's parse tree holds that authors get checked: headings, links."""

    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


class _Collect(Treeprocessor):
    """Collects the headings, links and images of the tree the renderer would produce."""

    def __init__(self, md: markdown.Markdown, found: list[tuple[str, str, str]]) -> None:
        super().__init__(md)
        self.found = found

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag in HEADING_TAGS:
                self.found.append((element.tag, "", "".join(element.itertext()).strip()))
            elif element.tag == "a":
                self.found.append(("a", element.get("href", ""), "".join(element.itertext())))
            elif element.tag == "img":
                self.found.append(("img", element.get("src", ""), element.get("alt", "")))


class _CollectExtension(Extension):
    def __init__(self, found: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.found = found

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_Collect(md, self.found), "sokrog_collect", 0)


def _line_of(lines: list[str], needles: tuple[str, ...], start: int) -> int:
    """The first line at or after `start` that holds one of `needles` (else `start`)."""
    for number in range(start, len(lines)):
        if any(needle and needle in lines[number] for needle in needles):
            return number
    return start


def outline(text: str, first_line: int = 1) -> Outline:
    """Parse `text` exactly as `render_markdown` does and list its headings and links, each
    with the source line it comes from (counting from `first_line`).

    Checks walk this tree rather than matching patterns in the text: a link in fenced code
    is code, a reference-style link is a link, an admonition's links count too.
    """
    found: list[tuple[str, str, str]] = []
    markdown.markdown(
        text,
        extensions=[*EXTENSIONS, _CollectExtension(found)],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    lines = text.splitlines()
    result = Outline()
    cursor = 0
    headings = [
        (number, line) for number, line in enumerate(lines) if line.lstrip().startswith("#")
    ]
    for tag, target, label in found:
        if tag in HEADING_TAGS:
            index = next(
                (n for n, line in headings if n >= cursor and label in line),
                _line_of(lines, (label,), cursor),  # a heading underlined with === or ---
            )
            result.headings.append(Heading(int(tag[1]), label, first_line + index))
        else:
            needles = (f"]({target}", f"(<{target}>", f"[{label}]", f"]: {target}", target)
            index = _line_of(lines, needles, cursor)
            result.links.append(Link(tag, target, label, first_line + index))
        cursor = index
    return result


def sanitise(html: str) -> str:
    """Strip everything not on the allow-list: scripts, event handlers, javascript: URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str, resolver: LinkResolver | None = None) -> str:
    """Render author Markdown to safe HTML. Called when content is loaded, never per request."""
    extensions: list[str | Extension] = list(EXTENSIONS)
    if resolver is not None:
        extensions.append(_LinkExtension(resolver))
    html = markdown.markdown(
        text,
        extensions=extensions,
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    return sanitise(html)
