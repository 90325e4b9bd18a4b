"""Tagged PDF while drawing: marked-content sequences on the page, the structure tree beside it.

ReportLab draws the page but knows nothing of structure, so the renderer wraps what it draws in
marked-content operators (BDC/EMC with an MCID, or /Artifact) through `Tagger`, which records the
structure elements and the MCIDs they own; `pdfa.finish` writes them as the StructTreeRoot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

# The standard structure types of ISO 32000-1, 14.8.4, that the certificate uses: nothing needs
# a RoleMap.
ROLES = frozenset(
    {"Document", "Sect", "Div", "H1", "H2", "P", "Span", "L", "LI", "Lbl", "LBody", "Figure"}
)


class LiteralSink(Protocol):
    def addLiteral(self, s: str, escaped: int = 1) -> None: ...  # noqa: N802 (ReportLab's name)


@dataclass
class Element:
    """A structure element: its kids are elements or MCIDs of content on the (one) page."""

    role: str
    lang: str | None = None
    alt: str | None = None
    # The figure's bounding box on the page (x0, y0, x1, y1), as PDF/UA asks of figures.
    bbox: tuple[float, float, float, float] | None = None
    kids: list[Element | int] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()


class Tagger:
    """Opens structure elements and marks the content drawn inside them."""

    def __init__(self, canvas: LiteralSink, lang: str) -> None:
        self.canvas = canvas
        self.root = Element("Document", lang=lang)
        self._open: list[Element] = [self.root]
        self._next_mcid = 0

    @property
    def current(self) -> Element:
        return self._open[-1]

    def language(self) -> str:
        """The language in force where content is drawn now (the nearest /Lang)."""
        for element in reversed(self._open):
            if element.lang:
                return element.lang
        raise AssertionError("the Document element always has a language")

    @contextmanager
    def element(
        self,
        role: str,
        lang: str | None = None,
        alt: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> Iterator[Element]:
        if role not in ROLES:
            raise ValueError(f"not a structure type the certificate uses: {role}")
        # A language is written only where it changes, as screen readers expect.
        element = Element(role, lang if lang != self.language() else None, alt, bbox)
        self.current.kids.append(element)
        self._open.append(element)
        try:
            yield element
        finally:
            self._open.pop()

    @contextmanager
    def content(self) -> Iterator[int]:
        """Content drawn inside belongs to the current element (a marked-content sequence)."""
        mcid = self._next_mcid
        self._next_mcid += 1
        self.current.kids.append(mcid)
        self.canvas.addLiteral(f"/{self.current.role} <</MCID {mcid}>> BDC")
        try:
            yield mcid
        finally:
            self.canvas.addLiteral("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """Decoration (frames, rules): not part of the document's content, skipped when read."""
        self.canvas.addLiteral("/Artifact <</Type /Layout>> BDC")
        try:
            yield
        finally:
            self.canvas.addLiteral("EMC")

    def parents(self) -> list[Element]:
        """The element that owns each MCID, in MCID order: the page's ParentTree entry."""
        owners: dict[int, Element] = {}
        for element in self.root.walk():
            for kid in element.kids:
                if isinstance(kid, int):
                    owners[kid] = element
        return [owners[mcid] for mcid in range(self._next_mcid)]
