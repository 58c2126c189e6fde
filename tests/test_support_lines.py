"""The handout's own support lines (templates/<handout>/support_lines.toml) are checked as
strictly as a clinic's, with the file and line of each mistake."""
import shutil

import pytest

from handouts.errors import HandoutError
from handouts.library import Library
from handouts.resources import TEMPLATES_DIR
from tests.conftest import LIBRARY

HANDOUT = "miscarriage-recovery"


def load_support_lines(handout: str, templates=None, library=None):
    """The handout's support lines as a library loads them (from `templates` first)."""
    library = library or (Library([templates]) if templates else LIBRARY)
    return library.handout(handout).support_lines


@pytest.fixture
def templates(tmp_path):
    shutil.copytree(TEMPLATES_DIR / HANDOUT, tmp_path / HANDOUT)
    return tmp_path


def edit(templates, old, new):
    path = templates / HANDOUT / "support_lines.toml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text.splitlines().index(next(l for l in text.splitlines() if old in l)) + 1


def test_the_shipped_lines_load():
    assert len(load_support_lines(HANDOUT)) >= 3


@pytest.mark.parametrize("old, new, message", [
    ('hours = "24/7"', 'hours = "always"', "line[1].hours: 'always' is not"),
    ('number = "988"', 'number = "nine-eight-eight"', "line[1].number: "),
    ('last_verified = "2026-11-01"', 'last_verified = "2026-13-01"', "line[1].last_verified: "),
    ('how = "call or text"', 'hwo = "call or text"', "line[1].hwo: unknown key"),
])
def test_a_broken_line_names_the_file_line_and_key(templates, old, new, message):
    line = edit(templates, old, new)
    with pytest.raises(HandoutError) as caught:
        load_support_lines(HANDOUT, templates)
    text = str(caught.value)
    assert text.startswith(f"{templates / HANDOUT / 'support_lines.toml'}:{line}: "), text
    assert message in text and "\n" not in text


def test_a_syntax_error_is_an_error_line_not_a_traceback(templates):
    edit(templates, 'hours = "24/7"', 'hours = 24/7')
    with pytest.raises(HandoutError, match=r"support_lines.toml:\d+: is not valid TOML"):
        load_support_lines(HANDOUT, templates)


def test_an_edited_file_is_read_again_by_a_running_process(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR / HANDOUT, templates / HANDOUT)
    path = templates / HANDOUT / "support_lines.toml"
    library = Library([templates])
    before = load_support_lines(HANDOUT, library=library)
    assert load_support_lines(HANDOUT, library=library) is before     # unchanged: kept
    path.write_text(path.read_text("utf-8").replace('number = "116 123"',
                                                    'number = "116 124"'), "utf-8")
    after = load_support_lines(HANDOUT, library=library)
    assert "116 124" in {line.number for line in after} - {line.number for line in before}
    path.write_text(path.read_text("utf-8").replace('hours = "24/7"', 'hours = "always"', 1),
                    "utf-8")
    with pytest.raises(HandoutError, match=r"hours: 'always' is not"):
        load_support_lines(HANDOUT, library=library)   # now broken: refused, never the old


@pytest.mark.parametrize("edit, message", [
    (lambda text: text.replace('version = "1.0"', 'version = 1.0'),
     r"meta.toml: version: is required, as text in quotes"),
    (lambda text: text.replace('version = "1.0"', 'version = "1.0'),
     r"meta.toml:\d+: is not valid TOML"),
    (lambda text: text.replace('review_date = "2026-11-20"', 'review_date = "soon"'),
     r"meta.toml:\d+: review_date: is not a date"),
    (lambda text: text.replace('version = "1.0"', 'verison = "1.0"'),
     r"meta.toml:\d+: verison: unknown key 'verison' \(did you mean version\?\)"),
])
def test_a_broken_meta_file_names_the_file_and_key(tmp_path, edit, message):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR / HANDOUT, templates / HANDOUT)
    path = templates / HANDOUT / "meta.toml"
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    with pytest.raises(HandoutError, match=message):
        Library([templates]).handout(HANDOUT)
