"""Caches of the font embedding and lazy font loading: they must never change the bytes."""
from __future__ import annotations

import subprocess
import sys

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from handouts.resources import PROJECT_DIR
from handouts.text import pdffont
from tests.conftest import LIBRARY

chain = LIBRARY.fonts.chain


@pytest.mark.parametrize("multiline", [0, 1])
def test_templated_font_dictionaries_are_reportlabs_own_bytes(multiline, monkeypatch):
    monkeypatch.setattr(rl_config, "pdfMultiLine", multiline)
    font = chain("en", "Latn")[0]
    subset = pdffont.SubsetCache(budget=1 << 20)(font, tuple(range(3, 90, 2)) + (500, 501))
    doc = Canvas(None)._doc
    refs = [doc.Reference(pdfdoc.PDFStream(content=b"x"), f"test:{n}") for n in range(2)]
    for make, used in ((pdffont._descriptor, refs[:1]), (pdffont._cid_font, refs),
                       (pdffont._type0, refs)):
        plain = pdfdoc.format(make(subset, *used), doc)
        for _ in range(2):                                  # made, then reused
            assert pdfdoc.format(subset.dictionary(doc, make, *used), doc) == plain


def test_subset_cache_is_bounded_by_bytes():
    font = chain("en", "Latn")[0]
    cache = pdffont.SubsetCache(budget=1)
    first = cache(font, (36, 37))
    cache(font, (38, 39))
    assert len(cache._cache) == 1                           # the newest is always kept
    assert cache(font, (36, 37)) is not first               # made again, same content
    assert cache(font, (36, 37)).program == first.program


def test_english_loads_only_the_faces_it_draws_with():
    code = "\n".join([
        "from datetime import date",
        "from handouts.brand import load_brand",
        "from handouts.cli import SAMPLE_TODAY, sample_fields",
        "from handouts.records import job_from_fields",
        "from handouts.library import Library",
        "from handouts.resources import EXAMPLE_BRAND",
        "library = Library()",
        "fields = library.handout_fields('miscarriage-recovery')",
        "library.render(job_from_fields(sample_fields(fields), handout=fields,",
        "                               brand=load_brand(EXAMPLE_BRAND),",
        "                               today=date.fromisoformat(SAMPLE_TODAY)))",
        "print(len(library.fonts.loaded_faces()))",
    ])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PROJECT_DIR, check=True)
    assert int(done.stdout.split()[-1]) <= 3          # Noto Sans regular and bold, not 14
