"""Command line: parses options, calls the core, prints errors, sets exit codes.

Exit codes: 0 done; 1 some handouts of a batch failed; 2 unusable input, or output that
cannot be written (nothing written); 70 an internal error; 130 interrupted.
Errors are one line on stderr and never contain patient data.

A handout declares its own per-visit fields (fields.toml): a first pass over the command
line finds --handout and --templates, and `render` (or `make`) then takes that
handout's options, which its --help lists.
"""
from __future__ import annotations

from types import MappingProxyType
import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from . import cli_locales, cli_serve
from .brand import load_brand
from .errors import HandoutError, InputError
from .i18n import CatalogRefused, shipped_locales
from .output import write_atomic
from .library import Library
from .records import DEFAULT_HANDOUT, job_from_fields, parse_date
from .batch import MANIFEST_FORMATS
from .resources import EXAMPLE_BRAND
from .settings import ENVIRONMENT_VARIABLE, SETTINGS_FILE, clinic_brand_path

EXIT_OK, EXIT_SOME_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130

#: The sample patient's generic values; the handout's own come from the examples in its
#: fields.toml (sample_fields), which are written for this discharge date.
SAMPLE_PATIENT = MappingProxyType({
    "locale": "en", "patient_name": "Maria Example", "record_id": "SAMPLE-001",
    "discharge_date": "2026-11-20", "clinician": "Dr. Sam Rivera",
    "note": "Take ibuprofen 400 mg every 6 hours if you need it for cramps.",
})
SAMPLE_TODAY = "2026-11-20"
SAMPLE_OUT = Path("out/sample-handout.pdf")
BRAND_HELP = (f"your clinic's brand file (default: ${ENVIRONMENT_VARIABLE}, else brand in "
              f"./{SETTINGS_FILE}; there is no built-in clinic)")
HANDOUT_HELP = (f"the handout to make (default: {DEFAULT_HANDOUT}): a folder in --templates "
                "or the built-in templates/")
TEMPLATES_HELP = ("a folder of your clinic's own handouts and template overrides, searched "
                  "before the built-in templates/ (may be given more than once)")
#: The names of the command that makes one patient's handout (the second is an alias).
ONE_HANDOUT = ("render", "make")


def sample_fields(handout_fields) -> dict:
    """The sample patient's row for a handout (HandoutFields): the generic values above
    and the examples of the handout's own fields."""
    return {**SAMPLE_PATIENT, **handout_fields.example_values()}


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line like every other error, and options
    written in full: --handout and --templates are read in a first pass that must see
    the same options the full parser does (an abbreviation would pass one and not the
    other, and print another handout without a word)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def first_pass(argv: list[str]) -> argparse.Namespace:
    """The command, --handout and --templates, read before the full parser is built: the
    handout's fields decide the options `render` takes. Everything else is left for the
    full parser, which reports any mistake."""
    early = _Parser(prog="generate.py", add_help=False, allow_abbrev=False)
    early.add_argument("command", nargs="?")
    early.add_argument("--handout", default=DEFAULT_HANDOUT)
    early.add_argument("--templates", type=Path, action="append", default=[])
    return early.parse_known_args(argv)[0]


