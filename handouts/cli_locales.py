"""Command line for translators: `generate.py locales
list|new|update|check|preview|approve|extract`.

Exit codes: 0 done and clean; 1 the check found problems; 2 unusable input.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po

from . import catalogs, i18n, review
from .errors import LocaleError
from .output import write_atomic
from .records import DEFAULT_HANDOUT, job_from_fields
from .resources import EXAMPLE_BRAND, LOCALES_DIR, relative
from .web import interface


def add_commands(commands) -> None:
    locales = commands.add_parser("locales", help="translators' tools: list, new, update, "
                                                  "check, preview, approve, extract")
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
    check.add_argument("--handout", metavar="NAME", default="",
                       help="check the catalogs a handout carries in its own locales/ "
                            "folder (every language), instead of the project's")
    check.add_argument("--templates", type=Path, action="append", default=[], metavar="DIR",
                       help="a folder of a clinic's own handouts (with --handout)")
    preview = sub.add_parser("preview", help="render the sample handout in a language, "
                                             "English where a string is not translated yet")
    preview.add_argument("locale")
    preview.add_argument("--out", type=Path, help="PDF to write (default: "
                                                  "out/preview-LOCALE.pdf)")
    preview.add_argument("--paper", default="", metavar="{letter,a4}")
    approve = sub.add_parser("approve", help="record that a qualified medical translator "
                                             "reviewed the whole catalog as it is now")
    approve.add_argument("locale")
    # Not required by argparse: approve() reports every missing or wrong value at once.
    approve.add_argument("--reviewer", default="", help='name and credential, e.g. '
                                                        '"Ana Ruiz, certified medical '
                                                        'interpreter"')
    approve.add_argument("--date", default="", help="the day the review was done, "
                                                    "YYYY-MM-DD")
    sub.add_parser("extract", help="re-read the English strings from templates/ into "
                                   "locales/messages.pot (after changing a template)")


def run(args: argparse.Namespace) -> int:
    action = args.locales_command
    translated = [l for l in i18n.shipped_locales() if l != i18n.SOURCE_LOCALE]
    if action == "list":
        return _list()
    if action == "approve":
        return _approve(args)
    if action == "new":
        path = catalogs.new(args.locale)
        interface.update([args.locale], create=True)
        print(f"wrote {path.relative_to(catalogs.PROJECT_DIR)}: translate every msgstr, then "
              f"run: python generate.py locales check {args.locale}")
        return 0
    if action == "update":
        for path in catalogs.update(args.locale or translated):
            print(f"updated {path.relative_to(catalogs.PROJECT_DIR)}")
        for path in interface.update(args.locale or translated, create=True):
            print(f"updated {path.relative_to(catalogs.PROJECT_DIR)}")
        return 0
    if action == "extract":
        catalogs.extract()
        interface.extract()
        print("updated locales/messages.pot and locales/web.pot (the web app's words); now "
              "run: python generate.py locales update")
        return 0
    if action == "check" and args.handout:
        return _check_handout(args)
    if action == "check" and args.templates:
        raise LocaleError("is only for a handout's own catalogs", field="--templates",
                          hint="add --handout NAME, or leave --templates out")
    if action == "check":
        from .library import Library
        fresh = catalogs.fresh_catalog_template()
        library = Library()
        web_interface = interface.InterfaceCatalogs(library.locales_dir,
                                                    fingerprints=library.fingerprints)
        failed = 0
        for locale_id in args.locale or translated:
            problems = catalogs.check(locale_id, fresh_template=fresh, library=library)
            problems += web_interface.problems(locale_id)
            if not web_interface.path(locale_id).exists():
                problems.append(f"{relative(web_interface.path(locale_id))}: "
                                "missing: the web app's words are not translated (run: "
                                f"python generate.py locales update {locale_id}, then "
                                "translate it)")
            for problem in problems:
                print(problem)
            failed += bool(problems)
            if not problems:
                print(f"{locale_id}: ok")
        return 1 if failed else 0
    if action == "preview":
        return _preview(args)
    raise AssertionError(action)


def _check_handout(args: argparse.Namespace) -> int:
    """`locales check --handout NAME`: a handout's own catalog domain, every language."""
    from .library import Library
    handout = Library(args.templates).handout(args.handout)
    if handout.catalogs.domain == i18n.DOMAIN:
        print(f"{args.handout} has no catalogs of its own: its strings are the project's "
              "(run: python generate.py locales check)", file=sys.stderr)
        return 2
    problems = catalogs.check_domain(handout.catalogs, handout.folder, tuple(args.locale))
    for problem in problems:
        print(problem)
    if not problems:
        checked = args.locale or handout.catalogs.shipped()
        print(f"{args.handout}: ok ({', '.join(checked)})")
    return 1 if problems else 0


