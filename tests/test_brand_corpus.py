"""Brand stage fails closed: every broken brand file in tests/data/brands/broken/ (one
mistake each) is refused with its exact one-line message, and no clinic name makes the
loader raise anything but a BrandError."""
import re
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from handouts.brand import brand_from_mapping, load_brand
from handouts.characters import first_refused
from handouts.errors import BrandError
from handouts.resources import EXAMPLE_BRAND, PROJECT_DIR

BROKEN = PROJECT_DIR / "tests" / "data" / "brands" / "broken"
TEST_BRAND = PROJECT_DIR / "tests" / "data" / "brands" / "test-clinic.toml"
EXAMPLE_LOGO = EXAMPLE_BRAND.parent / "example-clinic.svg"
HTTPS_HINT = "(a QR code must open a secure page: write https://...)"
CONTRAST = "with white; text needs at least 4.5:1 (use a darker colour)"

#: file -> the message after "<path>:"; {dir} is the folder of the broken files.
EXPECTED = {
    "bad-hex.toml":
        '13: colors.primary: \'#1F5F8\' is not a colour (use a hex colour such as "#1F4E79")',
    "bidi-override-in-name.toml":
        "3: clinic.name: contains U+202E RIGHT-TO-LEFT OVERRIDE (a bidi control) at "
        "character 11 (delete it and type the text again)",
    "both-colour-tables.toml": "16: colours: is given as well as [colors] (keep one of them)",
    "clinic-key-outside-table.toml":
        "2: logo: must be under [clinic] (move it below the [clinic] line)",
    "control-character.toml":
        "8: clinic.address[1]: contains U+001B (a control character) at character 15 "
        "(delete it and type the text again)",
    "country-uk.toml": "4: clinic.country: 'UK' is not a country code (did you mean GB?)",
    "empty-after-hours.toml":
        "6: clinic.after_hours_phone: is empty (write the after-hours number, or leave the "
        "key out to print the daytime number)",
    "letters-in-phone.toml":
        "5: clinic.phone: '555-HELP' has letters (write the digits: 555-4357)",
    "logo-damaged.toml":
        "10: clinic.logo: {dir}/damaged.png is a damaged PNG image (image file is truncated) "
        "(export the logo again as PNG or SVG)",
    "logo-missing.toml":
        "10: clinic.logo: {dir}/no-such-logo.png not found (give a PNG or SVG path relative "
        "to the brand file)",
    "low-contrast-accent.toml":
        f"14: colors.accent: '#F39C12' has a contrast of 2.1:1 {CONTRAST}",
    "low-contrast-colours.toml":
        f"13: colours.primary: '#777777' has a contrast of 4.4:1 {CONTRAST}",
    "low-contrast-primary.toml":
        f"13: colors.primary: '#6FA8DC' has a contrast of 2.5:1 {CONTRAST}",
    "misspelt-key.toml":
        "6: clinic.afterhours_phone: unknown key (did you mean after_hours_phone?)",
    "numeric-phone.toml":
        '5: clinic.phone: must be text in quotes, not a number (write phone = "5550100")',
    "qr-url-http.toml":
        "10: clinic.qr_url: 'http://riverside-health.example/after-miscarriage' is not an "
        f"https:// link {HTTPS_HINT}",
    "qr-url-javascript.toml":
        f"10: clinic.qr_url: 'javascript:alert(1)' is not an https:// link {HTTPS_HINT}",
    "sample-not-boolean.toml":
        "3: clinic.sample: must be true or false, not text (write sample = true or sample = false, without "
        "quotes)",
    "support-line-country.toml":
        "17: support_lines[1].country: 'GB' is not the clinic's country US (a clinic's own "
        "lines print only for its country; write US or remove the line)",
    "support-line-hours-order.toml":
        "21: support_lines[1].hours: 'mon-fri 17:00-09:00' ends at 09:00, not after it "
        "starts at 17:00 (the end time must be after the start time, e.g. 09:00-17:00)",
    "support-line-hours.toml":
        "21: support_lines[1].hours: '9-5' is not opening hours (use \"24/7\", \"\" or days "
        "and times such as \"mon-fri 09:00-16:00\")",
    "support-line-how.toml":
        "19: support_lines[1].how: 'phone' is not how to reach the line (use \"call\", "
        "\"text\" or \"call or text\")",
    "support-line-language.toml":
        "22: support_lines[1].languages: 'xx' is not a language code (use codes such as en, "
        "es, zh_Hant separated by spaces, or \"many\")",
    "support-line-last-verified.toml":
        "23: support_lines[1].last_verified: '2026-02-30' is not a date (use YYYY-MM-DD, "
        "e.g. 2026-11-01)",
    "support-line-numeric-number.toml":
        '20: support_lines[1].number: must be text in quotes, not a number (write number = '
        '"988")',
    "support-line-unknown-key.toml":
        "22: support_lines[1].langauges: unknown key (did you mean languages?)",
    "unknown-colour-key.toml":
        "14: colors.secondary: unknown key (the keys of [colors] are primary, accent)",
    "unknown-table.toml": "12: colour: unknown table (did you mean colours?)",
    "website-scheme.toml":
        "9: clinic.website: 'ftp://riverside-health.example' is not a web address (write "
        "the host, e.g. riverside-health.example, or an https:// address)",
}


