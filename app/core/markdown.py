"""The one Markdown pipeline: Python-Markdown with our extensions, then nh3 sanitising."""

from __future__ import annotations

from collections.abc import Callable
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

# Maps a relative link or image path in a source file to its public URL (or None to keep it).
LinkResolver = Callable[[str, str], str | None]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolver: LinkResolver) -> None:
        super().__init__(md)
        self.resolver = resolver

    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                new = self.resolver(element.tag, element.get(attribute))
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
    extensions: list = list(EXTENSIONS)
    if resolver is not None:
        extensions.append(_LinkExtension(resolver))
    html = markdown.markdown(
        text,
        extensions=extensions,
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    return sanitise(html)
