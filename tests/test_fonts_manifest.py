"""fonts/manifest.toml against the files in fonts/, and the text corpus against the fonts.

Checks: every row's file exists and matches its sha256; every font file has a row;
outlines are TrueType (glyf), never CFF; no variable fonts; licence files exist;
each face covers sample letters of every script it lists; every character of the
multiscript corpus (tests/text/corpus/) is covered by a vendored font.
"""

from __future__ import annotations

import hashlib
import string
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools import unicodedata as ft_unicodedata
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "fonts"
MANIFEST = FONTS / "manifest.toml"
CORPUS = ROOT / "tests" / "text" / "corpus"

FONT_SUFFIXES = {".ttf", ".ttc", ".otf", ".otc", ".woff", ".woff2"}
STYLES = {"regular", "bold", "italic", "bolditalic"}
REQUIRED_KEYS = {"file", "family", "style", "scripts", "source", "version", "licence",
                 "licence_file", "sha256"}
OPTIONAL_KEYS = {"note", "subfont_index"}

# A handful of letters per ISO 15924 code: a face that lists the code must cover them all.
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
SAMPLES = {
    "Latn": "AaBbZzÀàÉéÑñßĐđƠơƯưẠạỆệỹ",
    "Cyrl": "АаБбЖжЯяЁёЙй",
    "Grek": "ΑαΒβΩωΣσς",
    # Arabic, plus the Persian and Urdu letters, both digit sets, Arabic punctuation.
    "Arab": "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى" "پچژگکیےٹڈڑںھہ"
            + ARABIC_DIGITS + PERSIAN_DIGITS + "،؛؟۔",
    "Hebr": "אבגדהוזחטיכלמנסעפצקרשתךםןףץ",
    "Deva": "अआइईउकखगघचजटडतदधनपबमयरलवशसह" "ािीुूेैोौंः्ँ़" "।०१२३",
    "Beng": "অআইঈউকখগঘচজটডতদধনপবমযরলশসহৎ" "ািীুূেৈোৌংঃ্ঁ" "০১২৩",
    "Guru": "ਅਆਇਈਉਕਖਗਘਚਜਟਡਤਦਧਨਪਬਮਯਰਲਵਸਹ" "ਾਿੀੁੂੇੈੋੌਂੰੱ਼੍" "੦੧੨੩",
    "Thai": "กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮ" "ะัาำิีึืุู่้๊๋็์เแโใไๆ" "๐๑๒๓",
    "Khmr": "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអ" "ាិីឹឺុូួើឿៀេែៃោៅំះ្" "។ៗ០១២៣",
    "Mymr": "ကခဂဃငစဆဇဈညဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအ" "ါာိီုူေဲံ့း္်ျြွှ" "။၊၀၁၂၃",
    "Ethi": "ሀለሐመሠረሰሸቀበተቸነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐ" "፡።፣፤",
    "Hani": "中日月人山水火木金土",
    "Hans": "简体中文医药发烧请护士热线伤口复诊联系们这说",
    "Hant": "繁體中文醫藥發燒請護理專線傷口診聯絡們這說",
    "Jpan": "日本語病院薬服用受診予約電話連絡" "あいうえおがぱっゃ" "アイウエオガパッャー",
    "Hira": "あいうえおかきくけこがぱっゃゅょん",
    "Kana": "アイウエオカキクケコガパッャュョンー",
    "Kore": "한국어가나다라마바사아자차카타파하힣" "韓國",
    "Hang": "가나다라마바사아자차카타파하힣각꽃뚫",
}
# Scripts the handouts are written in: each needs a regular face.
LOCALE_SCRIPTS = {"Latn", "Cyrl", "Arab", "Hebr", "Deva", "Beng", "Guru", "Thai", "Khmr",
                  "Mymr", "Ethi", "Hans", "Hant", "Jpan", "Kore"}
# The per-character fallback font for Common/Inherited characters (digits, punctuation).
COMMON_FALLBACK = "NotoSans-Regular.ttf"


