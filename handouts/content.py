"""Content stage: handout markup (a small, fixed XML vocabulary) -> a frozen `Document`.

The vocabulary, produced by the templates:

  block:  notice, title, subtitle, patient/field[@label], section, h, p, ul/li,
          callout, table/tr/(th|td), small, footer/cell, blank-page (the text of a
          padding page in a double-sided print file)
  inline: b, i, a[@href], phone (a number: never broken, always left to right),
          bdi (a formatted date, time or range: a bidi isolate of its own direction,
          never broken), page-number, page-count (footer only)

Anything else is a template error naming the element, so a typo in a template or a
translation never silently drops text.
"""
from __future__ import annotations

from types import MappingProxyType
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import ClassVar

from .caches import LRUCache
from .errors import TemplateError


@dataclass(frozen=True)
class Span:
    """A run of text with one style. `field` marks page-number/page-count placeholders."""
    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""
    phone: bool = False
    field: str = ""
    isolate: bool = False


Spans = tuple[Span, ...]


# The block vocabulary, each kind declared once: its markup tag (BLOCK_TAGS, below, with
# its parser), what it holds, its text for checks and search, and the structure role a
# tagged PDF gives it (PDF 1.7 standard structure types). Layout maps each kind to how
# it is drawn (layout.HandoutLayout.block).

@dataclass(frozen=True)
class Title:
    spans: Spans
    role: ClassVar[str] = "H1"

    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True)
class Subtitle:
    spans: Spans
    role: ClassVar[str] = "P"

    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True)
class Notice:
    blocks: tuple
    role: ClassVar[str] = "Div"

    def text(self) -> str:
        return "\n".join(b.text() for b in self.blocks)


@dataclass(frozen=True)
class Para:
    spans: Spans
    small: bool = False
    role: ClassVar[str] = "P"

    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True)
class Bullets:
    items: tuple[Spans, ...]
    role: ClassVar[str] = "L"

    def text(self) -> str:
        return "\n".join(spans_text(i) for i in self.items)


@dataclass(frozen=True)
class PatientBox:
    fields: tuple[tuple[str, Spans], ...]
    role: ClassVar[str] = "Table"

    def text(self) -> str:
        return "\n".join(f"{label}: {spans_text(v)}" for label, v in self.fields)


@dataclass(frozen=True)
class Table:
    header: tuple[Spans, ...]
    rows: tuple[tuple[Spans, ...], ...]
    role: ClassVar[str] = "Table"

    def text(self) -> str:
        return "\n".join(" | ".join(spans_text(c) for c in row)
                         for row in (self.header,) + self.rows if row)


@dataclass(frozen=True)
class Callout:
    heading: Spans
    blocks: tuple
    role: ClassVar[str] = "Div"

    def text(self) -> str:
        return "\n".join([spans_text(self.heading)] + [b.text() for b in self.blocks])


@dataclass(frozen=True)
class Section:
    heading: Spans
    blocks: tuple
    role: ClassVar[str] = "Sect"

    def text(self) -> str:
        return "\n".join([spans_text(self.heading)] + [b.text() for b in self.blocks])


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple
    footer: tuple[Spans, ...]
    blank_page: Spans = ()

    def text(self) -> str:
        """All running text, one block a line: for readability checks and tests."""
        return "\n".join(block.text() for block in self.blocks)


INLINE = frozenset({"b", "i", "a", "phone", "bdi", "page-number", "page-count"})


def parse_markup(markup: str, *, source: str = "handout",
                 blocks_seen: LRUCache | None = None, private: tuple[str, ...] = ()
                 ) -> Document:
    """The Document of a handout's markup. `blocks_seen` (the Library's) keeps blocks
    parsed before, by content: most of a handout's blocks are the same for every patient
    of a locale, and looking one up by its element's content (tag, attributes, text and
    tails, all the way down) is several times cheaper than building its spans again.
    Blocks are frozen, so sharing them between documents is safe. A block holding any
    of the `private` texts (what the patient or clinician typed) is never kept: no
    cache holds patient data."""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise TemplateError(f"the handout markup is not well-formed ({exc})", source=source,
                            line=line, hint="check the tags in the template or in the "
                                            "translation of the string on that line") from None
    if root.tag != "handout":
        raise _unknown(root, source)
    blocks, footer, title, blank_page = [], (), "", ()
    for child in root:
        if child.tag == "footer":
            footer = tuple(_spans(cell, source) for cell in child if _expect(cell, "cell", source))
        elif child.tag == "blank-page":
            blank_page = _spans(child, source)
        else:
            keep = blocks_seen is not None and not holds_any("".join(child.itertext()),
                                                                 private)
            block = _seen_block(blocks_seen, child, source) if keep else _block(child, source)
            if isinstance(block, Title):
                title = "".join(s.text for s in block.spans)
            blocks.append(block)
    return Document(title=title, blocks=tuple(blocks), footer=footer, blank_page=blank_page)


