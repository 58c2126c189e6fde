"""TRANSLATING.md works as written: a new language, from a clean copy of the project to a
PDF in that language, with no code change."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from handouts.resources import PROJECT_DIR
from tests.conftest import pdf_text

GERMAN = {
    "Recovering after a miscarriage": "Erholung nach einer Fehlgeburt",
    "Get help right away if you have:": "Sofort Hilfe holen bei:",
}


def clean_copy(target: Path) -> Path:
    """The project's files as a fresh clone would have them (no build or test output)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=PROJECT_DIR, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if name and (PROJECT_DIR / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_DIR / name, target / name)
    return target


def commands(section_heading: str) -> list[str]:
    """The shell commands of one numbered section of TRANSLATING.md."""
    text = (PROJECT_DIR / "TRANSLATING.md").read_text("utf-8")
    section = text.split(f"## {section_heading}", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    assert command.startswith("python3 "), command
    return subprocess.run([sys.executable] + command.split()[1:], cwd=cwd,
                          capture_output=True, text=True)


def germanish(english: str) -> str:
    """Text that is no longer the English (the check refuses English left unchanged) and
    as long as it, with the tags and placeholders kept."""
    parts = re.split(r"(<[^>]*>|%\(\w+\)s)", english)
    umlauts = str.maketrans("aeiouAEIOU", "äëïöüÄËÏÖÜ")
    return "".join(part if part.startswith(("<", "%(")) else part.translate(umlauts)
                   for part in parts)


def translate_like_a_translator(po: Path) -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    for message in catalog:
        if message.id:
            if isinstance(message.id, tuple):
                message.string = tuple(germanish(message.id[min(i, 1)])
                                       for i in range(catalog.num_plurals))
            else:
                message.string = GERMAN.get(message.id, germanish(message.id))
    with po.open("wb") as handle:
        write_po(handle, catalog)


def test_new_language_walkthrough(tmp_path):
    project = clean_copy(tmp_path)
    for step in ["1. See what exists", "2. Start a new language"]:
        for command in commands(step):
            result = run(command, project)
            assert result.returncode == 0, (command, result.stderr)
    assert "de" not in run("python3 generate.py locales list", PROJECT_DIR).stdout.split()

    # Before translating, the check fails and names the file, line and rule.
    check = run(commands("5. Check it")[0], project)
    assert check.returncode == 1
    assert re.search(r"^locales/de/LC_MESSAGES/messages.po:\d+: untranslated: ",
                     check.stdout, re.M)

    translate_like_a_translator(project / "locales/de/LC_MESSAGES/messages.po")
    check = run(commands("5. Check it")[0], project)
    assert check.returncode == 1            # the web app's words are not translated yet
    assert re.search(r"^locales/de/LC_MESSAGES/web.po:\d+: msgid .*: not translated",
                     check.stdout, re.M), check.stdout
    translate_like_a_translator(project / "locales/de/LC_MESSAGES/web.po")
    for command in commands("4. Look at it"):
        assert run(command, project).returncode == 0
    check = run(commands("5. Check it")[0], project)
    assert check.returncode == 0 and check.stdout.strip() == "de: ok", check.stdout

    pdf = (project / "out" / "preview-de.pdf").read_bytes()
    text = pdf_text(pdf)
    assert GERMAN["Recovering after a miscarriage"] in text
    assert GERMAN["Get help right away if you have:"] in text
    listing = run(commands("1. See what exists")[0], project).stdout
    assert re.search(r"^de\s+Deutsch\s+100%\s+DRAFT, not reviewed$", listing, re.M)

    # A patient's handout in the new language, through the ordinary command.
    out = project / "out" / "patient-de.pdf"
    result = run(f"python3 generate.py render --locale de-AT --discharge-date 2026-11-20 "
                 f"--wait 2w --contraception avoid --follow-up call --rh given "
                 f"--today 2026-11-20 --out {out}", project)
    assert result.returncode == 0, result.stderr
    assert GERMAN["Recovering after a miscarriage"] in pdf_text(out.read_bytes())


def test_update_keeps_previous_english(tmp_path):
    project = clean_copy(tmp_path)
    template = project / "templates/miscarriage-recovery/handout.xml.j2"
    template.write_text(template.read_text("utf-8").replace(
        "Light spotting can go on until your next period.",
        "Light spotting can last until your next period."), "utf-8")
    for command in commands("For developers"):
        assert run(command, project).returncode == 0, command
    po = (project / "locales/es/LC_MESSAGES/messages.po").read_text("utf-8")
    assert '#| msgid "Light spotting can go on until your next period."' in po
    check = run("python3 generate.py locales check es", project)
    assert check.returncode == 1 and ": fuzzy: 'Light spotting can last" in check.stdout