def _rows() -> list[dict]:
    with MANIFEST.open("rb") as f:
        return tomllib.load(f)["font"]


ROWS = _rows()
ROW_IDS = [r["file"] for r in ROWS]


@cache
def _font(file: str) -> TTFont:
    row = next(r for r in ROWS if r["file"] == file)
    return TTFont(FONTS / file, lazy=True, fontNumber=row.get("subfont_index", -1))


@cache
def _cmap(file: str) -> frozenset[int]:
    return frozenset(_font(file).getBestCmap())


def test_rows_have_the_schema():
    for row in ROWS:
        keys = set(row)
        assert REQUIRED_KEYS <= keys, f"{row.get('file')}: missing {REQUIRED_KEYS - keys}"
        assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, f"{row['file']}: unknown {keys - REQUIRED_KEYS - OPTIONAL_KEYS}"
        assert row["style"] in STYLES, f"{row['file']}: style {row['style']!r}"
        assert row["scripts"] and all(len(s) == 4 and s.istitle() for s in row["scripts"]), row["file"]
        assert (row["file"].endswith(".ttc")) == ("subfont_index" in row), (
            f"{row['file']}: a .ttc row needs subfont_index, other rows must not have one")


def test_no_font_twice():
    files = [r["file"] for r in ROWS]
    assert len(files) == len(set(files)), "a file is listed twice"
    hashes = [r["sha256"] for r in ROWS if "subfont_index" not in r]
    assert len(hashes) == len(set(hashes)), "the same font file is shipped under two names"
    faces = [(r["family"], r["style"]) for r in ROWS]
    assert len(faces) == len(set(faces)), "a family has two faces of the same style"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_file_exists_and_hash_matches(row):
    path = FONTS / row["file"]
    assert path.is_file(), f"fonts/{row['file']} is listed in the manifest but missing"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == row["sha256"], f"fonts/{row['file']}: sha256 {digest} != manifest"


def test_every_font_file_has_a_row():
    listed = {r["file"] for r in ROWS}
    on_disk = {p.relative_to(FONTS).as_posix() for p in FONTS.rglob("*")
               if p.suffix.lower() in FONT_SUFFIXES}
    assert on_disk - listed == set(), f"font files without a manifest row: {sorted(on_disk - listed)}"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_truetype_outlines_static(row):
    font = _font(row["file"])
    assert "glyf" in font and "loca" in font, f"{row['file']}: no glyf outlines"
    assert "CFF " not in font and "CFF2" not in font, f"{row['file']}: CFF outlines (ReportLab rejects them)"
    assert "fvar" not in font, f"{row['file']}: variable font (ReportLab uses only the default instance)"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_version_matches_font(row):
    name5 = _font(row["file"])["name"].getDebugName(5) or ""
    assert row["version"] in name5, f"{row['file']}: version {row['version']!r} not in {name5!r}"


def test_postscript_names_unique():
    # ReportLab identifies fonts by PostScript name: two faces with one name collide.
    names = [_font(r["file"])["name"].getDebugName(6) for r in ROWS]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_reportlab_accepts_font(row):
    from reportlab.pdfbase.ttfonts import TTFont as RLTTFont

    RLTTFont("manifest-test-" + row["file"], str(FONTS / row["file"]),
             subfontIndex=row.get("subfont_index", 0))


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_licence_file_exists(row):
    path = FONTS / row["licence_file"]
    assert path.is_file(), f"{row['file']}: licence file {row['licence_file']} missing"
    assert path.stat().st_size > 500, f"{row['licence_file']} looks empty"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_covers_its_scripts(row):
    cmap = _cmap(row["file"])
    for code in row["scripts"]:
        assert code in SAMPLES, f"{row['file']}: no sample letters for {code}: add them to SAMPLES"
        missing = [c for c in SAMPLES[code] if ord(c) not in cmap]
        assert not missing, f"{row['file']} lists {code} but lacks {''.join(missing)!r}"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_note_where_digits_are_missing(row):
    cmap = _cmap(row["file"])
    if not all(ord(d) in cmap for d in string.digits):
        assert "digits" in row.get("note", ""), f"{row['file']} lacks ASCII digits: say so in `note`"


