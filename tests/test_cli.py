"""Command line: what a clinic's staff type, and what they see when input is wrong."""
import subprocess
import sys
from pathlib import Path

import pytest

from handouts.cli import main
from handouts.resources import PROJECT_DIR

GOOD = ["render", "--locale", "es", "--patient-name", "Ana Pérez", "--discharge-date",
        "2026-11-20", "--wait", "6w", "--contraception", "trying", "--follow-up", "call",
        "--rh", "not-needed", "--today", "2026-11-20"]


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_no_arguments_writes_the_sample(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "generate.py")],
                            capture_output=True, text=True, check=True)
    assert "wrote out/sample-handout.pdf" in result.stdout
    assert (tmp_path / "out" / "sample-handout.pdf").read_bytes().startswith(b"%PDF-")


def test_render_writes_the_pdf(tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    code, stdout, _ = run(GOOD + ["--out", str(out)], capsys)
    assert code == 0 and stdout == f"wrote {out}\n"
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]   # no temporary left


def _replace(args, option, value):
    args = list(args)
    args[args.index(option) + 1] = value
    return args


BRAND_DIR = Path(__file__).parent / "data"


@pytest.mark.parametrize("change, message", [
    (lambda a: _replace(a, "--locale", "xx"),
     "error: locale: 'xx' is not a shipped language (use one of: "),
    (lambda a: _replace(a, "--discharge-date", "2026-13-01"),
     "error: discharge_date: '2026-13-01' is not a date (use YYYY-MM-DD, e.g. 2026-11-20)\n"),
    (lambda a: _replace(a, "--contraception", "maybe"),
     "error: contraception: the value is not one of avoid, trying, undecided (avoid = no "
     "pregnancy for now, trying = try again when ready, undecided = talk at follow-up)\n"),
    (lambda a: _replace(a, "--rh", "positive"),
     "error: rh: the value is not one of given, not-given, not-needed "
     "(use given, not-given or not-needed)\n"),
    (lambda a: _replace(a, "--wait", "soon"),
     "error: wait: the value is not a wait (use until-bleeding-stops, a number of weeks such as "
     "2w or 6w, or a date YYYY-MM-DD)\n"),
    (lambda a: a + ["--brand", "missing.toml"],
     "error: missing.toml: file not found (pass --brand with the path of a brand TOML file, "
     "e.g. brands/example-clinic.toml)\n"),
    (lambda a: a + ["--brand", str(BRAND_DIR / "gif-logo.toml")],
     f"error: {BRAND_DIR / 'gif-logo.toml'}:7: clinic.logo: {BRAND_DIR / 'logo.gif'} is not a "
     "PNG or SVG image (export the logo as PNG or SVG)\n"),
    (lambda a: [x for x in a if x not in ("--rh", "not-needed")],
     "error: the following arguments are required: --rh (see generate.py render --help)\n"),
])
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, capsys, change, message):
    out = tmp_path / "handout.pdf"
    try:
        code, _, err = run(change(GOOD) + ["--out", str(out)], capsys)
    except SystemExit as exit_:           # argparse's own errors exit from inside parse_args
        code, err = exit_.code, capsys.readouterr().err
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_errors_never_print_the_patient_name(tmp_path, capsys):
    args = _replace(GOOD, "--wait", "soon") + ["--out", str(tmp_path / "x.pdf")]
    _, out, err = run(args, capsys)
    assert "Ana" not in out + err and "Pérez" not in out + err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    text = capsys.readouterr().out
    for option in ["--locale", "--patient-name", "--record-id", "--discharge-date", "--wait",
                   "--contraception", "--contraception-method", "--follow-up", "--rh",
                   "--clinician", "--note",
                   "--brand", "--paper", "--today", "--name-in-metadata", "--out"]:
        assert option in text


def test_the_chosen_method_prints_in_the_plan(tmp_path, capsys):
    from tests.conftest import pdf_text
    out = tmp_path / "h.pdf"
    args = [a if a != "trying" else "avoid" for a in GOOD]
    code, _, err = run(args + ["--contraception-method", "implant", "--locale", "en",
                               "--out", str(out)], capsys)
    assert code == 0, err
    assert "Your birth control: the implant (a small rod under the skin of the arm)." in \
        pdf_text(out.read_bytes())


def test_an_internal_error_is_one_line_with_its_own_exit_code(tmp_path, capsys, monkeypatch):
    from handouts.library import Library
    monkeypatch.setattr(Library, "render",
                        lambda self, job: (_ for _ in ()).throw(KeyError("Ana")))
    code, out, err = run(GOOD + ["--out", str(tmp_path / "h.pdf")], capsys)
    assert code == 70 and not (tmp_path / "h.pdf").exists()
    assert err == ("error: internal error (KeyError) (please report it with the command you "
                   "ran, without patient details)\n")
