"""Brand stage: a clinic's brand file is validated with messages that say how to fix it."""
import shutil
from pathlib import Path

import pytest

from handouts.brand import load_brand
from handouts.errors import BrandError
from handouts.resources import BRANDS_DIR, EXAMPLE_BRAND

MINIMAL = '''[clinic]
name = "Test Clinic"
country = "{country}"
phone = "(555) 010-0000"
emergency_number = "911"
{extra}
'''


def write_brand(tmp_path: Path, country="US", extra="") -> Path:
    path = tmp_path / "brand.toml"
    path.write_text(MINIMAL.format(country=country, extra=extra), "utf-8")
    return path


def test_example_brand_loads():
    brand = load_brand(EXAMPLE_BRAND)
    assert brand.name == "Riverside Women's Health"
    assert brand.paper == "letter" and brand.logo.kind == "svg"
    assert brand.support_lines[0].name == "Riverside Grief Support Group"


@pytest.mark.parametrize("country, paper", [("US", "letter"), ("MX", "letter"),
                                            ("GB", "a4"), ("DE", "a4")])
def test_paper_follows_country(tmp_path, country, paper):
    assert load_brand(write_brand(tmp_path, country)).paper == paper


def test_paper_override(tmp_path):
    assert load_brand(write_brand(tmp_path, "US", 'paper = "a4"')).paper == "a4"


def test_missing_file(tmp_path):
    with pytest.raises(BrandError) as caught:
        load_brand(tmp_path / "nope.toml")
    assert str(caught.value) == (f"{tmp_path / 'nope.toml'}: file not found (pass --brand with "
                                 "the path of a brand TOML file, e.g. brands/example-clinic.toml)")


def test_invalid_toml_names_the_line(tmp_path):
    path = tmp_path / "brand.toml"
    path.write_text('[clinic]\nname = "A"\ncountry = US\n', "utf-8")
    with pytest.raises(BrandError, match=rf"^{path}:3: is not valid TOML"):
        load_brand(path)


def test_bad_country(tmp_path):
    with pytest.raises(BrandError) as caught:
        load_brand(write_brand(tmp_path, "USA"))
    assert str(caught.value).endswith(
        "clinic.country: 'USA' is not a two-letter country code (use ISO 3166-1 alpha-2, "
        "e.g. US, GB, MX)")


def test_bad_colour(tmp_path):
    with pytest.raises(BrandError, match=r"colors.primary: 'blue' is not a colour \(use a hex"):
        load_brand(write_brand(tmp_path, extra='[colors]\nprimary = "blue"'))


def test_missing_required_field(tmp_path):
    path = tmp_path / "brand.toml"
    path.write_text('[clinic]\nname = "A"\ncountry = "US"\nemergency_number = "911"\n', "utf-8")
    with pytest.raises(BrandError, match=r"clinic.phone: is required"):
        load_brand(path)


def test_logo_that_is_not_an_image(tmp_path):
    (tmp_path / "logo.png").write_text("this is not a picture", "utf-8")
    with pytest.raises(BrandError) as caught:
        load_brand(write_brand(tmp_path, extra='logo = "logo.png"'))
    assert str(caught.value) == (f"{tmp_path / 'brand.toml'}:6: clinic.logo: "
                                 f"{tmp_path / 'logo.png'} is not a PNG or SVG image "
                                 "(export the logo as PNG or SVG)")


def test_truncated_png_logo(tmp_path):
    from PIL import Image
    Image.new("RGB", (64, 64), "red").save(tmp_path / "full.png")
    (tmp_path / "logo.png").write_bytes((tmp_path / "full.png").read_bytes()[:60])
    with pytest.raises(BrandError, match=r"clinic.logo: .* is a damaged PNG image"):
        load_brand(write_brand(tmp_path, extra='logo = "logo.png"'))


def test_png_logo(tmp_path):
    from PIL import Image
    Image.new("RGBA", (64, 32), (200, 30, 30, 255)).save(tmp_path / "logo.png")
    brand = load_brand(write_brand(tmp_path, extra='logo = "logo.png"'))
    assert brand.logo.kind == "png"


