"""Fonts for the text engine: the vendored faces in fonts/, read through the manifest.

Only files listed in fonts/manifest.toml are ever used, never a system font.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont as FontToolsFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.lib.fonts import addMapping

from ..resources import FONTS_DIR

BODY_FAMILY = "Noto Sans"


@dataclass(frozen=True)
class FontFace:
    file: str
    family: str
    style: str            # regular, bold, italic
    scripts: tuple[str, ...]
    sha256: str
    source: str
    version: str
    licence: str
    licence_file: str

    @property
    def path(self) -> Path:
        return FONTS_DIR / self.file

    @property
    def pdf_name(self) -> str:
        """The name the face is registered under in ReportLab."""
        return self.family.replace(" ", "") + "-" + self.style.capitalize()


@lru_cache(maxsize=None)
def manifest(fonts_dir: Path = FONTS_DIR) -> tuple[FontFace, ...]:
    data = tomllib.loads((fonts_dir / "manifest.toml").read_text("utf-8"))
    return tuple(FontFace(file=row["file"], family=row["family"], style=row["style"],
                          scripts=tuple(row.get("scripts", ())), sha256=row["sha256"],
                          source=row["source"], version=row["version"],
                          licence=row["licence"], licence_file=row["licence_file"])
                 for row in data["font"])


def face(family: str, style: str) -> FontFace:
    for candidate in manifest():
        if candidate.family == family and candidate.style == style:
            return candidate
    raise KeyError(f"{family} {style} is not in fonts/manifest.toml")


@lru_cache(maxsize=None)
def register_family(family: str = BODY_FAMILY) -> str:
    """Register a family's faces with ReportLab once per process; returns its base name."""
    faces = {f.style: f for f in manifest() if f.family == family}
    regular = faces["regular"]
    for f in faces.values():
        pdfmetrics.registerFont(TTFont(f.pdf_name, str(f.path)))
    bold = faces.get("bold", regular).pdf_name
    italic = faces.get("italic", regular).pdf_name
    base = regular.pdf_name
    addMapping(base, 0, 0, base)
    addMapping(base, 1, 0, bold)
    addMapping(base, 0, 1, italic)
    addMapping(base, 1, 1, bold)
    return base


@lru_cache(maxsize=None)
def coverage(family: str = BODY_FAMILY) -> frozenset[int]:
    """Code points that every face of a family can draw."""
    sets = [set(FontToolsFont(str(f.path), lazy=True).getBestCmap())
            for f in manifest() if f.family == family]
    return frozenset(set.intersection(*sets))
