"""Batch stage: a patient list -> one PDF per row, one print file and a manifest.

    patients.csv -> rows -> checked jobs -> pool of workers -> out/handouts/<id>.pdf
                                         +-> this process, in print order -> out/print.pdf
                                                               and every 2 s -> out/manifest.csv

Every row's values are checked first (here, cheaply), so that a bad row is named at once
and never stops the others. Good rows go to a pool of worker processes that stay alive
across rows (each loads the brand, fonts and catalogs once, and renders one warm-up handout
per language while the rows are checked) and write each handout atomically. A worker that
dies fails the row it was making; a new one takes over.

This process meanwhile builds the print file as ONE document, in print order, from the
rows the workers report made: each worker sends back the pages it laid out for the row's
own PDF, so nothing is laid out twice and this process only assembles and writes. The
workers run at a lower priority and at most PRINT_WINDOW rows ahead of it, which keeps
memory flat however long the list.

Re-running the same command resumes: a row is skipped when the manifest of the earlier
run says it was made from the same input (`input_sha256`: the row's values, the brand,
the print date, and the templates, catalogs, fonts and code that render it) and the file
on disk still has the SHA-256 the manifest recorded. The manifest is rewritten (atomically)
every few seconds while the batch runs, so a crash or Ctrl-C loses little work.

No patient data goes to logs, file names or the progress display: files are named from
the record id or the line number, and progress reports counts only.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import wait as wait_for_any
from pathlib import Path
from typing import Callable, Protocol

from . import i18n
from .brand import Brand, load_brand
from .errors import HandoutError, InputError, LocaleError
from .output import (atomic_file, handout_file_name, read_manifest, remove_temporaries,
                     sha256_file, write_atomic, write_manifest)
from .records import DEFAULT_HANDOUT, Job, PatientList, Row, job_from_row, read_patient_list
from .render import PrintFile, negotiate, render_counted, render_document, render_for_print
from .resources import PROJECT_DIR

log = logging.getLogger(__name__)

HANDOUTS_DIR = "handouts"
PRINT_FILE = "print.pdf"
MANIFEST_FORMATS = ("csv", "json")
CHECKPOINT_SECONDS = 2.0
QUEUE_DEPTH = 2          # tasks sent ahead to each worker, so none waits while we print
PRINT_WINDOW = 96        # rows made ahead of the print file at most (bounds memory)
MAX_START_FAILURES = 3
WORKER_NICE = 5          # workers yield to this process, which builds the print file

MADE, SKIPPED, FAILED, PENDING = "made", "skipped", "failed", "pending"


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


@dataclass
class BatchResult:
    outcomes: list[RowOutcome]
    seconds: float
    manifest_path: Path
    print_path: Path | None = None
    print_handouts: int = 0
    print_pages: int = 0
    print_error: str = ""
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def made(self) -> int:
        return self.count(MADE)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    @property
    def rate(self) -> float:
        return self.made / self.seconds if self.seconds > 0 else 0.0

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.status == FAILED]


class Progress(Protocol):
    def start(self, total: int, done: int) -> None: ...
    def row(self, outcome: RowOutcome) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int, done: int) -> None: pass
    def row(self, outcome: RowOutcome) -> None: pass
    def note(self, text: str) -> None: pass
    def close(self) -> None: pass


# -- planning: every row checked here, before any work --------------------------------

@dataclass
class _Planned:
    outcome: RowOutcome
    row: Row
    job: Job | None = None          # set for rows to make or skip (both go in the print file)
    for_print: object = None        # what a worker made for the print file, until printed


def render_key(brand: Brand, brand_path: Path, today: date, handout: str) -> str:
    """A digest of everything besides the row that a handout's bytes depend on."""
    import reportlab
    digest = hashlib.sha256()
    digest.update(f"{today.isoformat()}|{handout}|reportlab {reportlab.Version}|".encode())
    try:
        digest.update(Path(brand_path).read_bytes())
    except OSError:
        pass
    digest.update(repr(brand).encode("utf-8", "backslashreplace"))
    patterns = ("templates/**/*", "locales/*/LC_MESSAGES/*.po", "locales/*/review.toml",
                "fonts/manifest.toml", "handouts/**/*.py")
    files = sorted({p for pattern in patterns for p in PROJECT_DIR.glob(pattern) if p.is_file()})
    for path in files:
        digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _input_sha256(key: str, row: Row) -> str:
    values = json.dumps(sorted(row.fields.items()), ensure_ascii=False)
    return hashlib.sha256(f"{key}\n{values}".encode("utf-8")).hexdigest()


