"""Copy and search text of the handouts in four PDF readers: pdfium (pypdfium2: Chrome,
Android), poppler (pdftotext: Evince, Okular), MuPDF (mutool: SumatraPDF, zathura) and
pdf.js (pdfjs-dist: Firefox). A measurement for issue 13, not a test (yet).

    python3 tools/reader_text.py                 # every shipped language
    python3 tools/reader_text.py ar my th        # some

Needs poppler-utils, mupdf-tools, node and `npm install --prefix build/pdfjs
pdfjs-dist@4.10.38` (a reader that is missing is shown as "-").

For each language the sample patient's handout is rendered. Each text block of its
Document (what the page shows: title, headings, paragraphs, list items, table cells,
the notices) is looked for in each reader's text of the whole file, ignoring white
space, hyphens and bidi marks; a block found whole counts its characters, else none.
The figure is the share of the blocks' characters found.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handouts.brand import load_brand  # noqa: E402
from handouts.cli import SAMPLE_TODAY, sample_fields  # noqa: E402
from handouts.content import Span  # noqa: E402
from handouts.i18n import shipped_locales  # noqa: E402
from handouts.library import Library  # noqa: E402
from handouts.records import job_from_fields  # noqa: E402
from handouts.render import prepare  # noqa: E402

BRAND = ROOT / "tests" / "data" / "brands" / "test-clinic.toml"
PDFJS_DIR = ROOT / "build" / "pdfjs"
#: What a reader may add or drop without changing what a person copies.
_IGNORED = re.compile("[\\s\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff-]+")


def comparable(text: str) -> str:
    """NFKC (presentation forms, compatibility spaces) without white space, hyphens
    or bidi marks."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text))


def block_texts(node) -> list[str]:
    """The text of each block of a Document: a sequence of spans is one block (a
    paragraph, a heading, a list item, a table cell); anything else is its parts."""
    if isinstance(node, str):
        return [node]                                   # a patient box label
    spans = getattr(node, "spans", None)
    if spans is not None:
        return ["".join(span.text for span in spans)]
    if isinstance(node, tuple):
        if node and all(isinstance(part, Span) for part in node):
            return ["".join(span.text for span in node)]
        return [text for part in node for text in block_texts(part)]
    found: list[str] = []
    for name in ("heading", "blocks", "items", "fields", "header", "rows"):
        value = getattr(node, name, None)
        if value is not None:
            found += block_texts(value)
    return found


def pdfium(path: Path) -> str:
    import pypdfium2
    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def poppler(path: Path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def mupdf(path: Path) -> str | None:
    if not shutil.which("mutool"):
        return None
    return subprocess.run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", str(path)],
                          check=True, capture_output=True).stdout.decode("utf-8", "replace")


def pdfjs(path: Path) -> str | None:
    if not shutil.which("node") or not (PDFJS_DIR / "node_modules" / "pdfjs-dist").is_dir():
        return None
    return subprocess.run(["node", str(ROOT / "tools" / "pdfjs_text.mjs"), str(path)],
                          check=True, capture_output=True, text=True,
                          env={**os.environ, "PDFJS_DIR": str(PDFJS_DIR)}).stdout


READERS = (("pdfium", pdfium), ("poppler", poppler), ("MuPDF", mupdf), ("pdf.js", pdfjs))


def found_share(blocks: list[str], text: str) -> float:
    have = comparable(text)
    wanted = [comparable(block) for block in blocks]
    wanted = [block for block in wanted if block]
    total = sum(len(block) for block in wanted)
    return sum(len(block) for block in wanted if block in have) / total if total else 1.0


def measure(locale: str, library: Library, folder: Path) -> dict[str, float | None]:
    handout_fields = library.handout_fields("miscarriage-recovery")
    job = job_from_fields({**sample_fields(handout_fields), "locale": locale},
                          handout=handout_fields, brand=load_brand(BRAND),
                          today=date.fromisoformat(SAMPLE_TODAY))
    blocks = block_texts(prepare(job, library).document)
    path = folder / f"{locale}.pdf"
    path.write_bytes(library.render(job))
    shares = {}
    for name, read in READERS:
        text = read(path)
        shares[name] = None if text is None else found_share(blocks, text)
    return shares


def main(argv: list[str]) -> int:
    locales = argv or list(shipped_locales())
    library = Library()
    print("locale    " + "  ".join(f"{name:>8}" for name, _ in READERS))
    with tempfile.TemporaryDirectory() as folder:
        for locale in locales:
            shares = measure(locale, library, Path(folder))
            print(f"{locale:<9} " + "  ".join(
                f"{'-':>8}" if share is None else f"{share * 100:7.1f}%"
                for share in shares.values()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