def private_form(text: str) -> str:
    """A text as the markup stage writes it (white space folded, none after full-width
    punctuation, NFC), so a typed value and the text it became compare equal."""
    folded = unicodedata.normalize("NFC", " ".join(text.split()))
    return _SPACE_AFTER_FULL_WIDTH.sub(r"\1", folded)


def holds_any(text: str, private: tuple[str, ...]) -> bool:
    """Whether a text holds one of the private texts (what a patient or clinician typed,
    each in private_form). A value of one or two characters (initials, a short record
    id) counts only as a whole word, so a name "Li" does not make every line private."""
    if not private:
        return False
    text = private_form(text)
    for value in private:
        if len(value) > 2:
            if value in text:
                return True
        elif re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text):
            return True
    return False


def _element_key(el: ET.Element) -> tuple:
    return (el.tag, tuple(el.attrib.items()), el.text,
            tuple((_element_key(child), child.tail) for child in el))


def _seen_block(seen: LRUCache, el: ET.Element, source: str):
    key = _element_key(el)
    block = seen.get(key)
    if block is None:
        block = seen.put(key, _block(el, source))   # bad markup raises: nothing kept
    return block


def _block(el: ET.Element, source: str):
    parse = BLOCK_TAGS.get(el.tag)
    if parse is None:
        raise _unknown(el, source)
    return parse(el, source)


def _table(el: ET.Element, source: str) -> Table:
    rows = [tuple(_spans(cell, source) for cell in tr if _cell(cell, source))
            for tr in el if _expect(tr, "tr", source)]
    widths = {len(row) for row in rows}
    if len(widths) != 1 or not widths <= set(range(1, TABLE_COLUMNS + 1)):
        raise TemplateError(f"a <table> has rows of {', '.join(map(str, sorted(widths)))} "
                            "cells" if widths else "a <table> has no rows", source=source,
                            hint=f"give every row the same cells, at most "
                                 f"{TABLE_COLUMNS} (the page lays out no more)")
    has_header = all(c.tag == "th" for c in el[0])
    return Table(header=rows[0] if has_header else (),
                 rows=tuple(rows[1:] if has_header else rows))


def _headed(kind):
    def parse(el: ET.Element, source: str):
        children = list(el)
        if not children or children[0].tag != "h":
            raise TemplateError(f"<{el.tag}> must start with <h>", source=source,
                                hint="give every section and callout a heading")
        return kind(_spans(children[0], source),
                    tuple(_block(c, source) for c in children[1:]))
    return parse


#: Each block tag and how it is parsed; the elements only found inside blocks follow.
BLOCK_TAGS = MappingProxyType({
    "title": lambda el, source: Title(_spans(el, source)),
    "subtitle": lambda el, source: Subtitle(_spans(el, source)),
    "notice": lambda el, source: Notice(tuple(_block(c, source) for c in el)),
    "p": lambda el, source: Para(_spans(el, source)),
    "small": lambda el, source: Para(_spans(el, source), small=True),
    "ul": lambda el, source: Bullets(tuple(_spans(li, source) for li in el
                                           if _expect(li, "li", source))),
    "patient": lambda el, source: PatientBox(tuple((f.get("label", ""), _spans(f, source))
                                                   for f in el if _expect(f, "field", source))),
    "table": _table,
    "section": _headed(Section),
    "callout": _headed(Callout),
})
INNER_TAGS = frozenset({"h", "li", "field", "tr", "th", "td", "footer", "cell", "blank-page"})


