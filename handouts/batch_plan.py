"""Batch stage, planning: every row of the list checked here, before any work.

Each row becomes a job (or fails with its reason at its line), gets its file name (from
the record id, never the patient's name; two rows may not share one), and is compared
with the manifest of an earlier run: a row made from the same input into a file that
still has the recorded SHA-256 is skipped, so re-running a killed batch finishes it.

"The same input" is `input_sha256`: an HMAC-SHA256, under the out-dir's own random key,
of everything the handout's bytes depend on (the row's values, the brand, the print date,
the templates, catalogs, fonts and code). Keyed, so that the manifest alone cannot be
used to confirm a guessed patient's name or dates by hashing them.

What earlier runs left in handouts/ is dealt with here too: a row that fails now takes
the handout an earlier run made for it away, and any other PDF is named, never printed
by mistake.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .batch_workers import FAILED, MADE, PENDING, SKIPPED
from .brand import Brand
from .errors import HandoutError, InputError
from .output import folder_secret, handout_file_name, make_folder, read_manifest, sha256_file
from .patient_lists import PatientList, Row, job_from_row
from .records import DEFAULT_HANDOUT, Job
from .resources import PROJECT_DIR

HANDOUTS_DIR = "handouts"
PRINT_FILE = "print.pdf"
KEY_FILE = ".handouts-key"     # the out-dir's HMAC key for input_sha256 (mode 0600)


@dataclass(frozen=True)
class BatchOptions:
    source: Path
    out_dir: Path
    brand_path: Path
    today: date
    workers: int = 1                 # 0: make rows in this process (no crash isolation)
    group_by_language: bool = False
    manifest_format: str = "csv"
    print_file: bool = True
    handout: str = DEFAULT_HANDOUT
    template_dirs: tuple[Path, ...] = ()   # a clinic's own handouts, before the built-in ones
    source_name: str = ""           # how errors name the list; default: the path as given

    @property
    def name(self) -> str:
        return self.source_name or str(self.source)

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / f"manifest.{self.manifest_format}"

    @property
    def print_path(self) -> Path:
        return self.out_dir / PRINT_FILE

    @property
    def key_path(self) -> Path:
        return self.out_dir / KEY_FILE


@dataclass
class RowOutcome:
    """What became of one row; one line of the manifest."""
    line: int
    record_id: str
    locale: str
    file: str = ""
    input_sha256: str = ""
    status: str = PENDING
    pages: int | None = None
    sha256: str = ""
    error: str = ""

    def manifest_entry(self) -> dict:
        return {"row": self.line, "record_id": self.record_id, "locale": self.locale,
                "status": self.status, "file": self.file if self.status != FAILED else "",
                "pages": self.pages if self.pages is not None else "",
                "sha256": self.sha256, "error": self.error, "input_sha256": self.input_sha256}



# -- planning: every row checked here, before any work --------------------------------

@dataclass
class _Planned:
    outcome: RowOutcome
    row: Row
    job: Job | None = None          # set for rows to make or skip (both go in the print file)
    for_print: object = None        # what a worker made for the print file, until printed
    earlier: tuple[str, str] | None = None   # (file, sha256) an earlier run made for its id


def render_key(brand: Brand, brand_path: Path, today: date, handout: str,
               template_dirs: tuple[Path, ...] = ()) -> str:
    """A digest of everything besides the row that a handout's bytes depend on: the
    project's files and those of a clinic's own template folders (`template_dirs`)."""
    import reportlab
    digest = hashlib.sha256()
    digest.update(f"{today.isoformat()}|{handout}|reportlab {reportlab.Version}|".encode())
    try:
        digest.update(Path(brand_path).read_bytes())
    except OSError:
        pass
    digest.update(repr(brand).encode("utf-8", "backslashreplace"))
    patterns = ("templates/**/*", "locales/*.pot", "locales/*/LC_MESSAGES/*.po",
                "locales/*/review.toml", "locales/*/settings.toml",
                "locales/*/cldr-supplement.toml", "fonts/**/*")
    code = Path(__file__).resolve().parent          # the package, checkout or wheel
    files = sorted({(PROJECT_DIR, p) for pattern in patterns for p in PROJECT_DIR.glob(pattern)
                    if p.is_file()} | {(code, p) for p in code.glob("**/*.py")})
    files += sorted((Path(folder), p) for folder in template_dirs
                    for p in Path(folder).glob("**/*") if p.is_file())
    for root, path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _input_sha256(key: str, row: Row, secret: bytes) -> str:
    """HMAC-SHA256 of the render key and the row's values under the out-dir's secret: the
    same row gives the same value in one out-dir (so resume works) and an unguessable
    one elsewhere (so a manifest cannot confirm a guessed name or date)."""
    values = json.dumps(sorted(row.fields.items()), ensure_ascii=False)
    return hmac.new(secret, f"{key}\n{values}".encode("utf-8"), hashlib.sha256).hexdigest()



def plan(options: BatchOptions, patients: PatientList, brand: Brand, library,
         secret: bytes | None = None) -> list[_Planned]:
    """Check every row and decide what to make, against the batch's Library; `secret` is
    the out-dir's key (default: read from, or made in, the out-dir)."""
    negotiate = library.handout(options.handout).catalogs.negotiate
    if secret is None:
        make_folder(options.out_dir)
        secret = folder_secret(options.key_path)
    handout_fields = library.handout_fields(options.handout)
    key = render_key(brand, options.brand_path, options.today, options.handout,
                     options.template_dirs)
    earlier = {entry.get("file", ""): entry for entry in read_manifest(options.manifest_path)}
    used: dict[str, int] = {}
    planned = []
    for row in patients.rows:
        # The locale column is filled in once the tag is known to be a language: a name
        # typed there must not reach the manifest.
        outcome = RowOutcome(line=row.line, record_id=row.record_id, locale="")
        try:
            outcome.locale = negotiate((row.fields.get("locale") or "").strip())
        except HandoutError:
            pass
        item = _Planned(outcome, row)
        planned.append(item)
        if row.record_id:
            own = f"{HANDOUTS_DIR}/{handout_file_name(row.record_id, row.line)}"
            before = earlier.get(own)
            if before and before.get("status") in (MADE, SKIPPED) and before.get("sha256") \
                    and before.get("record_id") == row.record_id:
                item.earlier = (own, before["sha256"])
        try:
            job = job_from_row(row, handout=handout_fields, brand=brand, today=options.today,
                               source=options.name)
            try:
                outcome.locale = negotiate(job.locale)
            except HandoutError as error:
                raise error.located(options.name, row.line) from None
            name = handout_file_name(job.record_id, row.line)
            other = used.get(name.casefold())
            if other is not None:
                raise InputError(
                    f"{job.record_id!r} gives the same file name as the row on line {other}"
                    if job.record_id else f"gives the same file name as line {other}",
                    source=options.name, line=row.line, field="record_id",
                    hint="give each row its own record id")
            used[name.casefold()] = row.line
        except HandoutError as error:
            outcome.status, outcome.error = FAILED, str(error)
            continue
        item.job = job
        outcome.file = f"{HANDOUTS_DIR}/{name}"
        outcome.input_sha256 = _input_sha256(key, row, secret)
        before = earlier.get(outcome.file)
        if (before and before.get("status") in (MADE, SKIPPED)
                and before.get("input_sha256") == outcome.input_sha256
                and before.get("sha256")
                and sha256_file(options.out_dir / outcome.file) == before.get("sha256")):
            outcome.status, outcome.sha256 = SKIPPED, before["sha256"]
            try:
                outcome.pages = int(before.get("pages"))
            except (TypeError, ValueError):
                outcome.pages = None
    return planned


