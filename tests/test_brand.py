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
    assert str(caught.value) == (f"{tmp_path / 'brand.toml'}: clinic.logo: "
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