def test_every_locale_script_has_a_regular_face():
    served = {s for r in ROWS if r["style"] == "regular" for s in r["scripts"]}
    assert LOCALE_SCRIPTS - served == set()


# --- the text corpus ---------------------------------------------------------------

def _corpus_paragraphs():
    out = []
    for path in sorted(CORPUS.glob("*.toml")):
        with path.open("rb") as f:
            doc = tomllib.load(f)
        for i, para in enumerate(doc["paragraph"], 1):
            merged = {k: doc[k] for k in ("locale", "script", "direction") if k in doc}
            merged.update(para)
            out.append(pytest.param(merged, id=f"{path.stem}-{i}"))
    return out


PARAGRAPHS = _corpus_paragraphs()


def test_corpus_has_every_language():
    expected = {"en", "vi", "ru", "ar", "fa", "ur", "he", "hi", "bn", "pa", "th", "km", "my",
                "am", "zh_Hans", "zh_Hant", "ja", "ko", "mixed"}
    assert {p.stem for p in CORPUS.glob("*.toml")} == expected


@pytest.mark.parametrize("para", PARAGRAPHS)
def test_corpus_paragraph_is_well_formed(para):
    text = para["text"]
    assert para["direction"] in ("ltr", "rtl")
    assert para["script"] in SAMPLES
    assert unicodedata.normalize("NFC", text) == text, "corpus text must be NFC"
    if "bold" in para:
        assert text.count(para["bold"]) == 1, f"bold {para['bold']!r} must occur exactly once"
    if para["locale"] != "mixed" and "id" not in para:
        for needle in ("1-800-555-0199", "2026-12-01", "400 mg"):
            assert needle in text, f"missing {needle!r}"
        assert "bold" in para
        assert any(b in text for b in ("(", "（")), "missing a bracketed phrase"
        if para["direction"] == "rtl":
            assert "Riverside Clinic" in text


def _fonts_for(scripts: set[str]) -> list[str]:
    return [r["file"] for r in ROWS if r["style"] == "regular" and scripts & set(r["scripts"])]


def uncovered(text: str, script: str) -> list[str]:
    """Characters of `text` that no vendored regular face can draw.

    A character is covered by a face listing the paragraph's script, or one listing the
    character's own script (or a script in its Script_Extensions), or, for Common and
    Inherited characters, by Noto Sans.
    """
    missing = []
    for ch in dict.fromkeys(text):
        cp = ord(ch)
        own = {ft_unicodedata.script(ch)} | set(ft_unicodedata.script_extension(ch))
        candidates = _fonts_for({script}) + _fonts_for(own)
        if own & {"Zyyy", "Zinh"}:
            candidates.append(COMMON_FALLBACK)
        if not any(cp in _cmap(f) for f in candidates):
            missing.append(f"U+{cp:04X} {unicodedata.name(ch, '?')}")
    return missing


@pytest.mark.parametrize("para", PARAGRAPHS)
def test_corpus_characters_are_covered(para):
    assert uncovered(para["text"], para["script"]) == []


@pytest.mark.parametrize("para", PARAGRAPHS)
def test_bold_faces_cover_what_regular_covers(para):
    # Where a family has a bold face, bold text must not lose characters.
    for reg in ROWS:
        if reg["style"] != "regular":
            continue
        bold = next((r for r in ROWS if r["family"] == reg["family"] and r["style"] == "bold"), None)
        if bold is None:
            continue
        chars = {ord(c) for c in para["text"]}
        lost = (chars & _cmap(reg["file"])) - _cmap(bold["file"])
        assert not lost, f"{bold['file']} lacks {sorted(map(chr, lost))}"