def _placed(error: HandoutError, source: str, line: int, locale: str = "") -> HandoutError:
    """A render error placed at the row. Errors about a project file (a catalog, a
    template) keep their own place inside the message."""
    if error.source is None:
        return error.located(source, line)
    if isinstance(error, LocaleError):
        return InputError(f"{locale!r} cannot be used now: {error}", source=source, line=line,
                          field="locale")
    return InputError(f"this handout cannot be made now: {error}", source=source, line=line)


def plan(options: BatchOptions, patients: PatientList, brand: Brand) -> list[_Planned]:
    key = render_key(brand, options.brand_path, options.today, options.handout)
    earlier = {entry.get("file", ""): entry for entry in read_manifest(options.manifest_path)}
    used: dict[str, int] = {}
    planned = []
    for row in patients.rows:
        locale_given = (row.fields.get("locale") or "").strip()
        outcome = RowOutcome(line=row.line, record_id=row.record_id, locale=locale_given)
        item = _Planned(outcome, row)
        planned.append(item)
        try:
            job = job_from_row(row, brand=brand, today=options.today, source=options.name,
                               handout=options.handout)
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
        outcome.input_sha256 = _input_sha256(key, row)
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


# -- making one row (in a worker, or in this process) ----------------------------------

@dataclass(frozen=True)
class _WorkerSetup:
    brand_path: Path
    today: date
    handout: str
    out_dir: Path
    source: str
    locales: tuple[str, ...]
    nice: int = 0                   # yield the CPU to this process while it prints
    send_for_print: bool = False    # send each handout's laid-out pages back for the print file


#: A made-up patient rendered (in memory only) when a worker starts, once per language,
#: so that templates, fonts and layout caches are warm before the first real row.
WARM_UP = {"record_id": "WARM-UP", "patient_name": "Warm Up", "discharge_date": "2026-01-05",
           "wait": "2w", "contraception": "avoid", "follow_up": "2026-01-12 10:30",
           "rh": "given", "clinician": "Warm Up", "note": "Warm up."}
WARM_UP_LOCALES = 3


_worker_state: dict = {}


def _init_worker(setup: _WorkerSetup) -> None:
    """Load once per process what is the same for every row: brand, fonts, catalogs.
    Nothing to do in a worker forked from a process that did it already (see run_batch)."""
    if _worker_state.get("setup") == setup:
        return
    from .records import job_from_fields
    from .text import register_family
    brand = load_brand(setup.brand_path)
    register_family()
    for number, locale in enumerate(setup.locales):
        try:
            i18n.load_locale(locale)
            if number < WARM_UP_LOCALES:
                render_counted(job_from_fields({**WARM_UP, "locale": locale}, brand=brand,
                                               today=setup.today, handout=setup.handout))
        except HandoutError:
            pass                     # the rows in that language fail with the reason
    _worker_state.update(setup=setup, brand=brand)


def _make_row(task: tuple) -> tuple:
    """(index, line, fields, file) -> (index, status, pages, sha256, error, for_print)."""
    index, line, fields, file = task
    setup: _WorkerSetup = _worker_state["setup"]
    locale = ""
    try:
        job = job_from_row(Row(line, fields), brand=_worker_state["brand"], today=setup.today,
                           source=setup.source, handout=setup.handout)
        locale = job.locale
        if setup.send_for_print:
            pdf, pages, for_print = render_for_print(job)
        else:
            (pdf, pages, _), for_print = render_document(job), None
    except HandoutError as error:
        return index, FAILED, None, "", str(_placed(error, setup.source, line, locale)), None
    except Exception as error:  # a bug: name it without data that might be a patient's
        log.debug("line %s: internal error %s", line, type(error).__name__)
        return index, FAILED, None, "", (
            f"{setup.source}:{line}: internal error ({type(error).__name__}) while making "
            "this handout (please report it; the other rows were made)"), None
    try:
        write_atomic(setup.out_dir / file, pdf)
    except OSError as error:
        return index, FAILED, None, "", (
            f"{setup.source}:{line}: {file} could not be written "
            f"({error.strerror or type(error).__name__}) (check the free space and "
            "permissions of the output folder, then run the batch again)"), None
    return (index, MADE, pages, hashlib.sha256(pdf).hexdigest(), "",
            for_print)