#: The columns a table may have: the layout gives each a fixed share of the width.
TABLE_COLUMNS = 3


def _cell(el: ET.Element, source: str) -> bool:
    if el.tag not in ("th", "td"):
        raise TemplateError(f"<{el.tag}> where <td> or <th> was expected", source=source,
                            hint="a table row holds <th> and <td> cells only")
    return True


def _expect(el: ET.Element, tag: str, source: str) -> bool:
    if el.tag != tag:
        raise TemplateError(f"<{el.tag}> where <{tag}> was expected", source=source,
                            hint=f"use <{tag}> here")
    return True


def _spans(el: ET.Element, source: str) -> Spans:
    raw: list[tuple] = []
    _collect(raw, el, source, False, False, "", False, False)
    return _normalise(raw)


# Spans are collected as plain tuples (text, bold, italic, href, phone, field, isolate)
# and made
# into Span objects once, after normalising: building and comparing frozen dataclasses
# (dataclasses.replace) for every run of every paragraph was a tenth of a render.

def _collect(out: list, el: ET.Element, source: str, bold: bool, italic: bool, href: str,
             phone: bool, isolate: bool) -> None:
    if el.text:
        out.append((el.text, bold, italic, href, phone, "", isolate))
    for child in el:
        tag = child.tag
        if tag not in INLINE:
            raise _unknown(child, source)
        if tag in ("page-number", "page-count"):
            out.append(("", bold, italic, "", False, tag, False))
        else:
            _collect(out, child, source, bold or tag == "b", italic or tag == "i",
                     child.get("href", href) if tag == "a" else href, phone or tag == "phone",
                     isolate or tag == "bdi")
        if child.tail:
            out.append((child.tail, bold, italic, href, phone, "", isolate))


# Full-width punctuation carries its own space: Chinese and Japanese put no space after
# it, so the white space between two translated sentences of a paragraph (a line break in
# the template) is dropped after these (W3C clreq, jlreq).
FULL_WIDTH_PUNCTUATION = "。．，、；：！？）」』】〕〉》"
_SPACE_AFTER_FULL_WIDTH = re.compile(f"([{FULL_WIDTH_PUNCTUATION}]) +")
_SPACES = " \t\n\r\f\v"
_MARKUP_SPACE = re.compile(f"[{_SPACES}]+")


def _normalise(spans: list[tuple]) -> Spans:
    """Collapse white space across spans (none after full-width punctuation), trim the
    ends, NFC, merge equal neighbours."""
    merged: list[list] = []          # [text, bold, italic, href, phone, field, isolate]
    previous_space = True
    for span in spans:
        if span[5]:
            merged.append(list(span))
            previous_space = False
            continue
        raw = span[0]
        # Only the markup's own white space folds: CLDR's no-break and thin spaces (in
        # "1 234", "9:00 AM", "Mon – Fri") are part of the value and stay.
        text = unicodedata.normalize("NFC", " ".join(_MARKUP_SPACE.split(raw.strip(_SPACES))))
        if raw[:1] in _SPACES and text:
            text = " " + text
        if raw[-1:] in _SPACES:
            text = (text + " ") if text else " "
        if previous_space:
            text = text.lstrip(" ")
        text = _SPACE_AFTER_FULL_WIDTH.sub(r"\1", text)
        if not text:
            continue
        previous_space = text.endswith(" ") or text[-1] in FULL_WIDTH_PUNCTUATION
        last = merged[-1] if merged else None
        if last is not None and not last[5] and last[1:5] == list(span[1:5]) \
                and last[6] == span[6]:
            last[0] += text
        else:
            merged.append([text, *span[1:]])
    if merged and not merged[-1][5]:
        merged[-1][0] = merged[-1][0].rstrip(" ")
        if not merged[-1][0]:
            merged.pop()
    return tuple(Span(*span) for span in merged)


def _unknown(el: ET.Element, source: str) -> TemplateError:
    return TemplateError(f"unknown element <{el.tag}>", source=source,
                         hint="the handout markup allows: " + ", ".join(sorted(
                             INLINE | set(BLOCK_TAGS) | INNER_TAGS)))


def spans_text(spans: Spans) -> str:
    return "".join(s.text for s in spans)
