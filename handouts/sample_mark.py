"""Layout stage, the sample mark: what every page of a made-up clinic's handout carries.

The example clinic (a Brand with `sample=True`) is for `generate.py sample` and
translators' previews. Each of its pages says "SAMPLE – not for patients" three times, so
no one mistakes it for a patient's handout, printed or on screen, whole or a single page:
  - a dark red strip across the top edge, the mark in bold white (page 1's letterhead
    moves down below it; later pages have it in their top margin),
  - a large, light diagonal watermark drawn UNDER the content, so the text a translator
    reviews stays fully legible on top of it,
  - a bold red line at the foot, under the footer's cells.
The mark is English (clinic staff read it) and set by the text engine like all text, with
the vendored fonts: no page names an unembedded font.
"""
from __future__ import annotations

import math

from reportlab.lib import colors
from reportlab.lib.units import mm

from . import content as c
from .text import TextStyle

MARK = "SAMPLE – not for patients"
DETAIL = "made-up example clinic, for previews and translation review only"
STRIP_HEIGHT = 10 * mm      # page 1's letterhead and text move down by this much
FOOTER_LIFT = 1 * mm        # the footer's cells move up to make room for the mark below
RED = "#A4161A"
WATERMARK = "#F5D5D5"       # light: black body text on it keeps its contrast

_STRIP = TextStyle(size=10, leading=12, colour="#FFFFFF", align="centre")
_FOOT = TextStyle(size=7.5, leading=9, colour=RED, bold=True, align="centre")
_BIG = TextStyle(size=120, leading=130, colour=WATERMARK, bold=True, align="centre")
_UNDER = TextStyle(size=44, leading=52, colour=WATERMARK, bold=True, align="centre")


def _para(spans, style: TextStyle, locale: str, width: float, text):
    # Locale-aware like every paragraph (its fallback fonts), but all text here is
    # English, so the line runs left to right in a right-to-left handout too.
    item = text.paragraph(spans, style, locale=locale)
    _, height = item.wrap(width, 1000)
    return item, height


def draw_watermark(canvas, page_size: tuple[float, float], locale: str, text) -> None:
    """The diagonal watermark across the middle of the page; draw it before the content."""
    width, height = page_size
    span = math.hypot(width, height)
    big, big_h = _para((c.Span("SAMPLE"),), _BIG, locale, span, text)
    under, under_h = _para((c.Span("not for patients"),), _UNDER, locale, span, text)
    canvas.saveState()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(math.degrees(math.atan2(height, width)))
    total = big_h + under_h
    big.drawOn(canvas, -span / 2, total / 2 - big_h)
    under.drawOn(canvas, -span / 2, -total / 2)
    canvas.restoreState()


def draw_marks(canvas, page_size: tuple[float, float], locale: str, margin: float,
               text) -> None:
    """The strip across the top edge and the line at the foot of the page, their text
    within the page's side margins."""
    width, height = page_size
    canvas.saveState()
    canvas.setFillColor(colors.HexColor(RED))
    canvas.rect(0, height - STRIP_HEIGHT, width, STRIP_HEIGHT, stroke=0, fill=1)
    canvas.restoreState()
    strip, strip_h = _para((c.Span(MARK, bold=True), c.Span(f"  ·  {DETAIL}")), _STRIP,
                           locale, width - 2 * margin, text)
    # Low in the strip: the top few millimetres of a sheet are where printers cannot print.
    strip.drawOn(canvas, margin, height - STRIP_HEIGHT + (STRIP_HEIGHT - strip_h) / 2 - 1)
    foot, _ = _para((c.Span(MARK),), _FOOT, locale, width - 2 * margin, text)
    foot.drawOn(canvas, margin, 4 * mm)
