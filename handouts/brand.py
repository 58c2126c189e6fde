"""Brand stage: a clinic's brand file (TOML) -> a validated, frozen `Brand`.

This is an edge module: it reads the brand file and the logo it names, so that the
render core only ever sees bytes and plain values. It fails closed: an unknown key, a
phone number with letters, an unreadable colour or a damaged logo stops with one line
naming the file, line, key and fix (the schema is in brand_schema.py), never a default.
"""
from __future__ import annotations

import io
import math
import struct
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import brand_schema as schema
from .errors import BrandError
from .input_files import UnusableFile, key_line, read_bounded, toml_error_line
from .paper import paper_for_country

PAPERS = ("letter", "a4")
# Bounds on what a brand file may make every render read and decode: a logo is a few
# kilobytes, and a wrong path must not make the print run read or decode something huge.
MAX_BRAND_BYTES = 1_000_000
MAX_LOGO_BYTES = 2_000_000
MAX_SVG_BYTES = 1_000_000
MAX_LOGO_PIXELS = 4000


@dataclass(frozen=True)
class SupportLine:
    """One support service: a row of the support-lines table, never translated prose."""
    country: str
    name: str
    how: str          # "call", "text", "call or text"
    number: str
    hours: str = ""
    languages: str = ""
    cost: str = ""    # "free", or "" when not known or the usual rate: printed only if set
    crisis: bool = False  # the country's crisis line, named in the urgent-help box
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
    avoid_baths: bool = False  # the clinic advises no baths until bleeding stops
    sample: bool = False      # a made-up clinic: every page says it is not for patients

    @property
    def qr_text(self) -> str:
        """The QR code's address as printed under it, for typing."""
        return schema.short_address(self.qr_url)


