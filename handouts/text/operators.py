"""Draw: shaped glyphs -> PDF text operators (the last step of the text engine).

Glyphs are shown by id in TJ arrays at HarfBuzz's positions, with y offsets as text rise;
numbers are written with at most three decimals, so the same layout is the same bytes.
"""
from __future__ import annotations

from .fonts import Font
from .shaping import Glyphs

GAP = 100                  # a forward jump (1/1000 em) that text extractors read as a space


def colour_ops(colour: str) -> str:
    """Fill and stroke colour operators (stroke for emboldened text)."""
    value = colour.lstrip("#")
    rgb = " ".join(number(int(value[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return f"{rgb} rg {rgb} RG"


def number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def show(font: Font, glyphs: Glyphs, size: float) -> tuple[list[str], bool]:
    """TJ operators drawing glyphs at HarfBuzz's positions; y offsets as text rise.
    Positions are in thousandths of an em from the run's start. Also tells
    whether the pen jumps forward between glyphs by more than readers take for a word gap
    (a mark placed left of its own origin, then the next letter)."""
    k = 1000 / font.upem
    widths = font.widths
    gids, advances = glyphs.gids, glyphs.advances
    xoffs, yoffs = glyphs.x_offsets, glyphs.y_offsets
    pen = [0] * len(gids)
    at = 0
    for i, adv in enumerate(advances):
        pen[i] = at
        at += adv
    out: list[str] = []
    items: list[str] = []
    hexes: list[str] = []
    rise = 0
    jumps = False
    position = 0.0              # where the PDF's text position is now, in 1/1000 em
    for i, gid in enumerate(gids):
        if yoffs[i] != rise:
            if hexes:
                items.append("<" + "".join(hexes) + ">")
                hexes = []
            if items:
                out.append("[" + " ".join(items) + "] TJ")
                items = []
            rise = yoffs[i]
            out.append(f"{number(rise * size / font.upem)} Ts")
        target = (pen[i] + xoffs[i]) * k
        adjust = position - target
        if adjust < -GAP:
            jumps = True
        if abs(adjust) >= 0.005:
            if hexes:
                items.append("<" + "".join(hexes) + ">")
                hexes = []
            items.append(number(round(adjust, 2)))
        hexes.append(f"{gid:04X}")
        position = target + widths[gid]
    if hexes:
        items.append("<" + "".join(hexes) + ">")
    if items:
        out.append("[" + " ".join(items) + "] TJ")
    if rise:
        out.append("0 Ts")
    return out, jumps


def needs_actual_text(source: str, font: Font, glyphs: Glyphs, jumps: bool) -> bool:
    """Whether a piece needs ActualText: not when its glyphs' ToUnicode text reads back
    as the source, no glyph is raised or lowered (text rise makes a separate text object
    that readers place apart) and none is far ahead of the previous one (read as a
    space). (Lines holding right-to-left text always have it.)"""
    texts = font.glyph_text
    return jumps or any(glyphs.y_offsets) or \
        "".join(texts.get(g, "\ufffd") for g in glyphs.gids) != source


__all__ = ["colour_ops", "number", "show", "needs_actual_text", "GAP"]