def print_order(planned: list[_Planned], group_by_language: bool) -> list[int]:
    """Indexes of the rows in print order: input order, or grouped by language in the
    order each language first appears (input order within a language)."""
    indexes = list(range(len(planned)))
    if not group_by_language:
        return indexes
    rank: dict[str, int] = {}
    for item in planned:
        rank.setdefault(item.outcome.locale, len(rank))
    return sorted(indexes, key=lambda i: (rank[planned[i].outcome.locale], i))


def remove_superseded(options: BatchOptions, planned: list[_Planned]) -> None:
    """A row that failed now but was made by an earlier run (same record id, other
    values) must not leave its old handout to be printed: it is removed, and said so.
    Run once the rows are checked (before any work, so an interrupted run has done it)
    and again at the end for the rows that failed while being made."""
    claimed = {item.outcome.file for item in planned if item.outcome.status != FAILED}
    for item in planned:
        if item.outcome.status != FAILED or item.earlier is None:
            continue
        file, sha256 = item.earlier
        if file in claimed:      # another row of this list makes it (a repeated record id)
            continue
        path = options.out_dir / file
        if sha256_file(path) != sha256:
            continue             # not the file the earlier run made: left alone, reported
        try:
            path.unlink()
        except OSError:
            continue
        item.outcome.error += (f" ({file}, made by an earlier run from other values, was "
                               "removed)")


def leftover_handouts(options: BatchOptions, planned: list[_Planned]) -> list[str]:
    """The PDFs in handouts/ that no row of this list made or skipped, by name: a print
    room that prints the folder would otherwise hand out another list's patients'."""
    ours = {Path(item.outcome.file).name.casefold() for item in planned
            if item.outcome.status in (MADE, SKIPPED)}
    try:
        names = sorted(path.name for path in (options.out_dir / HANDOUTS_DIR).iterdir()
                       if path.suffix.lower() == ".pdf" and not path.name.startswith(".")
                       and path.is_file())
    except OSError:
        return []
    return [name for name in names if name.casefold() not in ours]
