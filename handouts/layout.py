"""Layout stage: Document + Brand -> Platypus flowables and the page furniture.

Page 1 carries the letterhead band (logo, clinic name, contact, QR code); every page
carries a footer with the patient identifier, the handout version and language, and
"page X of Y"; a made-up clinic's pages also carry the sample mark (`sample_mark`). All
text goes through the text seam (`handouts.text.Typesetter.paragraph`).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from babel import Locale
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from . import content as c
from . import formats
from . import sample_mark
from .brand import Brand
from .errors import BrandError
from .caches import pure_memo
from .drawings import Drawings
from .grid import Grid, GridStyle, Line, Padding
from .paper import PAGE_SIZES
from .text import TextStyle, Typesetter

MARGIN = 16 * mm
BAND_HEIGHT = 26 * mm
QR_SIZE = BAND_HEIGHT - 9 * mm
CONTACT_WIDTH = 62 * mm
CONTACT_TOP = 2.5 * mm        # from the top of the band
CAPTION_FOOT = 1.5 * mm       # the QR address's distance from the band's foot
FOOTER_HEIGHT = 12 * mm
BULLET = "•"


@dataclass(frozen=True)
class Styles:
    body: TextStyle
    small: TextStyle
    title: TextStyle
    subtitle: TextStyle
    heading: TextStyle
    callout_heading: TextStyle
    label: TextStyle
    footer: TextStyle
    band_name: TextStyle
    band_contact: TextStyle
    band_caption: TextStyle


@pure_memo(maxsize=64)
def styles_for(brand_primary: str, brand_accent: str) -> Styles:
    return Styles(
        body=TextStyle(size=10, leading=13.2),
        small=TextStyle(size=8, leading=10, colour="#4D4D4D"),
        title=TextStyle(size=21, leading=25, colour=brand_primary, bold=True),
        subtitle=TextStyle(size=11.5, leading=14, colour="#4D4D4D"),
        heading=TextStyle(size=13, leading=16, colour=brand_primary, bold=True),
        callout_heading=TextStyle(size=12.5, leading=15, colour="#FFFFFF", bold=True),
        label=TextStyle(size=9.5, leading=12.5, colour=brand_primary, bold=True),
        footer=TextStyle(size=7.5, leading=9, colour="#4D4D4D"),
        band_name=TextStyle(size=15, leading=18, colour="#FFFFFF", bold=True),
        band_contact=TextStyle(size=8.5, leading=10, colour="#FFFFFF", align="end"),
        band_caption=TextStyle(size=7.5, leading=9, colour="#FFFFFF", align="end"),
    )


def tint(hex_colour: str, amount: float) -> colors.Color:
    """The colour mixed with white: amount 0 is white, 1 the colour itself."""
    base = colors.HexColor(hex_colour)
    return colors.Color(1 - (1 - base.red) * amount, 1 - (1 - base.green) * amount,
                        1 - (1 - base.blue) * amount)


class BulletItem(Flowable):
    """A list item: a bullet in the start margin and the item's text indented."""

    def __init__(self, body: Flowable, bullet: Flowable, indent: float, rtl: bool = False):
        super().__init__()
        self.body, self.bullet, self.indent, self.rtl = body, bullet, indent, rtl

    def wrap(self, available_width, available_height):
        self.width = available_width
        _, self.height = self.body.wrap(available_width - self.indent, available_height)
        self.bullet.wrap(self.indent, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        parts = self.body.split(available_width - self.indent, available_height)
        if len(parts) < 2:
            return []
        first = BulletItem(parts[0], self.bullet, self.indent, self.rtl)
        rest = [_Indented(p, self.indent, self.rtl) for p in parts[1:]]
        return [first] + rest

    def draw(self):
        body_x = 0 if self.rtl else self.indent
        self.body.drawOn(self.canv, body_x, 0)
        bullet_height = self.bullet.height
        bullet_x = self.width - self.indent + 2 if self.rtl else 2
        first_line = getattr(self.body, "first_line_height", None) or bullet_height
        self.bullet.drawOn(self.canv, bullet_x, self.height - first_line)


class _Indented(Flowable):
    def __init__(self, body: Flowable, indent: float, rtl: bool):
        super().__init__()
        self.body, self.indent, self.rtl = body, indent, rtl

    def wrap(self, available_width, available_height):
        self.width = available_width
        _, self.height = self.body.wrap(available_width - self.indent, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        return [_Indented(p, self.indent, self.rtl)
                for p in self.body.split(available_width - self.indent, available_height)]

    def draw(self):
        self.body.drawOn(self.canv, 0 if self.rtl else self.indent, 0)


@dataclass(frozen=True)
class PageSetup:
    """What the page furniture needs, fixed before the build starts."""
    page_size: tuple[float, float]
    brand: Brand
    footer: tuple[c.Spans, ...]
    locale: str
    rtl: bool


class HandoutLayout:
    """Turns a Document into flowables for one brand and one locale."""

    def __init__(self, brand: Brand, locale: str, rtl: bool, page_size_name: str,
                 numbers: Locale, *, text: Typesetter, drawings: Drawings,
                 private: tuple[str, ...] = ()):
        self.text = text                # the library's text engine and its fonts
        self.fonts = text.fonts
        self.drawings = drawings        # the library's recorded logos and QR codes
        self.private = private          # what the patient or clinician typed: never kept
        self.brand = brand
        self.locale = locale
        self.numbers = numbers          # the Babel locale that writes the page numbers
        self.rtl = rtl
        self.page_size = PAGE_SIZES[page_size_name]
        self.styles = styles_for(brand.primary_colour, brand.accent_colour)
        self.frame_width = self.page_size[0] - 2 * MARGIN

    def para(self, spans: c.Spans, style: TextStyle) -> Flowable:
        keep = not c.holds_any("".join(s.text for s in spans), self.private)
        return self.text.paragraph(spans, style, locale=self.locale, keep=keep)

    def flowables(self, document: c.Document) -> list[Flowable]:
        out: list[Flowable] = []
        for block in document.blocks:
            out.extend(self.block(block, self.frame_width))
        # A spacer after the last block must not push an empty page onto the document.
        while out and isinstance(out[-1], Spacer):
            out.pop()
        return out

    def block(self, block, width: float) -> list[Flowable]:
        """The flowables of one block: each kind of the content's vocabulary (content.py
        declares them) has its drawing here, and a kind without one is an error."""
        draw = self._DRAWN.get(type(block))
        if draw is None:
            raise TypeError(f"no layout for {type(block).__name__}")
        return draw(self, block, width)

    def _title(self, block: c.Title, width: float) -> list[Flowable]:
        return [self.para(block.spans, self.styles.title), Spacer(0, 1 * mm)]

    def _subtitle(self, block: c.Subtitle, width: float) -> list[Flowable]:
        return [self.para(block.spans, self.styles.subtitle), Spacer(0, 3 * mm)]

    def _paragraph(self, block: c.Para, width: float) -> list[Flowable]:
        style = self.styles.small if block.small else self.styles.body
        return [self.para(block.spans, style), Spacer(0, (1 if block.small else 2) * mm)]

    _DRAWN = MappingProxyType({
        c.Title: _title,
        c.Subtitle: _subtitle,
        c.Notice: lambda self, block, width: [self.notice(block, width), Spacer(0, 3 * mm)],
        c.PatientBox: lambda self, block, width: [self.patient_box(block, width),
                                                  Spacer(0, 2.5 * mm)],
        c.Para: _paragraph,
        c.Bullets: lambda self, block, width: self.bullets(block),
        c.Callout: lambda self, block, width: [Spacer(0, 1 * mm), self.callout(block, width),
                                               Spacer(0, 3 * mm)],
        c.Section: lambda self, block, width: self.section(block, width),
        c.Table: lambda self, block, width: [self.table(block, width), Spacer(0, 1.5 * mm)],
    })

    def bullets(self, block: c.Bullets) -> list[Flowable]:
        indent = 4.5 * mm
        out = []
        for item in block.items:
            bullet = self.para((c.Span(BULLET),), self.styles.body)
            out.append(BulletItem(self.para(item, self.styles.body), bullet, indent, self.rtl))
            out.append(Spacer(0, 1.2 * mm))
        return out

    def section(self, block: c.Section, width: float) -> list[Flowable]:
        heading = self.para(block.heading, self.styles.heading)
        rule = Rule(width, 0.8, colors.HexColor(self.brand.primary_colour))
        body = [f for inner in block.blocks for f in self.block(inner, width)]
        # The heading stays with the start of its section, never alone at a page foot.
        head = [Spacer(0, 1.5 * mm), heading, Spacer(0, 0.8 * mm), rule, Spacer(0, 2 * mm)]
        return [KeepTogether(head + body[:2])] + body[2:]

    def notice(self, block: c.Notice, width: float) -> Flowable:
        inner = [self.para(p.spans, self.styles.body if i == 0 else self.styles.small)
                 for i, p in enumerate(block.blocks)]
        return Grid([[inner]], GridStyle(
            col_widths=(width,), paddings=(Padding(3 * mm, 3 * mm, 2 * mm, 2 * mm),),
            backgrounds=(colors.HexColor("#FFF4CC"),),
            lines=(Line("box", 1, colors.HexColor("#B7950B")),)))

    def patient_box(self, block: c.PatientBox, width: float) -> Flowable:
        label_width = 34 * mm
        rows = [[[self.para((c.Span(label),), self.styles.label)],
                 [self.para(value, self.styles.body)]] for label, value in block.fields]
        if self.rtl:
            rows = [list(reversed(r)) for r in rows]
            widths = (width - label_width, label_width)
        else:
            widths = (label_width, width - label_width)
        # The bar along the labels' side: the start side, the right in RTL.
        bar = Line("after" if self.rtl else "before", 3,
                   colors.HexColor(self.brand.primary_colour))
        return Grid(rows, GridStyle(
            col_widths=widths, paddings=(Padding(2.5 * mm, 2 * mm, 1.2 * mm, 1.2 * mm),),
            backgrounds=(tint(self.brand.primary_colour, 0.08),) * len(rows),
            lines=(bar,), valign="top"))

    def callout(self, block: c.Callout, width: float) -> Flowable:
        accent = colors.HexColor(self.brand.accent_colour)
        inner_width = width - 8 * mm
        heading = self.para(block.heading, self.styles.callout_heading)
        body = [f for inner in block.blocks for f in self.block(inner, inner_width)]
        grid = Grid([[[heading]], [body]], GridStyle(
            col_widths=(width,),
            paddings=(Padding(4 * mm, 4 * mm, 1.8 * mm, 1.8 * mm),
                      Padding(4 * mm, 4 * mm, 2.5 * mm, 0.5 * mm)),
            backgrounds=(accent, tint(self.brand.accent_colour, 0.08)),
            lines=(Line("box", 2, accent),)))
        return KeepTogether([grid])

    def table(self, block: c.Table, width: float) -> Flowable:
        header_style = TextStyle(size=9, leading=11.5, colour="#FFFFFF", bold=True)
        cell_style = TextStyle(size=9, leading=11.5)
        rows = []
        if block.header:
            rows.append([[self.para(cell, header_style)] for cell in block.header])
        rows.extend([[self.para(cell, cell_style)] for cell in row] for row in block.rows)
        fractions = (0.42, 0.28, 0.30)
        widths = [width * f for f in fractions[:len(rows[0])]]
        if self.rtl:
            rows = [list(reversed(r)) for r in rows]
            widths.reverse()
        header = 1 if block.header else 0
        return Grid(rows, GridStyle(
            col_widths=tuple(widths), paddings=(Padding(top=1.2 * mm, bottom=1.2 * mm),),
            backgrounds=(colors.HexColor(self.brand.primary_colour),) if header else (),
            lines=(Line("below", 0.4, colors.HexColor("#BFBFBF")),), valign="top",
            header_rows=header))

    # -- page furniture ------------------------------------------------------------------

    def draw_letterhead(self, canvas) -> None:
        """The brand band at the top of page 1."""
        width, height = self.page_size
        primary = colors.HexColor(self.brand.primary_colour)
        canvas.saveState()
        if self.brand.sample:       # below the sample strip (pdf moves page 1's frame too)
            canvas.translate(0, -sample_mark.STRIP_HEIGHT)
        canvas.setFillColor(primary)
        canvas.rect(0, height - BAND_HEIGHT, width, BAND_HEIGHT, stroke=0, fill=1)
        # Right to left, the band is mirrored: logo and name on the right, QR on the left.
        def at(left: float, span: float) -> float:
            return width - left - span if self.rtl else left

        x = MARGIN
        logo_size = BAND_HEIGHT - 8 * mm
        logo_y = height - BAND_HEIGHT + 4 * mm
        if self.brand.logo:
            canvas.setFillColor(colors.white)
            canvas.roundRect(at(x - 1.5 * mm, logo_size + 3 * mm), logo_y - 1.5 * mm,
                             logo_size + 3 * mm, logo_size + 3 * mm, 2 * mm, stroke=0, fill=1)
            self.drawings.draw_logo(canvas, self.brand.logo, at(x, logo_size), logo_y, logo_size)
            x += logo_size + 5 * mm
        qr_size = 0.0
        if self.brand.qr_url:
            # The code at the top of the band, its address under it along the band's
            # foot (below the contact lines), for a patient who cannot scan it.
            qr_size = QR_SIZE
            qr_x = at(width - MARGIN - qr_size, qr_size)
            qr_y = height - qr_size - 2.5 * mm
            canvas.setFillColor(colors.white)
            canvas.rect(qr_x, qr_y, qr_size, qr_size, stroke=0, fill=1)
            self.drawings.draw_qr(canvas, self.brand.qr_url, qr_x, qr_y, qr_size)
            caption, caption_width, _ = self._qr_caption()
            caption.drawOn(canvas, at(width - MARGIN - caption_width, caption_width),
                           height - BAND_HEIGHT + CAPTION_FOOT)
            qr_size += 4 * mm
        y = height - CONTACT_TOP
        for item, h in self._contact():
            y -= h
            item.drawOn(canvas, at(width - MARGIN - qr_size - CONTACT_WIDTH, CONTACT_WIDTH), y)
        contact_width = CONTACT_WIDTH
        name = self.para((c.Span(self.brand.name),), self.styles.band_name)
        name_width = width - MARGIN - qr_size - contact_width - x - 3 * mm
        _, h = name.wrap(name_width, BAND_HEIGHT)
        name.drawOn(canvas, at(x, name_width), height - BAND_HEIGHT / 2 - h / 2)
        canvas.restoreState()

    def _contact(self) -> list[tuple[Flowable, float]]:
        """The letterhead's contact lines (phone, address, website), each with its height."""
        lines = [self.brand.phone] + list(self.brand.address) + \
            ([self.brand.website] if self.brand.website else [])
        out = []
        for i, line in enumerate(lines):
            item = self.para((c.Span(line, phone=(i == 0)),), self.styles.band_contact)
            out.append((item, item.wrap(CONTACT_WIDTH, BAND_HEIGHT)[1]))
        return out

    def _qr_caption(self) -> tuple[Flowable, float, float]:
        """The QR code's address as a patient types it, left to right whatever the
        language, with its width and height."""
        caption = self.para((c.Span(self.brand.qr_text, isolate=True),),
                            self.styles.band_caption)
        width = CONTACT_WIDTH + QR_SIZE + 4 * mm
        return caption, width, caption.wrap(width, BAND_HEIGHT)[1]

    def check_letterhead(self) -> None:
        """Refuse a brand whose contact lines would run into the QR code's address (or
        out of the band): the band's height is fixed."""
        bottom = CONTACT_TOP + sum(h for _, h in self._contact())
        room = BAND_HEIGHT - 1 * mm
        if self.brand.qr_url:
            room = BAND_HEIGHT - CAPTION_FOOT - self._qr_caption()[2] - 0.5 * mm
        if bottom > room:
            raise BrandError(
                "the phone, address and website take more lines than the letterhead has "
                + ("beside the QR code and its address" if self.brand.qr_url else "room for"),
                field="clinic.address",
                hint="shorten the address lines (five contact lines fit with a QR code, "
                     "six without), or leave out the website")

    def draw_under_content(self, canvas) -> None:
        """What a page has under its text: a made-up clinic's watermark."""
        if self.brand.sample:
            sample_mark.draw_watermark(canvas, self.page_size, self.locale, self.text)

    def draw_footer(self, canvas, footer: tuple[c.Spans, ...], page: int, pages: int) -> None:
        width, _ = self.page_size
        fields = {"page-number": formats.number(page, self.numbers),
                  "page-count": formats.number(pages, self.numbers)}
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#BFBFBF"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, FOOTER_HEIGHT, width - MARGIN, FOOTER_HEIGHT)
        cell_width = (width - 2 * MARGIN) / max(1, len(footer))
        # start/end are the locale's: the first cell is at the start side either way.
        aligns = ["start", "centre", "end"] if len(footer) == 3 else ["start", "end"]
        top = FOOTER_HEIGHT - 2 * mm + (sample_mark.FOOTER_LIFT if self.brand.sample else 0)
        for index, cell in enumerate(footer):
            style = TextStyle(size=self.styles.footer.size, leading=self.styles.footer.leading,
                              colour=self.styles.footer.colour, align=aligns[index],
                              bold=(index == 0))
            filled = tuple(c.Span(str(fields[s.field]), s.bold, s.italic) if s.field else s
                           for s in cell)
            item = self.para(filled, style)
            item.shareable = False
            _, h = item.wrap(cell_width, FOOTER_HEIGHT)
            slot = (len(footer) - 1 - index) if self.rtl else index
            item.drawOn(canvas, MARGIN + slot * cell_width, top - h)
        canvas.restoreState()
        if self.brand.sample:
            sample_mark.draw_marks(canvas, self.page_size, self.locale, MARGIN, self.text)


class Rule(Flowable):
    def __init__(self, width: float, thickness: float, colour):
        super().__init__()
        self.width, self.thickness, self.colour = width, thickness, colour
        self.height = thickness

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.thickness

    def draw(self):
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, 0, self.width, 0)
