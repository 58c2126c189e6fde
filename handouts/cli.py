"""Command line: parses options, calls the core, prints errors, sets exit codes.

Exit codes: 0 done; 1 some handouts of a batch failed; 2 unusable input (nothing written).
Errors are one line on stderr and never contain patient data.
"""
from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from . import cli_locales
from .brand import load_brand
from .errors import HandoutError, InputError
from .i18n import shipped_locales
from .output import write_atomic
from .records import (CONTRACEPTION_PLANS, RH_STATUSES, WAIT_UNTIL_BLEEDING_STOPS,
                      job_from_fields, parse_date)
from .render import render
from .resources import EXAMPLE_BRAND

EXIT_OK, EXIT_SOME_FAILED, EXIT_BAD_INPUT = 0, 1, 2

SAMPLE_PATIENT = {
    "locale": "en", "patient_name": "Maria Example", "record_id": "SAMPLE-001",
    "discharge_date": "2026-11-20", "wait": "2w", "contraception": "avoid",
    "follow_up": "2026-12-01 10:30", "rh": "not-needed", "clinician": "Dr. Sam Rivera",
    "note": "Take ibuprofen 400 mg every 6 hours if you need it for cramps.",
}
SAMPLE_TODAY = "2026-11-20"
SAMPLE_OUT = Path("out/sample-handout.pdf")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line like every other error."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="generate.py",
        description="Make printable patient handouts. With no command, writes a sample "
                    f"handout for the example clinic to {SAMPLE_OUT}.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sample = commands.add_parser("sample", help="write a sample handout (the default)")
    sample.add_argument("--locale", default="en", help="language of the sample (default: en)")
    sample.add_argument("--out", type=Path, default=SAMPLE_OUT, help="PDF to write")

    one = commands.add_parser(
        "render", help="make one patient's handout",
        description="Make one patient's handout PDF. Dates are YYYY-MM-DD.")
    one.add_argument("--locale", required=True,
                     help="patient's language, e.g. en, es, es-MX (shipped: "
                          + ", ".join(shipped_locales()) + ")")
    one.add_argument("--patient-name", default="",
                     help="printed in the patient box only; may be left out")
    one.add_argument("--record-id", default="",
                     help="short id printed on every page (else the patient's initials)")
    one.add_argument("--discharge-date", required=True, metavar="YYYY-MM-DD")
    one.add_argument("--wait", required=True,
                     metavar="{%s,Nw,YYYY-MM-DD}" % WAIT_UNTIL_BLEEDING_STOPS,
                     help="no sex, tampons or cups until: bleeding stops, N weeks after "
                          "discharge (2w, 6w), or a date")
    one.add_argument("--contraception", required=True, metavar="{%s}" % ",".join(CONTRACEPTION_PLANS),
                     help="avoid: no pregnancy for now; trying: try again when ready; "
                          "undecided: talk at follow-up")
    one.add_argument("--follow-up", required=True, metavar='"YYYY-MM-DD HH:MM"|call',
                     help="booked visit, or 'call' for 'call us to book'")
    one.add_argument("--rh", required=True, metavar="{%s}" % ",".join(RH_STATUSES),
                     help="Rh immune globulin (anti-D) this visit")
    one.add_argument("--clinician", default="", help="clinician's name")
    one.add_argument("--note", default="", help="short note from the clinician (300 chars)")
    one.add_argument("--brand", type=Path, default=EXAMPLE_BRAND,
                     help=f"clinic brand file (default: {EXAMPLE_BRAND.name})")
    one.add_argument("--paper", metavar="{letter,a4}", default="",
                     help="paper size (default: from the clinic's country)")
    one.add_argument("--today", metavar="YYYY-MM-DD",
                     help="date printed as the print date (default: today)")
    one.add_argument("--name-in-metadata", action="store_true",
                     help="also put the patient's name in the PDF title metadata")
    one.add_argument("--allow-fallback", action="store_true",
                     help="print English where the translation is incomplete (previews only; "
                          "never for a patient)")
    one.add_argument("--out", type=Path, required=True, help="PDF file to write")
    cli_locales.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command in (None, "sample"):
            return _sample(getattr(args, "locale", "en"), getattr(args, "out", SAMPLE_OUT))
        if args.command == "render":
            return _render_one(args)
        if args.command == "locales":
            return cli_locales.run(args)
    except HandoutError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _sample(locale: str, out: Path) -> int:
    brand = load_brand(EXAMPLE_BRAND)
    job = job_from_fields({**SAMPLE_PATIENT, "locale": locale}, brand=brand,
                          today=date.fromisoformat(SAMPLE_TODAY))
    write_atomic(out, render(job))
    print(f"wrote {out} (sample handout for the example clinic, {locale})")
    return EXIT_OK


def _render_one(args: argparse.Namespace) -> int:
    today = parse_date(args.today, "today") if args.today else date.today()
    brand = load_brand(args.brand)
    fields = {
        "locale": args.locale, "patient_name": args.patient_name, "record_id": args.record_id,
        "discharge_date": args.discharge_date, "wait": args.wait,
        "contraception": args.contraception, "follow_up": args.follow_up, "rh": args.rh,
        "clinician": args.clinician, "note": args.note, "paper": args.paper,
    }
    job = job_from_fields(fields, brand=brand, today=today,
                          name_in_metadata=args.name_in_metadata,
                          allow_fallback=args.allow_fallback)
    if args.out.suffix.lower() != ".pdf":
        raise InputError(f"{str(args.out)!r} does not end in .pdf", field="--out",
                         hint="name the output file something.pdf")
    write_atomic(args.out, render(job))
    print(f"wrote {args.out}")
    return EXIT_OK
