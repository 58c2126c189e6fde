"""Every private attribute and method of ReportLab that handouts uses, all of them in
handouts/rl_adapter.py, checked against the installed ReportLab: an upgrade that renames
or retypes one fails here, with its name, before it changes a page."""
import inspect
import io

import pytest
from reportlab import rl_config
from reportlab.lib import utils
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from handouts import rl_adapter
from handouts.text.fonts import manifest

CANVAS_ATTRIBUTES = [("_code", list), ("_doc", pdfdoc.PDFDocument), ("_pagesize", tuple),
                     ("_currentMatrix", tuple), ("_colorsUsed", dict),
                     ("_shadingUsed", dict), ("_formsinuse", list),
                     ("_annotationrefs", list), ("_pageCompression", int)]
CANVAS_METHODS = ["_startPage", "_absRect", "_setXObjects", "_pushAccumulators"]


@pytest.fixture
def canvas():
    return Canvas(io.BytesIO(), pagesize=(200, 200))


@pytest.mark.parametrize("name, kind", CANVAS_ATTRIBUTES, ids=[n for n, _ in CANVAS_ATTRIBUTES])
def test_canvas_attribute(canvas, name, kind):
    assert isinstance(getattr(canvas, name), kind), name


@pytest.mark.parametrize("name", CANVAS_METHODS)
def test_canvas_method(canvas, name):
    assert callable(getattr(canvas, name)), name


def test_canvas_form_and_file_state(canvas):
    assert hasattr(canvas, "_formData") and hasattr(canvas, "_filename")
    assert isinstance(canvas._extgstate._c, dict)
    assert len(canvas._currentMatrix) == 6


def test_the_canvas_state_can_be_held_and_restored(canvas):
    """HoldingCanvas keeps a page back as a copy of the canvas's __dict__ and restores it."""
    canvas.drawString(10, 10, "x")
    held = dict(canvas.__dict__)
    canvas._startPage()
    assert canvas._code == []
    canvas.__dict__.update(held)
    assert any("x" in op for op in canvas._code)


def test_document_pages_and_fonts(canvas):
    canvas.showPage()
    doc = canvas._doc
    assert isinstance(doc.Pages.pages, list) and isinstance(doc.Pages.pages[-1], pdfdoc.PDFPage)
    assert isinstance(doc.delayedFonts, list) and isinstance(doc.idToObject, dict)


def test_flowable_drawing_methods():
    assert {"_hAlignAdjust", "_drawOn"} <= set(dir(Flowable))
    assert list(inspect.signature(Flowable._hAlignAdjust).parameters) == ["self", "x", "sW"]


def test_saved_settings_and_timestamp():
    assert isinstance(rl_config._SAVED, dict) and "invariant" in rl_config._SAVED
    stamp = utils.TimeStamp(invariant=1)
    for name in ("t", "dhh", "dmm", "tzname", "lt", "YMDhms"):
        assert hasattr(stamp, name), name
    assert callable(pdfdoc.TimeStamp)


def test_truetype_face_data():
    face = TTFontFace(str(manifest()[0].path))
    assert isinstance(rl_adapter.font_file_data(face), bytes)


def test_the_adapter_is_the_only_module_reaching_into_reportlab():
    """Outside the adapter, no module names a private attribute of a canvas, document,
    face or flowable (`canvas._code`, `face._ttf_data`, ...)."""
    import re
    from handouts.resources import PROJECT_DIR
    names = {n for n, _ in CANVAS_ATTRIBUTES} | set(CANVAS_METHODS) | {
        "_formData", "_filename", "_extgstate", "_ttf_data", "_hAlignAdjust", "_drawOn",
        "_SAVED"}
    pattern = re.compile(r"\b(?!self\b)\w+\.(" + "|".join(sorted(names)) + r")\b")
    offenders = []
    for path in sorted((PROJECT_DIR / "handouts").rglob("*.py")):
        if path.name == "rl_adapter.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if pattern.search(line.split("#")[0]):
                offenders.append(f"{path.name}:{number}")
    assert offenders == []
