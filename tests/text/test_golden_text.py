"""Golden page images per script: each locale's corpus paragraphs in the 60 mm column.

Low resolution (72 dpi) and a pixel tolerance: they catch a changed font, a lost mark, a
flipped direction or a moved line, not anti-aliasing. Regenerate after a deliberate
change with HANDOUTS_UPDATE_GOLDENS=1 and look at every rewritten PNG in
tests/golden/text/ before committing it.
"""
from __future__ import annotations

from collections import defaultdict

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from tests.conftest import paragraph
from tests.golden_images import assert_matches_golden
from tests.text.support import COLUMN, STYLE, corpus, pdf_of, spans

PAGES: dict[str, list] = defaultdict(list)
for _case in corpus():
    PAGES["mixed" if "-" in _case.id and not _case.id[-1].isdigit() else _case.locale] \
        .append(_case)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_script_page_matches_golden(page, request):
    blocks = []
    for case in PAGES[page]:
        blocks += [paragraph(spans(case), STYLE, locale=case.locale), Spacer(0, 8)]
    height = sum(block.wrap(COLUMN, 10_000)[1] for block in blocks)
    pdf = pdf_of(blocks, width=COLUMN + 12, height=height + 20 * mm)
    assert_matches_golden(pdf, f"text/{page}", dpi=72, config=request.config)