def _list() -> int:
    print(f"{'locale':9} {'language':24} {'done':>5}  review")
    broken = []
    for locale_id in i18n.shipped_locales():
        s = catalogs.status(locale_id)
        try:
            column = review_column(locale_id)
        except LocaleError as error:
            broken.append(error)
            column = "DRAFT: review.toml cannot be read (see below)"
        print(f"{locale_id:9} {s.name[:24]:24} {s.percent:>4}%  {column}")
    for error in broken:
        print(f"error: {error}", file=sys.stderr)
    return 2 if broken else 0


def review_column(locale_id: str, locales_dir: Path = LOCALES_DIR) -> str:
    """What `locales list` says of a locale's review, checked against its catalog now."""
    if locale_id == i18n.SOURCE_LOCALE:
        return "source"
    with catalogs.po_path(locale_id, locales_dir).open("rb") as handle:
        catalog = read_po(handle, locale=locale_id)
    status = review.read_review(review.review_path(locale_id, locales_dir), catalog)
    return describe(status)


def describe(status: review.ReviewStatus) -> str:
    if status.reviewed:
        return f"reviewed by {status.reviewer} on {status.date}"
    if not status.reviewer:
        return "DRAFT, not reviewed"
    if not status.changed:      # read_review was given no catalog: nothing was compared
        return f"DRAFT: not checked against the catalog (review by {status.reviewer} on " \
               f"{status.date})"
    strings = "string" if status.changed == 1 else "strings"
    return (f"DRAFT: {status.changed} {strings} changed since review by {status.reviewer} "
            f"on {status.date}")


def _approve(args: argparse.Namespace) -> int:
    try:
        path = review.approve(args.locale, args.reviewer, args.date, today=date.today(),
                              fresh_template=catalogs.fresh_catalog_template())
    except review.ApprovalRefused as refused:
        for reason in refused.reasons:
            print(f"error: {reason}", file=sys.stderr)
        return 2
    print(f"wrote {path.relative_to(catalogs.PROJECT_DIR)}: {args.locale} reviewed by "
          f"{args.reviewer.strip()} on {args.date}")
    return 0


def _preview(args: argparse.Namespace) -> int:
    from .cli import SAMPLE_TODAY, sample_fields
    from .library import Library
    library = Library()
    project = library.catalogs()
    locale_id = project.negotiate(args.locale)
    out = args.out or Path("out") / f"preview-{locale_id}.pdf"
    handout_fields = library.handout_fields(DEFAULT_HANDOUT)
    job = job_from_fields({**sample_fields(handout_fields), "locale": locale_id,
                           "paper": args.paper}, handout=handout_fields,
                          brand=library.brand(EXAMPLE_BRAND),
                          today=date.fromisoformat(SAMPLE_TODAY), allow_fallback=True)
    write_atomic(out, library.render(job))
    translated = locale_id in project.shipped() and locale_id != i18n.SOURCE_LOCALE
    problems = project.problems(locale_id) if translated else ()
    for problem in problems:
        print(problem)
    in_english = sum(1 for p in problems if p.rule in i18n.BREAKS_THE_PAGE)
    print(f"wrote {out} (a preview: every page says SAMPLE - not for patients"
          + (f"; {len(problems)} problems, {in_english} strings printed in English" if problems
             else "") + ")")
    return 0