def test_svg_logo_copied_elsewhere(tmp_path):
    shutil.copy(BRANDS_DIR / "example-clinic.svg", tmp_path / "logo.svg")
    assert load_brand(write_brand(tmp_path, extra='logo = "logo.svg"')).logo.kind == "svg"


def test_after_hours_phone_left_out_prints_the_daytime_number(tmp_path):
    brand = load_brand(write_brand(tmp_path))
    assert brand.after_hours_phone == brand.phone == "(555) 010-0000"


def test_british_colours_table(tmp_path):
    brand = load_brand(write_brand(tmp_path, extra='[colours]\nprimary = "#1f4e79"'))
    assert brand.primary_colour == "#1F4E79"


@pytest.mark.parametrize("number", ["(555) 010-0100", "+44 20 7946 0000", "911", "112", "988",
                                    "15", "1-833-852-6262", "116 123", "+1 (555) 010.0100"])
def test_phone_numbers_as_clinics_write_them(tmp_path, number):
    assert load_brand(write_brand(tmp_path, extra=f'after_hours_phone = "{number}"')
                      ).after_hours_phone == number


@pytest.mark.parametrize("number, message", [
    ("call us", "'call us' has letters (write the number in digits, e.g. (555) 010-0100)"),
    ("555/0100", "'555/0100' has '/', which a phone number cannot have (use only digits, "
                 "spaces and + ( ) - .)"),
    ("5", "'5' has too few digits (a phone number has at least 2 digits)"),
    ("(555 010-0100", "'(555 010-0100' has unbalanced parentheses (e.g. (555) 010-0100)"),
    ("555 +0100", "'555 +0100' has + after the start (+ may only begin an international "
                  "number, e.g. +44 20 7946 0000)"),
])
def test_bad_phone_numbers(tmp_path, number, message):
    with pytest.raises(BrandError) as caught:
        load_brand(write_brand(tmp_path, extra=f'after_hours_phone = "{number}"'))
    assert str(caught.value) == (f"{tmp_path / 'brand.toml'}:6: clinic.after_hours_phone: "
                                 + message)


@pytest.mark.parametrize("url", ["data:text/html,<b>hi</b>", "file:///etc/passwd",
                                 "https://user@riverside.example/", "https://localhost/x",
                                 "https://riverside.example/" + "x" * 200])
def test_qr_url_refused(tmp_path, url):
    with pytest.raises(BrandError, match=r":6: clinic.qr_url: "):
        load_brand(write_brand(tmp_path, extra=f'qr_url = "{url}"'))


@pytest.mark.parametrize("site", ["riverside-health.example", "https://riverside-health.example",
                                  "www.riverside.example/after", "riverside.example:8443"])
def test_website_forms(tmp_path, site):
    assert load_brand(write_brand(tmp_path, extra=f'website = "{site}"')).website == site


@pytest.mark.parametrize("site", ["http://riverside.example", "mailto:a@riverside.example",
                                  "javascript:alert(1)", "localhost"])
def test_website_refused(tmp_path, site):
    with pytest.raises(BrandError, match=r":6: clinic.website: .* is not a web address"):
        load_brand(write_brand(tmp_path, extra=f'website = "{site}"'))


def test_no_line_rather_than_a_wrong_one(tmp_path):
    """An inline table is valid TOML, but its keys are not on lines of their own."""
    path = tmp_path / "brand.toml"
    path.write_text('clinic = {name = "A", country = "US", phone = "911", '
                    'emergency_number = "911", afterhours_phone = "1"}\n', "utf-8")
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (f"{path}: clinic.afterhours_phone: unknown key "
                                 "(did you mean after_hours_phone?)")


def test_second_support_line_is_named_and_placed(tmp_path):
    line = ('[[support_lines]]\ncountry = "US"\nname = "Line"\nhow = "call"\n'
            'number = "988"\nlast_verified = "2026-11-01"\n')
    path = write_brand(tmp_path, extra=line + line.replace('"988"', '"988"\nhours = "mon"'))
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (
        f"{path}:17: support_lines[2].hours: 'mon' is not opening hours (use \"24/7\", \"\" "
        "or days and times such as \"mon-fri 09:00-16:00\")")