def _worker_main(connection, setup: _WorkerSetup) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent handles Ctrl-C
    if setup.nice:
        try:
            os.nice(setup.nice)
        except OSError:
            pass
    try:
        _init_worker(setup)
    except Exception as error:
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    # Everything loaded so far (fonts, catalogs, laid-out paragraphs, and what the parent
    # had when it forked) lives as long as this worker: out of the cyclic garbage
    # collector's sight, its full collections no longer walk it (measured 4-6% of a
    # render's CPU time).
    gc.freeze()
    connection.send(("ready", os.getpid()))
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        connection.send(_make_row(task))


def _process_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Worker:
    def __init__(self, context, setup: _WorkerSetup):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, setup), daemon=True,
                                       name="handouts-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.queue: deque[int] = deque()

    def stop(self, force: bool = False) -> None:
        if not force:
            try:
                self.connection.send(None)
            except OSError:
                force = True
        self.process.join(timeout=0 if force else 30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _death_reason(exit_code: int | None) -> str:
    if exit_code is not None and exit_code < 0:
        try:
            return f"killed by {signal.Signals(-exit_code).name}"
        except ValueError:
            return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


# -- the run ---------------------------------------------------------------------------

class _Run:
    def __init__(self, options: BatchOptions, planned: list[_Planned], progress: Progress,
                 brand: Brand):
        self.options = options
        self.planned = planned
        self.progress = progress
        self.order = print_order(planned, options.group_by_language)
        self.position = {index: number for number, index in enumerate(self.order)}
        self.todo: deque[int] = deque(i for i in self.order if planned[i].outcome.status == PENDING)
        self.print_cursor = 0
        self.print_file: PrintFile | None = None
        self.print_error = ""
        if options.print_file:
            locales = {planned[i].outcome.locale for i in self.order
                       if planned[i].job is not None}
            self.print_file = PrintFile(
                title=f"Print file: {options.handout} ({Path(options.name).name})",
                author=brand.name, lang=_bcp47(*locales) if len(locales) == 1 else "",
                subject=options.handout)
        self.last_checkpoint = time.monotonic()
        self.dirty = False

    # results -----------------------------------------------------------------------

    def record(self, index: int, status: str, pages, sha256: str, error: str,
               for_print=None) -> None:
        self.planned[index].for_print = for_print
        outcome = self.planned[index].outcome
        outcome.status, outcome.pages, outcome.sha256, outcome.error = status, pages, sha256, error
        self.dirty = True
        self.progress.row(outcome)

    def checkpoint(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or (self.dirty and now - self.last_checkpoint >= CHECKPOINT_SECONDS):
            write_manifest(self.options.manifest_path,
                           [p.outcome.manifest_entry() for p in self.planned],
                           self.options.manifest_format, source=self.options.name)
            self.last_checkpoint, self.dirty = now, False

    # the print file, in print order ----------------------------------------------------

    def print_ready(self) -> bool:
        while self.print_cursor < len(self.order):
            item = self.planned[self.order[self.print_cursor]]
            if item.outcome.status == FAILED or self.print_file is None:
                self.print_cursor += 1
                continue
            return item.outcome.status in (MADE, SKIPPED)
        return False

    def print_one(self) -> bool:
        """Add the next handout to the print file if its row is done; True if it did."""
        if not self.print_ready():
            return False
        item = self.planned[self.order[self.print_cursor]]
        self.print_cursor += 1
        for_print, item.for_print = item.for_print, None
        try:
            self.print_file.add(item.job, for_print)
        except Exception as error:  # the print file cannot be trusted after this
            detail = str(error) if isinstance(error, HandoutError) else type(error).__name__
            self.print_error = (f"{PRINT_FILE} was not written: adding the handout of line "
                                f"{item.outcome.line} failed ({detail})")
            self.print_file = None
        return True

    # making rows -------------------------------------------------------------------------

    def task(self, index: int) -> tuple:
        item = self.planned[index]
        return index, item.row.line, dict(item.row.fields), item.outcome.file

    def run_inline(self, setup: _WorkerSetup) -> None:
        _init_worker(setup)
        while self.todo:
            self.record(*_make_row(self.task(self.todo.popleft())))
            while self.print_one():
                if self.todo:
                    break
            self.checkpoint()

    def run_pool(self, pool: list[_Worker], context, setup: _WorkerSetup) -> None:
        start_failures = 0
        try:
            while self.todo or any(w.queue for w in pool):
                for worker in pool:
                    while (worker.ready and self.todo and len(worker.queue) < QUEUE_DEPTH
                           and self.in_print_window(self.todo[0])):
                        index = self.todo.popleft()
                        worker.queue.append(index)
                        worker.connection.send(self.task(index))
                waiting = [w.connection for w in pool] + [w.process.sentinel for w in pool]
                ready = wait_for_any(waiting, timeout=0 if self.print_ready() else 0.5)
                for worker in list(pool):
                    if worker.connection not in ready and worker.process.sentinel not in ready:
                        continue
                    if self.drain(worker):
                        continue
                    pool.remove(worker)
                    lost = self.bury(worker)
                    if not worker.ready:
                        start_failures += 1
                        if start_failures >= MAX_START_FAILURES:
                            self.fail_all_todo(f"no worker process could start ({lost})")
                            continue
                    if self.todo:
                        pool.append(_Worker(context, setup))
                if not pool and self.todo:
                    pool.append(_Worker(context, setup))
                self.print_one()
                self.checkpoint()
        finally:
            for worker in pool:
                worker.stop(force=bool(self.todo) or any(w.queue for w in pool))

    def in_print_window(self, index: int) -> bool:
        """Whether a row may be made now: the print file, built here more slowly than the
        workers make rows, must not fall so far behind that their content piles up in
        memory. The row the print file waits for is always in the window."""
        return (self.print_file is None
                or self.position[index] < self.print_cursor + PRINT_WINDOW)

    def drain(self, worker: _Worker) -> bool:
        """Read what a worker sent; False when it has died."""
        try:
            while worker.connection.poll():
                message = worker.connection.recv()
                if message[0] == "ready":
                    worker.ready = True
                elif message[0] == "failed":
                    worker.start_error = message[1]
                else:
                    expected = worker.queue.popleft()
                    assert message[0] == expected, (message[0], expected)
                    self.record(*message)
        except (EOFError, OSError):
            return False
        return worker.process.is_alive()

    def bury(self, worker: _Worker) -> str:
        """A worker died: fail the row it was making, give its other rows back."""
        worker.process.join(timeout=5)
        reason = getattr(worker, "start_error", "") or _death_reason(worker.process.exitcode)
        worker.connection.close()
        if worker.ready and worker.queue:
            index = worker.queue.popleft()
            line = self.planned[index].outcome.line
            log.warning("a worker process stopped (%s) while making line %s", reason, line)
            self.record(index, FAILED, None, "", (
                f"{self.options.name}:{line}: the worker process stopped ({reason}) while "
                "making this handout (run the batch again to retry this row)"))
        self.todo.extendleft(reversed(worker.queue))
        worker.queue.clear()
        return reason

    def fail_all_todo(self, reason: str) -> None:
        while self.todo:
            index = self.todo.popleft()
            line = self.planned[index].outcome.line
            self.record(index, FAILED, None, "", f"{self.options.name}:{line}: {reason}")


def _bcp47(locale: str) -> str:
    try:
        return i18n.load_locale(locale).bcp47
    except HandoutError:
        return ""


def run_batch(options: BatchOptions, progress: Progress | None = None,
              clock: Callable[[], float] = time.perf_counter) -> BatchResult:
    """Make every row of the patient list. Raises HandoutError (InputError, BrandError)
    when the input as a whole is unusable; then nothing has been written."""
    started = clock()
    progress = progress or NoProgress()
    if options.manifest_format not in MANIFEST_FORMATS:
        raise InputError(f"{options.manifest_format!r} is not a manifest format",
                         field="--manifest", hint="use csv or json")
    patients = read_patient_list(options.source, source=options.name)
    brand = load_brand(options.brand_path)
    out_dir = options.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("is a file, not a folder", source=str(out_dir), field="--out-dir",
                         hint="give a folder for the handouts (it is made if missing)")
    setup = _WorkerSetup(options.brand_path, options.today, options.handout, options.out_dir,
                         options.name, _locales(patients),
                         nice=WORKER_NICE if options.print_file and options.workers > 0 else 0,
                         send_for_print=options.print_file)
    context = _process_context()
    _worker_state.clear()        # an earlier run's brand file may have changed since
    if options.workers > 0 and context.get_start_method() == "fork":
        # Warm up here, once, before forking: the workers inherit the loaded fonts,
        # catalogs and layout caches instead of each loading them again (about a second
        # of CPU each, on the cores the rows need), and this process needs them anyway
        # for the print file. A failure here is left to the workers to report.
        try:
            _init_worker(setup)
        except Exception:
            _worker_state.clear()
    pool: list[_Worker] = []
    if options.workers > 0:      # workers start (and warm up) while the rows are checked
        pool = [_Worker(context, setup) for _ in range(min(options.workers, len(patients.rows)))]
    try:
        return _run(options, patients, brand, progress, setup, context, pool, started, clock)
    finally:
        for worker in pool:
            if worker.process.is_alive() or worker.process.exitcode is None:
                worker.stop(force=True)


def _locales(patients: PatientList) -> tuple[str, ...]:
    """The shipped locales the rows ask for, most used first."""
    counts: dict[str, int] = {}
    for row in patients.rows:
        try:
            locale = negotiate((row.fields.get("locale") or "").strip())
        except HandoutError:
            continue
        counts[locale] = counts.get(locale, 0) + 1
    return tuple(sorted(counts, key=lambda locale: -counts[locale]))


def _run(options: BatchOptions, patients: PatientList, brand: Brand, progress: Progress,
         setup: _WorkerSetup, context, pool: list[_Worker], started: float,
         clock: Callable[[], float]) -> BatchResult:
    out_dir = options.out_dir
    planned = plan(options, patients, brand)
    (out_dir / HANDOUTS_DIR).mkdir(parents=True, exist_ok=True)
    remove_temporaries(out_dir)
    remove_temporaries(out_dir / HANDOUTS_DIR)
    if options.print_path.exists():
        options.print_path.unlink()          # rebuilt below; never left stale
    run = _Run(options, planned, progress, brand)
    progress.start(len(planned), sum(1 for p in planned if p.outcome.status != PENDING))
    for item in planned:                     # rows that failed their checks, and skipped ones
        if item.outcome.status != PENDING:
            progress.row(item.outcome)
    run.checkpoint(force=True)
    result = BatchResult(outcomes=[p.outcome for p in planned], seconds=0.0,
                         manifest_path=options.manifest_path)
    try:
        if options.workers <= 0:
            run.run_inline(setup)
        else:
            idle = pool[len(run.todo):]
            for worker in idle:          # more workers than rows to make
                pool.remove(worker)
                worker.stop(force=True)
            run.run_pool(pool, context, setup)
        if run.print_file is not None and run.print_cursor < len(run.order):
            progress.note(f"finishing {PRINT_FILE}")
        while run.print_one():
            pass
    except KeyboardInterrupt:
        result.interrupted = True
        run.checkpoint(force=True)
        result.seconds = clock() - started
        progress.close()
        return result
    progress.close()
    result.print_error = run.print_error
    if run.print_file is not None and run.print_file.handouts:
        try:
            with atomic_file(options.print_path) as stream:
                run.print_file.finish(stream)
            result.print_path = options.print_path
            result.print_handouts = run.print_file.handouts
            result.print_pages = run.print_file.pages
        except OSError as error:
            result.print_error = (f"{PRINT_FILE} could not be written ({error.strerror or error}) "
                                  "(check the free space of the output folder, then run the "
                                  "batch again: the handouts made are kept)")
    run.checkpoint(force=True)
    result.seconds = clock() - started
    return result


__all__ = ["BatchOptions", "BatchResult", "RowOutcome", "run_batch", "plan", "print_order",
           "render_key", "HANDOUTS_DIR", "PRINT_FILE", "MADE", "SKIPPED", "FAILED", "PENDING"]
