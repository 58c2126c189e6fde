"""Brand stage: a clinic's brand file (TOML) -> a validated, frozen `Brand`.

This is an edge module: it reads the brand file and the logo it names, so that the
render core only ever sees bytes and plain values.
"""
from __future__ import annotations

import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BrandError
from .paper import paper_for_country

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class SupportLine:
    """One support service: a row of the support-lines table, never translated prose."""
    country: str
    name: str
    how: str          # "call", "text", "call or text"
    number: str
    hours: str = ""
    languages: str = ""
    last_verified: str = ""


@dataclass(frozen=True)
class Logo:
    kind: str          # "png" or "svg"
    data: bytes


@dataclass(frozen=True)
class Brand:
    name: str
    country: str
    phone: str
    after_hours_phone: str
    emergency_number: str
    address: tuple[str, ...] = ()
    website: str = ""
    qr_url: str = ""
    primary_colour: str = "#1F4E79"
    accent_colour: str = "#C0392B"
    logo: Logo | None = None
    paper: str = "letter"
    support_lines: tuple[SupportLine, ...] = field(default_factory=tuple)
    sample: bool = False      # a made-up clinic: every page says it is not for patients


def load_brand(path: str | Path) -> Brand:
    """Read and validate a brand file; every problem names the file, field and fix."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BrandError("file not found", source=where,
                         hint="pass --brand with the path of a brand TOML file, "
                              "e.g. brands/example-clinic.toml") from None
    except OSError as exc:
        raise BrandError(f"cannot be read: {exc.strerror}", source=where) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BrandError("is not UTF-8 text", source=where,
                         hint="save the brand file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise BrandError(f"is not valid TOML: {exc}", source=where, line=line,
                         hint="see https://toml.io for the syntax") from None
    return brand_from_mapping(data, where=where, base_dir=path.parent)


def brand_from_mapping(data: dict, *, where: str, base_dir: Path) -> Brand:
    clinic = data.get("clinic")
    if not isinstance(clinic, dict):
        raise BrandError("missing the [clinic] table", source=where,
                         hint="start the file with [clinic] and a name, country and phone")

    def text(key: str, required: bool = False, default: str = "") -> str:
        value = clinic.get(key, default)
        if not isinstance(value, str):
            raise BrandError(f"must be text in quotes, not {type(value).__name__}",
                             source=where, field=f"clinic.{key}")
        value = value.strip()
        if required and not value:
            raise BrandError("is required", source=where, field=f"clinic.{key}",
                             hint=f'add {key} = "..." under [clinic]')
        return value

    name = text("name", required=True)
    country = text("country", required=True).upper()
    if not COUNTRY.match(country):
        raise BrandError(f"{clinic.get('country')!r} is not a two-letter country code",
                         source=where, field="clinic.country",
                         hint="use ISO 3166-1 alpha-2, e.g. US, GB, MX")
    phone = text("phone", required=True)
    after_hours = text("after_hours_phone", default=phone) or phone
    emergency = text("emergency_number", required=True)
    address = clinic.get("address", [])
    if isinstance(address, str):
        address = [address]
    if not isinstance(address, list) or not all(isinstance(a, str) for a in address):
        raise BrandError("must be a list of lines", source=where, field="clinic.address",
                         hint='e.g. address = ["12 Main St", "Springfield, IL 62701"]')
    paper = text("paper").lower() or paper_for_country(country)
    if paper not in PAPERS:
        raise BrandError(f"{paper!r} is not a paper size", source=where, field="clinic.paper",
                         hint="use letter or a4, or leave it out to follow the country")

    colours = data.get("colors", data.get("colours", {}))
    if not isinstance(colours, dict):
        raise BrandError("must be a table", source=where, field="colors")
    primary = _colour(colours, "primary", "#1F4E79", where)
    accent = _colour(colours, "accent", "#B03A2E", where)

    logo_name = text("logo")
    logo = load_logo(base_dir / logo_name, where=where) if logo_name else None

    lines = []
    for number, row in enumerate(data.get("support_lines", []), start=1):
        lines.append(support_line_from_mapping(row, where=where,
                                               field=f"support_lines[{number}]"))
    return Brand(name=name, country=country, phone=phone, after_hours_phone=after_hours,
                 emergency_number=emergency, address=tuple(address),
                 website=text("website"), qr_url=text("qr_url"), primary_colour=primary,
                 accent_colour=accent, logo=logo, paper=paper, support_lines=tuple(lines),
                 sample=clinic.get("sample") is True)


def support_line_from_mapping(row: object, *, where: str, field: str) -> SupportLine:
    if not isinstance(row, dict):
        raise BrandError("must be a table", source=where, field=field)
    values = {}
    for key in ("country", "name", "how", "number", "hours", "languages", "last_verified"):
        value = row.get(key, "")
        if not isinstance(value, str):
            value = str(value)
        values[key] = value.strip()
    for key in ("country", "name", "how", "number", "last_verified"):
        if not values[key]:
            raise BrandError("is required", source=where, field=f"{field}.{key}",
                             hint="each support line needs country, name, how, number "
                                  "and last_verified (YYYY-MM-DD)")
    values["country"] = values["country"].upper()
    return SupportLine(**values)


def load_logo(path: Path, *, where: str) -> Logo:
    try:
        data = path.read_bytes()
    except OSError:
        raise BrandError(f"{path} not found", source=where, field="clinic.logo",
                         hint="give a PNG or SVG path relative to the brand file") from None
    kind = _sniff_image(data)
    if kind is None:
        raise BrandError(f"{path} is not a PNG or SVG image", source=where,
                         field="clinic.logo", hint="export the logo as PNG or SVG")
    try:
        _check_image(kind, data)
    except Exception as exc:
        raise BrandError(f"{path} is a damaged {kind.upper()} image ({exc})", source=where,
                         field="clinic.logo", hint="export the logo again as PNG or SVG") from None
    return Logo(kind=kind, data=data)


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head) or \
            b"<svg" in head[:512]:
        return "svg"
    return None


def _check_image(kind: str, data: bytes) -> None:
    if kind == "png":
        from PIL import Image
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    else:
        from .layout import svg_drawing
        svg_drawing(data)


def _colour(table: dict, key: str, default: str, where: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not HEX_COLOUR.match(value):
        raise BrandError(f"{value!r} is not a colour", source=where, field=f"colors.{key}",
                         hint='use a hex colour such as "#1F4E79"')
    return value.upper()


def _toml_error_line(message: str) -> int | None:
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else None
