"""Golden page images: render a PDF page with pdfium, compare it with a reviewed PNG.

A page matches when few pixels differ by more than a small amount, so that anti-aliasing
noise passes and a moved line, a missing word or a wrong colour fails. On a mismatch the
actual image and a diff image (differing pixels in red) are written to tests/_artifacts/.

Regenerate after a deliberate change with HANDOUTS_UPDATE_GOLDENS=1 (or pytest
--update-goldens), then look at every rewritten PNG before committing it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops

GOLDEN_DIR = Path(__file__).parent / "golden"
ARTIFACTS_DIR = Path(__file__).parent / "_artifacts"
PIXEL_THRESHOLD = 48          # per-channel difference that counts as a changed pixel
MAX_CHANGED_FRACTION = 0.002  # of all pixels


def render_page(pdf: bytes, page: int = 0, dpi: int = 40) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=dpi / 72)
        return bitmap.to_pil().convert("RGB")
    finally:
        document.close()


def updating(config=None) -> bool:
    flag = bool(config and config.getoption("--update-goldens", default=False))
    return flag or os.environ.get("HANDOUTS_UPDATE_GOLDENS") == "1"


def assert_matches_golden(pdf: bytes, name: str, *, page: int = 0, dpi: int = 40,
                          config=None, max_changed: float = MAX_CHANGED_FRACTION,
                          may_update: bool = True) -> None:
    actual = render_page(pdf, page, dpi)
    golden_path = GOLDEN_DIR / f"{name}.png"
    if may_update and (updating(config) or not golden_path.exists()):
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        actual.save(golden_path, optimize=True)
        if not updating(config):
            raise AssertionError(f"no golden image {golden_path}: wrote it from this run; "
                                 "look at it, then commit it")
        return
    golden = Image.open(golden_path).convert("RGB")
    problem = ""
    if golden.size != actual.size:
        problem = f"size {actual.size} differs from the golden {golden.size}"
    else:
        diff = ImageChops.difference(golden, actual).convert("L")
        changed = diff.point(lambda v: 255 if v > PIXEL_THRESHOLD else 0)
        fraction = changed.histogram()[255] / (actual.width * actual.height)
        if fraction > max_changed:
            problem = f"{fraction:.2%} of pixels differ (allowed {max_changed:.2%})"
            overlay = actual.copy()
            overlay.paste((255, 0, 0), mask=changed)
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            overlay.save(ARTIFACTS_DIR / f"{name}-diff.png")
    if problem:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        actual.save(ARTIFACTS_DIR / f"{name}-actual.png")
        raise AssertionError(f"{name}: {problem}; see tests/_artifacts/{name}-actual.png and "
                             f"-diff.png; if the change is intended, rerun with "
                             "HANDOUTS_UPDATE_GOLDENS=1 and look at the new golden image")
