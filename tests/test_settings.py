"""Which clinic a command prints for when --brand is not given: set once, never guessed."""
import pytest

from handouts.errors import HandoutError
from handouts.settings import clinic_brand_path


def test_given_wins_then_the_environment_then_the_settings_file(tmp_path):
    (tmp_path / "handouts.toml").write_text('brand = "clinic.toml"\n', "utf-8")
    assert clinic_brand_path(tmp_path / "given.toml", cwd=tmp_path, environ={}) == \
        tmp_path / "given.toml"
    assert clinic_brand_path(None, cwd=tmp_path, environ={"HANDOUTS_BRAND": "/x/c.toml"}) \
        .as_posix() == "/x/c.toml"
    assert clinic_brand_path(None, cwd=tmp_path, environ={}) == tmp_path / "clinic.toml"


def test_nothing_set_is_an_error_saying_how_to_set_it(tmp_path):
    with pytest.raises(HandoutError) as caught:
        clinic_brand_path(None, cwd=tmp_path, environ={})
    assert str(caught.value).startswith("--brand: no clinic brand file given (pass --brand "
                                        "clinic.toml, or set your clinic once: HANDOUTS_BRAND=")


@pytest.mark.parametrize("content, message", [
    ('brand = "a\\u0000b"\n', "handouts.toml: brand: contains U+0000"),
    ('brnad = "clinic.toml"\n', "handouts.toml: brnad: unknown setting 'brnad'"),
    ("brand = 3\n", "handouts.toml: brand: is missing or not text"),
    ("brand = \n", "handouts.toml: cannot be read: "),
])
def test_a_bad_settings_file_is_one_line(tmp_path, content, message):
    (tmp_path / "handouts.toml").write_text(content, "utf-8")
    with pytest.raises(HandoutError) as caught:
        clinic_brand_path(None, cwd=tmp_path, environ={})
    text = str(caught.value)
    assert text.startswith(str(tmp_path / message.split(":")[0]) + message[len("handouts.toml"):])
    assert "\n" not in text


def test_a_folder_named_like_the_settings_file_is_refused(tmp_path):
    (tmp_path / "handouts.toml").mkdir()
    with pytest.raises(HandoutError, match=r"handouts.toml: is a folder, not a file"):
        clinic_brand_path(None, cwd=tmp_path, environ={})