def test_every_broken_file_has_an_expected_message():
    on_disk = {path.name for path in BROKEN.glob("*.toml")}
    assert on_disk - EXPECTED.keys() == set(), "add the expected message to EXPECTED"
    assert EXPECTED.keys() - on_disk == set(), "an expected file is missing"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_brand_is_refused_with_its_message(name):
    path = BROKEN / name
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    message = str(caught.value)
    assert message == f"{path}:" + EXPECTED[name].format(dir=BROKEN)
    assert "\n" not in message


@pytest.mark.parametrize("path", [EXAMPLE_BRAND, TEST_BRAND])
def test_shipped_brands_load(path):
    brand = load_brand(path)
    assert brand.primary_colour == "#1F5F8B" and brand.accent_colour == "#B03A2E"
    assert brand.after_hours_phone == "(555) 010-0199"
    assert brand.sample is (path == EXAMPLE_BRAND)


# -- logos too large to commit: made here ---------------------------------------------

def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces width x height, with a token of image data: what a
    logo checked "from the header, before decoding" is refused on."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b""))


def brand_with_logo(tmp_path: Path, logo: bytes, name: str = "logo.png") -> Path:
    (tmp_path / name).write_bytes(logo)
    path = tmp_path / "brand.toml"
    path.write_text(TEST_BRAND.read_text("utf-8").replace(
        'logo = "../../../brands/example-clinic.svg"', f'logo = "{name}"'), "utf-8")
    return path


@pytest.mark.parametrize("width, height", [(5000, 100), (4000, 4001), (100_000, 100_000)])
def test_huge_png_logo(tmp_path, width, height):
    path = brand_with_logo(tmp_path, png_header_only(width, height))
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (
        f"{path}:13: clinic.logo: {tmp_path / 'logo.png'} is {width}x{height} pixels; a logo "
        "may be at most 4000x4000 (scale it down, e.g. to 1000 pixels wide)")


def test_logo_file_too_big(tmp_path):
    path = brand_with_logo(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(2_100_000 - 8))
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (f"{path}:13: clinic.logo: {tmp_path / 'logo.png'} is 2.1 MB; "
                                 "a logo may be at most 2 MB (export it smaller)")


def test_svg_logo_too_big(tmp_path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' + \
        b"<!-- padding -->" * 70_000 + b"</svg>"
    path = brand_with_logo(tmp_path, svg, "logo.svg")
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (f"{path}:13: clinic.logo: {tmp_path / 'logo.svg'} is 1.2 MB; "
                                 "an SVG logo may be at most 1 MB (simplify the SVG or "
                                 "export it as PNG)")


def test_largest_png_logo_allowed_loads(tmp_path):
    from PIL import Image
    Image.new("1", (4000, 40)).save(tmp_path / "logo.png")
    brand = load_brand(brand_with_logo(tmp_path, (tmp_path / "logo.png").read_bytes()))
    assert brand.logo.kind == "png"


# -- any clinic name: loads as written, or a BrandError --------------------------------

def toml_string(text: str) -> str:
    """`text` as a TOML basic string, every character outside printable ASCII escaped."""
    def escape(c: str) -> str:
        if c in '"\\' or not " " <= c <= "~":
            return f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}"
        return c
    return '"' + "".join(map(escape, text)) + '"'


def expected_name(name: str) -> str | None:
    """What the brand must hold for `name`, or None when it must be refused."""
    folded = re.sub(r"[\t\n\r]+", " ", name).strip()
    return folded if folded and first_refused(name) is None else None


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)


@settings(max_examples=150, deadline=None)
@given(name=ANY_TEXT)
def test_any_clinic_name_loads_or_is_refused(tmp_path_factory, name):
    path = tmp_path_factory.mktemp("name") / "brand.toml"
    path.write_text(TEST_BRAND.read_text("utf-8").replace(
        "name = \"Riverside Women's Health\"", "name = " + toml_string(name), 1).replace(
        "../../../brands/example-clinic.svg", EXAMPLE_LOGO.as_posix()), "utf-8")
    expected = expected_name(name)
    try:
        brand = load_brand(path)
    except BrandError as error:
        assert expected is None, str(error)
        assert error.field == "clinic.name" or "not valid TOML" in error.message
        assert "\n" not in str(error)
    else:
        assert brand.name == expected


@settings(max_examples=150, deadline=None)
@given(name=ANY_TEXT | st.integers() | st.booleans() | st.lists(st.text(max_size=3)))
def test_any_clinic_name_value_from_a_mapping(name):
    data = {"clinic": {"name": name, "country": "US", "phone": "911",
                       "emergency_number": "911"}}
    try:
        brand = brand_from_mapping(data, where="brand.toml", base_dir=Path("."))
    except BrandError as error:
        assert error.field == "clinic.name"
        assert not isinstance(name, str) or expected_name(name) is None
    else:
        assert isinstance(name, str) and brand.name == expected_name(name)
