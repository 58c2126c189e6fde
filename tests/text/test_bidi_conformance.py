"""The bidi levels the engine reads out of python-bidi's debug output agree with
Unicode's own conformance test (BidiCharacterTest.txt, from Debian's unicode-data), so a
change in that output, or in python-bidi's algorithm, fails here and not on a page."""
import os
import unicodedata
from pathlib import Path

import pytest

from handouts.text.bidi import uax9_levels

TEST_FILE = Path("/usr/share/unicode/BidiCharacterTest.txt")

pytestmark = pytest.mark.skipif(
    not TEST_FILE.exists() and not os.environ.get("HANDOUTS_CI"),
    reason="unicode-data is not installed (CI installs it)")


def rows():
    for number, line in enumerate(TEST_FILE.read_text("utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            code_points, direction, paragraph_level, levels, _ = line.split(";")
            yield number, code_points, direction, paragraph_level, levels.split()


def test_every_row_of_bidi_character_test_gets_its_levels():
    failed, checked = [], 0
    for number, code_points, direction, paragraph_level, expected in rows():
        text = "".join(chr(int(c, 16)) for c in code_points.split())
        # Direction 2 (auto) rows give the paragraph level the algorithm finds (P2, P3);
        # the engine sets the paragraph's direction itself and passes it in.
        rtl = direction == "1" or (direction == "2" and paragraph_level == "1")
        got = uax9_levels(text, rtl)
        checked += 1
        # python-bidi gives levels before rule L1, which sets a segment separator (tab)
        # to the paragraph's level: handout text has no tabs (the markup folds them).
        if any(want != "x" and int(want) != level and unicodedata.bidirectional(char) != "S"
               for char, want, level in zip(text, expected, got)):
            failed.append(number)
    assert checked > 90_000
    assert failed == [], f"{len(failed)} rows differ, first at line {failed[:5]}"
