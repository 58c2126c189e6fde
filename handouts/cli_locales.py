"""Command line for translators: `generate.py locales list|new|update|check|preview|extract`.

Exit codes: 0 done and clean; 1 the check found problems; 2 unusable input.
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from . import catalogs, i18n
from .brand import load_brand
from .output import write_atomic
from .records import job_from_fields
from .resources import EXAMPLE_BRAND


def add_commands(commands) -> None:
    locales = commands.add_parser("locales", help="translators' tools: list, new, update, "
                                                  "check, preview, extract")
    sub = locales.add_subparsers(dest="locales_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="every language with completeness and review status")
    new = sub.add_parser("new", help="start a catalog for a new language")
    new.add_argument("locale", help="CLDR code with script or region where needed: fr, "
                                    "pt_BR, zh_Hant")
    update = sub.add_parser("update", help="bring catalogs up to date with the English")
    update.add_argument("locale", nargs="*", help="locales to update (default: all)")
    check = sub.add_parser("check", help="check catalogs; exit 1 with file:line for each "
                                         "problem")
    check.add_argument("locale", nargs="*", help="locales to check (default: all)")
    preview = sub.add_parser("preview", help="render the sample handout in a language, "
                                             "English where a string is not translated yet")
    preview.add_argument("locale")
    preview.add_argument("--out", type=Path, help="PDF to write (default: "
                                                  "out/preview-LOCALE.pdf)")
    preview.add_argument("--paper", default="", metavar="{letter,a4}")
    sub.add_parser("extract", help="re-read the English strings from templates/ into "
                                   "locales/messages.pot (after changing a template)")


def run(args: argparse.Namespace) -> int:
    action = args.locales_command
    translated = [l for l in i18n.shipped_locales() if l != i18n.SOURCE_LOCALE]
    if action == "list":
        print(f"{'locale':9} {'language':24} {'done':>5}  review")
        for locale_id in i18n.shipped_locales():
            s = catalogs.status(locale_id)
            review = "source" if locale_id == i18n.SOURCE_LOCALE else (
                f"reviewed by {s.reviewer} on {s.date}" if s.reviewed else "DRAFT, not reviewed")
            print(f"{locale_id:9} {s.name[:24]:24} {s.percent:>4}%  {review}")
        return 0
    if action == "new":
        path = catalogs.new(args.locale)
        print(f"wrote {path.relative_to(catalogs.PROJECT_DIR)}: translate every msgstr, then "
              f"run: python generate.py locales check {args.locale}")
        return 0
    if action == "update":
        for path in catalogs.update(args.locale or translated):
            print(f"updated {path.relative_to(catalogs.PROJECT_DIR)}")
        return 0
    if action == "extract":
        catalogs.extract()
        print("updated locales/messages.pot; now run: python generate.py locales update")
        return 0
    if action == "check":
        fresh = catalogs.fresh_catalog_template()
        failed = 0
        for locale_id in args.locale or translated:
            problems = catalogs.check(locale_id, fresh_template=fresh)
            for problem in problems:
                print(problem)
            failed += bool(problems)
            if not problems:
                print(f"{locale_id}: ok")
        return 1 if failed else 0
    if action == "preview":
        return _preview(args)
    raise AssertionError(action)


def _preview(args: argparse.Namespace) -> int:
    from .cli import SAMPLE_PATIENT, SAMPLE_TODAY
    from .render import render
    locale_id = i18n.negotiate(args.locale)
    out = args.out or Path("out") / f"preview-{locale_id}.pdf"
    job = job_from_fields({**SAMPLE_PATIENT, "locale": locale_id, "paper": args.paper},
                          brand=load_brand(EXAMPLE_BRAND),
                          today=date.fromisoformat(SAMPLE_TODAY), allow_fallback=True)
    write_atomic(out, render(job))
    status = catalogs.status(locale_id) if locale_id in i18n.shipped_locales() else None
    missing = f"; {status.total - status.translated} strings still in English" \
        if status and status.translated < status.total else ""
    print(f"wrote {out}{missing}")
    return 0
