"""The handout reads easily: the English source at US grade 6 or lower (Flesch-Kincaid)
and SMOG 8 or lower; the Spanish at Fernández-Huerta 70 or more ("fairly easy")."""
import pytest
import textstat

from handouts import content as c
from tests.conftest import load_locale
from tests.conftest import build_document


def running_text(document) -> str:
    """Sentences a patient reads: without the support table and the sources line."""
    blocks = []
    for block in document.blocks:
        if isinstance(block, c.Section):
            block = c.Section(block.heading, tuple(b for b in block.blocks
                                                   if not isinstance(b, c.Table)))
        if isinstance(block, c.Para) and block.small:
            continue
        blocks.append(block)
    return c.Document(document.title, tuple(blocks), ()).text()


@pytest.mark.parametrize("plan", ["avoid", "trying", "undecided"])
@pytest.mark.parametrize("wait", ["until-bleeding-stops", "2w", "2026-12-18"])
def test_grade_six_or_lower(make_job, plan, wait):
    text = running_text(build_document(make_job(contraception=plan, wait=wait),
                                       load_locale("en")))
    assert len(text.split()) > 400
    assert textstat.flesch_kincaid_grade(text) <= 6.0
    assert textstat.smog_index(text) <= 8.0


@pytest.fixture
def spanish_syllables():
    textstat.set_lang("es")       # textstat keeps its language in the module
    yield
    textstat.set_lang("en_US")


@pytest.mark.parametrize("plan", ["avoid", "trying", "undecided"])
@pytest.mark.parametrize("wait", ["until-bleeding-stops", "2w"])
def test_spanish_is_fairly_easy_to_read(make_job, spanish_syllables, plan, wait):
    text = running_text(build_document(make_job(locale="es", contraception=plan, wait=wait),
                                       load_locale("es")))
    assert len(text.split()) > 400
    assert textstat.fernandez_huerta(text) >= 70