def build_parser(handout_fields=None, one_name: str = "render",
                 locales: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The full parser; `render` (or `make`, by `one_name`) takes the options of
    `handout_fields` (HandoutFields), or of no handout when it is not the command run."""
    parser = _Parser(
        prog="generate.py",
        description="Make printable patient handouts. With no command, writes a sample "
                    f"handout for the example clinic to {SAMPLE_OUT}.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sample = commands.add_parser("sample", help="write a sample handout (the default)")
    sample.add_argument("--locale", default="en", help="language of the sample (default: en)")
    sample.add_argument("--out", type=Path, default=SAMPLE_OUT, help="PDF to write")
    _add_handout_options(sample)

    one = commands.add_parser(
        one_name, aliases=[n for n in ONE_HANDOUT if n != one_name],
        help="make one patient's handout",
        description="Make one patient's handout PDF. Dates are YYYY-MM-DD."
                    + (f" The options between --discharge-date and --clinician are the "
                       f"{handout_fields.name} handout's own." if handout_fields else ""))
    _add_handout_options(one)
    one.add_argument("--locale", required=True,
                     help="patient's language, e.g. en, es, es-MX (shipped: "
                          + ", ".join(locales or shipped_locales()) + ")")
    one.add_argument("--patient-name", default="",
                     help="printed in the patient box only; may be left out")
    one.add_argument("--record-id", default="",
                     help="short id printed on every page (else the patient's initials)")
    one.add_argument("--discharge-date", required=True, metavar="YYYY-MM-DD")
    for spec in handout_fields.specs if handout_fields else ():
        # argparse formats help with %: a literal one in fields.toml must be doubled.
        one.add_argument(spec.option, dest=_dest(spec), required=spec.required, default="",
                         metavar=spec.metavar, help=spec.help.replace("%", "%%"))
    one.add_argument("--clinician", default="", help="clinician's name")
    one.add_argument("--note", default="", help="short note from the clinician (300 chars)")
    one.add_argument("--brand", type=Path, default=None,
                     help=BRAND_HELP)
    one.add_argument("--paper", metavar="{letter,a4}", default="",
                     help="paper size (default: from the clinic's country)")
    one.add_argument("--today", metavar="YYYY-MM-DD",
                     help="date printed as the print date (default: today)")
    one.add_argument("--name-in-metadata", action="store_true",
                     help="also put the patient's name in the PDF title metadata")
    one.add_argument("--out", type=Path, required=True, help="PDF file to write")
    _add_batch_command(commands)
    cli_serve.add_command(commands, brand_help=BRAND_HELP, cores=_cores(),
                          add_handout_options=_add_handout_options)
    cli_locales.add_commands(commands)
    return parser


def _add_handout_options(command) -> None:
    command.add_argument("--handout", default=DEFAULT_HANDOUT, metavar="NAME", help=HANDOUT_HELP)
    command.add_argument("--templates", type=Path, action="append", default=[], metavar="DIR",
                         help=TEMPLATES_HELP)


def _dest(spec) -> str:
    """Where argparse keeps a handout field's value: a name no generic option uses."""
    return f"field_{spec.name}"


def _add_batch_command(commands) -> None:
    batch = commands.add_parser(
        "batch", help="make handouts for every patient in a list (CSV or JSON Lines)",
        description="Make one handout per row of a patient list, a print file with all of "
                    "them (print.pdf, each handout starting on a new sheet when printed "
                    "double-sided) and a manifest. Re-run the same command after a crash to "
                    "finish: rows already made are skipped. Exit code 1 if any row failed.")
    batch.add_argument("patients", type=Path, metavar="PATIENTS",
                       help="patient list: .csv or .jsonl, one row per patient; the columns "
                            "are the fields of render's options (record_id, locale, "
                            "discharge_date, ... and the handout's own: see render --handout "
                            "NAME --help, and samples/patients.csv)")
    _add_handout_options(batch)
    batch.add_argument("--out-dir", type=Path, required=True,
                       help="folder for handouts/*.pdf, print.pdf and the manifest")
    batch.add_argument("--brand", type=Path, default=None, help=BRAND_HELP)
    batch.add_argument("--today", metavar="YYYY-MM-DD",
                       help="date printed as the print date (default: today)")
    batch.add_argument("--workers", type=int, default=_cores(), metavar="N",
                       help="worker processes (default: the machine's cores, here "
                            f"{_cores()}; 0 makes rows in this process)")
    batch.add_argument("--group-by-language", action="store_true",
                       help="order the print file by language (in order of first appearance)")
    batch.add_argument("--manifest", choices=MANIFEST_FORMATS, default="csv",
                       help="manifest format (default: csv)")
    batch.add_argument("--no-print-file", action="store_true",
                       help="make only the handouts and the manifest, no print.pdf (a "
                            "print.pdf from an earlier run is removed, as it would not match)")


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _run(argv)
    except HandoutError as error:
        # A refused catalog has one line per problem, as `locales check` prints them.
        lines = error.lines() if isinstance(error, CatalogRefused) else [str(error)]
        for line in lines:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:         # `locales list | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:      # a bug: one line, and never the values it was given
        print(f"error: internal error ({type(error).__name__}) (please report it with the "
              "command you ran, without patient details)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def _run(argv: list[str]) -> int:
    early = first_pass(argv)
    library = handout_fields = None
    if early.command in ONE_HANDOUT:
        # Read before parsing the rest: the handout's fields are render's options.
        library = Library(template_dirs=early.templates)
        handout = library.handout(early.handout)
        handout_fields, locales = handout.fields, handout.catalogs.shipped()
    one_name = early.command if early.command in ONE_HANDOUT else ONE_HANDOUT[0]
    args = build_parser(handout_fields, one_name, locales if library else None).parse_args(argv)
    if args.command in (None, "sample"):
        return _sample(args, Library(template_dirs=getattr(args, "templates", [])))
    if args.command in ONE_HANDOUT:
        return _render_one(args, library, handout_fields)
    if args.command == "batch":
        return _batch(args)
    if args.command == "serve":
        return cli_serve.run(args)
    if args.command == "locales":
        return cli_locales.run(args)
    return EXIT_OK


def _sample(args: argparse.Namespace, library: Library) -> int:
    locale, out = getattr(args, "locale", "en"), getattr(args, "out", SAMPLE_OUT)
    handout_fields = library.handout_fields(getattr(args, "handout", DEFAULT_HANDOUT))
    job = job_from_fields({**sample_fields(handout_fields), "locale": locale},
                          handout=handout_fields, brand=load_brand(EXAMPLE_BRAND),
                          today=date.fromisoformat(SAMPLE_TODAY))
    write_atomic(out, library.render(job))
    print(f"wrote {out} (sample handout for the example clinic, {locale})")
    return EXIT_OK


def _render_one(args: argparse.Namespace, library: Library, handout_fields) -> int:
    today = parse_date(args.today, "today") if args.today else date.today()
    brand = load_brand(clinic_brand_path(args.brand))
    fields = {
        "locale": args.locale, "patient_name": args.patient_name, "record_id": args.record_id,
        "discharge_date": args.discharge_date,
        **{spec.column: getattr(args, _dest(spec)) for spec in handout_fields.specs},
        "clinician": args.clinician, "note": args.note, "paper": args.paper,
    }
    job = job_from_fields(fields, handout=handout_fields, brand=brand, today=today,
                          name_in_metadata=args.name_in_metadata)
    if args.out.suffix.lower() != ".pdf":
        raise InputError(f"{str(args.out)!r} does not end in .pdf", field="--out",
                         hint="name the output file something.pdf")
    write_atomic(args.out, library.render(job))
    print(f"wrote {args.out}")
    return EXIT_OK


# -- batch -------------------------------------------------------------------------------

def _batch(args: argparse.Namespace) -> int:
    from .batch import BatchOptions, run_batch
    today = parse_date(args.today, "today") if args.today else date.today()
    if args.workers < 0:
        raise InputError(f"{args.workers} is not a number of workers", field="--workers",
                         hint="use 1 or more (0 makes the rows in this process)")
    options = BatchOptions(source=args.patients, out_dir=args.out_dir,
                           brand_path=clinic_brand_path(args.brand),
                           today=today, workers=args.workers,
                           group_by_language=args.group_by_language,
                           manifest_format=args.manifest, print_file=not args.no_print_file,
                           handout=args.handout, template_dirs=tuple(args.templates))
    try:
        result = run_batch(options, _progress_display(sys.stderr))
    except KeyboardInterrupt:
        print("interrupted before any handout was made", file=sys.stderr)
        return EXIT_INTERRUPTED
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.interrupted:
        done = len(result.outcomes) - result.count("pending")
        print(f"interrupted: {done} of {len(result.outcomes)} rows done; run the same command "
              "again to make the rest (rows already made are skipped)", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"made {result.made}, failed {result.failed}, skipped {result.skipped} "
          f"in {result.seconds:.1f} s ({result.rate:.1f} handouts per second)")
    if result.print_path:
        print(f"wrote {result.print_path} ({result.print_handouts} handouts, "
              f"{result.print_pages} pages)")
    if result.print_error:
        print(f"error: {result.print_error}", file=sys.stderr)
    print(f"wrote {result.manifest_path}")
    if result.leftover_warning:
        print(f"warning: {result.leftover_warning}", file=sys.stderr)
    return EXIT_SOME_FAILED if result.failed or result.print_error else EXIT_OK


def _progress_display(stream):
    """A progress bar on a terminal, plain lines otherwise; counts only, never patient data."""
    if getattr(stream, "isatty", lambda: False)():
        return _BarProgress(stream)
    return _LineProgress(stream)


class _BarProgress:
    def __init__(self, stream):
        self.stream = stream
        self.bar = None
        self.failed = 0

    def start(self, total: int, done: int) -> None:
        from tqdm import tqdm
        tqdm.monitor_interval = 0          # no monitor thread: workers are forked
        self.bar = tqdm(total=total, unit="handout", file=self.stream, dynamic_ncols=True,
                        desc="handouts", smoothing=0.1)

    def row(self, outcome) -> None:
        self.failed += outcome.status == "failed"
        self.bar.update(1)
        if self.failed:
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)

    def note(self, text: str) -> None:
        self.bar.set_description_str(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _LineProgress:
    """A line every tenth of the rows or every 10 seconds, and at the end."""

    def __init__(self, stream):
        self.stream = stream
        self.total = self.done = 0
        self.counts = {"made": 0, "failed": 0, "skipped": 0}
        self.last = time.monotonic()
        self.step = 1

    def start(self, total: int, done: int) -> None:
        self.total, self.step = total, max(1, total // 10)

    def row(self, outcome) -> None:
        self.done += 1
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        now = time.monotonic()
        if self.done % self.step == 0 or self.done == self.total or now - self.last >= 10:
            self.last = now
            print(f"progress: {self.done}/{self.total} rows ({self.counts['made']} made, "
                  f"{self.counts['failed']} failed, {self.counts['skipped']} skipped)",
                  file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(f"progress: {text}", file=self.stream, flush=True)

    def close(self) -> None:
        pass