def test_shipped_support_lines_pass_the_same_checks():
    from tests.conftest import LIBRARY
    lines = LIBRARY.handout("miscarriage-recovery").support_lines
    assert {line.country for line in lines} >= {"US", "GB"}


def test_support_line_from_mapping_names_the_row():
    from handouts.brand import support_line_from_mapping
    row = {"country": "US", "name": "A", "how": "call", "number": 988,
           "last_verified": "2026-11-01"}
    with pytest.raises(BrandError) as caught:
        support_line_from_mapping(row, where="support_lines.toml", field="line[3]")
    assert str(caught.value) == ('support_lines.toml: line[3].number: must be text in quotes, '
                                 'not a number (write number = "988")')


@pytest.mark.parametrize("svg, message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<image width="9" height="9" xlink:href="file:///etc/logo.png"/></svg>',
     "refers to another file or address"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
     "declares a DOCTYPE or entities"),
])
def test_an_svg_logo_must_hold_all_it_draws(tmp_path, svg, message):
    (tmp_path / "logo.svg").write_bytes(svg)
    with pytest.raises(BrandError) as caught:
        load_brand(write_brand(tmp_path, extra='logo = "logo.svg"'))
    assert f"logo.svg {message} (export the logo as a self-contained SVG" in str(caught.value)


def test_an_svg_logo_with_an_embedded_image_and_internal_references_loads(tmp_path):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           b' width="10" height="10"><defs><circle id="c" r="4"/></defs>'
           b'<use xlink:href="#c"/></svg>')
    (tmp_path / "logo.svg").write_bytes(svg)
    assert load_brand(write_brand(tmp_path, extra='logo = "logo.svg"')).logo.kind == "svg"


def test_baths_are_a_clinic_setting(tmp_path):
    assert load_brand(write_brand(tmp_path)).avoid_baths is False
    assert load_brand(write_brand(tmp_path, extra="avoid_baths = true")).avoid_baths is True
    with pytest.raises(BrandError) as caught:
        load_brand(write_brand(tmp_path, extra='avoid_baths = "yes"'))
    assert str(caught.value).endswith(
        ":6: clinic.avoid_baths: must be true or false, not text (write avoid_baths = true "
        "or avoid_baths = false, without quotes)")


SUPPORT_LINE = """
[[support_lines]]
country = "US"
name = "Clinic Line"
how = "call"
number = "555 0100"
last_verified = "2026-11-01"
"""


def test_a_support_line_may_say_it_is_free_and_the_crisis_line(tmp_path):
    path = write_brand(tmp_path)
    path.write_text(path.read_text() + SUPPORT_LINE + 'cost = "free"\ncrisis = true\n')
    line = load_brand(path).support_lines[0]
    assert (line.cost, line.crisis) == ("free", True)


@pytest.mark.parametrize("extra, message", [
    ('cost = "cheap"', "support_lines[1].cost: 'cheap' is not a known cost (write cost = "
                       "\"free\" for a line that costs nothing to call, or leave it out when "
                       "calls cost the usual rate or it is not known)"),
    ('crisis = "true"', "support_lines[1].crisis: must be true or false, not text (write "
                        "crisis = true or crisis = false, without quotes)"),
])
def test_a_support_lines_cost_and_crisis_flag_are_checked(tmp_path, extra, message):
    path = write_brand(tmp_path)
    path.write_text(path.read_text() + SUPPORT_LINE + extra + "\n")
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value).endswith(message)


def test_a_qr_address_must_be_short_enough_to_type(tmp_path):
    url = "https://riverside-health.example/" + "a" * 40
    with pytest.raises(BrandError) as caught:
        load_brand(write_brand(tmp_path, extra=f'qr_url = "{url}"'))
    assert str(caught.value).endswith(
        "clinic.qr_url: is 65 characters long without https:// (the address is printed "
        "under the QR code for patients to type: use a short link of at most 60 characters)")