def load_brand(path: str | Path) -> Brand:
    """Read and validate a brand file; every problem names the file, field and fix."""
    path = Path(path)
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BRAND_BYTES:
            raise BrandError(f"is {_megabytes(size)}; a brand file is a few lines of text",
                             source=where, hint="check that --brand names the TOML file")
        raw = read_bounded(path, MAX_BRAND_BYTES)
    except FileNotFoundError:
        raise BrandError("file not found", source=where,
                         hint="pass --brand with the path of a brand TOML file, "
                              "e.g. brands/example-clinic.toml") from None
    except UnusableFile as exc:
        raise BrandError(exc.message, source=where, hint=exc.hint) from None
    except ValueError:          # a NUL in the path
        raise BrandError("is not a usable path", source=repr(where),
                         hint="give the path of the brand TOML file") from None
    except OSError as exc:
        raise BrandError(f"cannot be read: {exc.strerror}", source=where) from None
    try:
        source_text = raw.decode("utf-8")
        data = tomllib.loads(source_text)
    except UnicodeDecodeError:
        raise BrandError("is not UTF-8 text", source=where,
                         hint="save the brand file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        line = toml_error_line(exc)
        raise BrandError(f"is not valid TOML: {exc}", source=where, line=line,
                         hint="see https://toml.io for the syntax") from None
    try:
        return brand_from_mapping(data, where=where, base_dir=path.parent)
    except BrandError as error:
        if error.line is not None or error.source != where:
            raise
        raise error.located(line=key_line(source_text, error.field)) from None


def brand_files(path: str | Path) -> tuple[Path, ...]:
    """The files a brand is made from: its TOML file and the logo it names (when the
    file can be read; load_brand reports it when it cannot)."""
    path = Path(path)
    try:
        logo = tomllib.loads(read_bounded(path, MAX_BRAND_BYTES).decode("utf-8")
                            )["clinic"]["logo"]
    except Exception:       # unreadable or no logo: the TOML file alone
        return (path,)
    return (path, path.parent / logo) if isinstance(logo, str) and logo else (path,)


def brand_from_mapping(data: dict, *, where: str, base_dir: Path) -> Brand:
    _check_tables(data, where)
    clinic = data.get("clinic")
    if not isinstance(clinic, dict):
        raise BrandError("missing the [clinic] table", source=where,
                         hint="start the file with [clinic] and a name, country and phone")
    schema.check_keys(clinic, schema.CLINIC_KEYS, where=where, prefix="clinic",
                      label="[clinic]")

    def get(key: str, required: bool = False) -> str:
        value = schema.text(clinic.get(key, ""), where=where, field=f"clinic.{key}")
        if required and not value:
            raise BrandError("is required", source=where, field=f"clinic.{key}",
                             hint=f'add {key} = "..." under [clinic]')
        return value

    def phone(key: str) -> str:
        return schema.phone(get(key, required=True), where=where, field=f"clinic.{key}")

    name = get("name", required=True)
    country = schema.country(get("country", required=True), where=where,
                             field="clinic.country")
    daytime = phone("phone")
    # Left out, the daytime number is printed for after hours too (documented); written,
    # it must be a number: an empty or misspelt one must not fall back to the daytime one.
    if "after_hours_phone" in clinic and not get("after_hours_phone"):
        raise BrandError("is empty", source=where, field="clinic.after_hours_phone",
                         hint="write the after-hours number, or leave the key out to "
                              "print the daytime number")
    after_hours = phone("after_hours_phone") if "after_hours_phone" in clinic else daytime
    emergency = phone("emergency_number")
    address = _address(clinic.get("address", []), where)
    website = schema.website(get("website"), where=where, field="clinic.website")
    qr_url = schema.qr_url(get("qr_url"), where=where, field="clinic.qr_url")
    paper = get("paper").lower() or paper_for_country(country)
    if paper not in PAPERS:
        raise BrandError(f"{paper!r} is not a paper size", source=where, field="clinic.paper",
                         hint="use letter or a4, or leave it out to follow the country")
    sample = schema.flag(clinic.get("sample", False), where=where, field="clinic.sample")
    avoid_baths = schema.flag(clinic.get("avoid_baths", False), where=where,
                              field="clinic.avoid_baths")

    # [colours] is accepted for British writers; _check_tables refused having both.
    table = "colours" if "colours" in data else "colors"
    colours = data.get(table, {})
    if not isinstance(colours, dict):
        raise BrandError("must be a table", source=where, field=table,
                         hint=f"write [{table}] with primary and accent under it")
    schema.check_keys(colours, schema.COLOUR_KEYS, where=where, prefix=table,
                      label=f"[{table}]")
    primary = schema.colour(colours.get("primary", "#1F4E79"), where=where,
                            field=f"{table}.primary")
    accent = schema.colour(colours.get("accent", "#B03A2E"), where=where,
                           field=f"{table}.accent")

    logo_name = get("logo")
    logo = load_logo(base_dir / logo_name, where=where) if logo_name else None

    rows = data.get("support_lines", [])
    if not isinstance(rows, list):
        raise BrandError("must be a list of [[support_lines]] tables", source=where,
                         field="support_lines", hint="start each line with [[support_lines]]")
    lines = []
    for number, row in enumerate(rows, start=1):
        line = support_line_from_mapping(row, where=where, field=f"support_lines[{number}]")
        # The handout prints only the lines of the clinic's country: another country's
        # line in a clinic's own file would be dropped without a word.
        if line.country != country:
            raise BrandError(f"{line.country!r} is not the clinic's country {country}",
                             source=where, field=f"support_lines[{number}].country",
                             hint=f"a clinic's own lines print only for its country; "
                                  f"write {country} or remove the line")
        lines.append(line)
    return Brand(name=name, country=country, phone=daytime, after_hours_phone=after_hours,
                 emergency_number=emergency, address=address, website=website,
                 qr_url=qr_url, primary_colour=primary, accent_colour=accent, logo=logo,
                 paper=paper, support_lines=tuple(lines), avoid_baths=avoid_baths,
                 sample=sample)


def _check_tables(data: dict, where: str) -> None:
    for name in data:
        if name in schema.TABLES:
            continue
        if name in schema.CLINIC_KEYS:
            raise BrandError("must be under [clinic]", source=where, field=name,
                             hint="move it below the [clinic] line")
        raise BrandError("unknown table", source=where, field=name,
                         hint=schema.did_you_mean(name, schema.TABLES) or
                         "the tables are [clinic], [colors] and [[support_lines]]")
    if "colors" in data and "colours" in data:
        raise BrandError("is given as well as [colors]", source=where, field="colours",
                         hint="keep one of them")


def _address(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value] if value.strip() else []
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise BrandError("must be a list of lines", source=where, field="clinic.address",
                         hint='e.g. address = ["12 Main St", "Springfield, IL 62701"]')
    lines = []
    for number, line in enumerate(value, start=1):
        line = schema.text(line, where=where, field=f"clinic.address[{number}]")
        if not line:
            raise BrandError("is empty", source=where, field=f"clinic.address[{number}]",
                             hint="remove the empty line")
        lines.append(line)
    return tuple(lines)


def support_line_from_mapping(row: object, *, where: str, field: str) -> SupportLine:
    """One row of a support-lines table (a brand's [[support_lines]] or the handout's
    support_lines.toml), checked key by key: these numbers are what a patient calls."""
    if not isinstance(row, dict):
        raise BrandError("must be a table", source=where, field=field)
    schema.check_keys(row, schema.SUPPORT_LINE_KEYS, where=where, prefix=field,
                      label="a support line")
    crisis = schema.flag(row.get("crisis", False), where=where, field=f"{field}.crisis")
    values = {key: schema.text(row.get(key, ""), where=where, field=f"{field}.{key}")
              for key in schema.SUPPORT_LINE_KEYS if key != "crisis"}
    for key in ("country", "name", "how", "number", "last_verified"):
        if not values[key]:
            raise BrandError("is required", source=where, field=f"{field}.{key}",
                             hint="each support line needs country, name, how, number "
                                  "and last_verified (YYYY-MM-DD)")
    for key, check in (("country", schema.country), ("how", schema.how),
                       ("number", schema.phone), ("hours", schema.hours),
                       ("languages", schema.languages), ("cost", schema.cost),
                       ("last_verified", schema.iso_date)):
        values[key] = check(values[key], where=where, field=f"{field}.{key}")
    return SupportLine(**values, crisis=crisis)


def load_logo(path: Path, *, where: str) -> Logo:
    def refuse(message: str, hint: str = "export the logo again as PNG or SVG"):
        raise BrandError(message, source=where, field="clinic.logo", hint=hint)

    try:
        if path.is_dir():
            refuse(f"{path} is a folder, not an image", "name the PNG or SVG file itself")
        # The size is checked before reading: a wrong path could name a huge file.
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            refuse(f"{path} is {_megabytes(size)}; a logo may be at most "
                   f"{_megabytes(MAX_LOGO_BYTES)}", "export it smaller")
        data = read_bounded(path, MAX_LOGO_BYTES)
    except FileNotFoundError:
        refuse(f"{path} not found", "give a PNG or SVG path relative to the brand file")
    except UnusableFile as exc:
        refuse(f"{path} {exc.message}", exc.hint)
    except ValueError:          # a NUL in the path
        refuse(f"{path!r} is not a usable path", "give the path of the PNG or SVG file")
    except OSError as exc:
        refuse(f"{path} cannot be read: {exc.strerror}", "check the file's permissions")
    kind = _sniff_image(data)
    if kind is None:
        refuse(f"{path} is not a PNG or SVG image", "export the logo as PNG or SVG")
    if kind == "svg" and len(data) > MAX_SVG_BYTES:
        refuse(f"{path} is {_megabytes(len(data))}; an SVG logo may be at most "
               f"{_megabytes(MAX_SVG_BYTES)}", "simplify the SVG or export it as PNG")
    try:
        _check_image(kind, data)
    except _NotSelfContained as exc:
        refuse(f"{path} {exc}", "export the logo as a self-contained SVG (images embedded "
                                "as data, no DOCTYPE) or as PNG")
    except _TooLarge as exc:
        refuse(f"{path} is {exc} pixels; a logo may be at most "
               f"{MAX_LOGO_PIXELS}x{MAX_LOGO_PIXELS}", "scale it down, e.g. to 1000 pixels wide")
    except Exception as exc:
        refuse(f"{path} is a damaged {kind.upper()} image ({exc})")
    return Logo(kind=kind, data=data)


class _TooLarge(Exception):
    """A PNG whose header announces more pixels than a logo needs."""


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
        try:
            with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                # The size comes from the header: refuse before decoding a single pixel.
                width, height = image.size
                if max(width, height) > MAX_LOGO_PIXELS:
                    raise _TooLarge(f"{width}x{height}")
                image.load()
        except Image.DecompressionBombError:
            # Pillow refuses this many pixels on open, before our check: the size is
            # read from the IHDR chunk, which the PNG signature check put first.
            width, height = struct.unpack(">II", data[16:24])
            raise _TooLarge(f"{width}x{height}") from None
    else:
        _check_svg_is_self_contained(data)
        from .drawings import svg_drawing
        svg_drawing(data)


class _NotSelfContained(Exception):
    """An SVG logo that refers to something outside itself."""


def _check_svg_is_self_contained(data: bytes) -> None:
    """An SVG logo must hold all it draws: a reference to another file or address is
    dropped by the SVG renderer without a word (a logo with a hole), and entity
    declarations can expand without bound. Both are refused."""
    import xml.etree.ElementTree as ET
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise _NotSelfContained("declares a DOCTYPE or entities")
    for element in ET.fromstring(data).iter():
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] == "href" and not value.startswith(("#", "data:")):
                raise _NotSelfContained("refers to another file or address")


def _megabytes(size: int) -> str:
    # Rounded up, so a file just over a limit never reads as the limit itself.
    return f"{math.ceil(size / 100_000) / 10:.1f} MB".replace(".0 MB", " MB")
