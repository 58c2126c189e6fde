"""Text stage, Latin-script engine: spans -> ReportLab Paragraphs.

It serves left-to-right scripts whose words are separated by spaces and whose glyphs map
one to one to characters. The multiscript engine replaces this module behind the seam
in handouts/text/__init__.py.
"""
from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from ..content import Span
from .fonts import register_family

NO_BREAK_SPACE = "\u00a0"
_ALIGN = {"start": TA_LEFT, "centre": TA_CENTER, "end": TA_RIGHT}


@lru_cache(maxsize=None)
def _paragraph_style(style) -> ParagraphStyle:
    base = register_family()
    return ParagraphStyle(name=f"s{hash(style)}", fontName=base, fontSize=style.size,
                          leading=style.leading, textColor=style.colour,
                          alignment=_ALIGN[style.align], spaceAfter=style.space_after,
                          allowWidows=0, allowOrphans=0)


def span_markup(span: Span) -> str:
    text = escape(span.text)
    if span.phone:
        text = text.replace(" ", NO_BREAK_SPACE)
    if span.bold:
        text = f"<b>{text}</b>"
    if span.italic:
        text = f"<i>{text}</i>"
    return text


def paragraph(spans, style, *, locale: str = "en", fields: dict | None = None) -> Paragraph:
    """One paragraph of styled spans; `fields` fills page-number/page-count spans."""
    from dataclasses import replace
    if style.bold:
        spans = [replace(s, bold=True) for s in spans]
    parts = []
    for span in spans:
        if span.field:
            span = replace(span, text=str((fields or {}).get(span.field, "")))
        parts.append(span_markup(span))
    return Paragraph("".join(parts), _paragraph_style(style))
