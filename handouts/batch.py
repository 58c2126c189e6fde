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
`input_sha256` is an HMAC keyed with a random key kept in the out-dir (`.handouts-key`),
so that someone holding only the manifest cannot confirm a guessed patient's details by
hashing them.

Fail closed: one batch at a time per out-dir (batch_lock); a file that cannot be written
is one line naming it and the fix (a row's fails that row alone; the out-dir's, the
manifest's, stop the batch with an OutputError); handouts left in handouts/ by another
list are named in BatchResult.leftover, never deleted; workers die with this process.

No patient data goes to logs, file names or the progress display: files are named from
the record id or the line number, and progress reports counts only.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from multiprocessing.connection import wait as wait_for_any
from typing import Callable

from .batch_lock import LOCK_FILE, OutDirLock
from .batch_plan import (HANDOUTS_DIR, KEY_FILE, PRINT_FILE, BatchOptions, RowOutcome,
                         _Planned, leftover_handouts, plan, print_order, remove_superseded,
                         render_key)
from .batch_workers import (FAILED, MADE, PENDING, SKIPPED, WARM_UP, _death_reason,
                            WorkerState, warm_state, _make_row, _process_context, _Worker,
                            _WorkerSetup)
from .brand import Brand
from .errors import HandoutError, InputError, OutputError
from .output import (atomic_file, check_target, folder_secret, make_folder, remove_file,
                     remove_temporaries, write_manifest)
from .batch_result import BatchResult, NoProgress, Progress
from .patient_lists import PatientList, read_patient_list
from .library import Library
from .render import PrintFile

log = logging.getLogger(__name__)

MANIFEST_FORMATS = ("csv", "json")
CHECKPOINT_SECONDS = 2.0
QUEUE_DEPTH = 2          # tasks sent ahead to each worker, so none waits while we print
PRINT_WINDOW = 96        # rows made ahead of the print file at most (bounds memory)
MAX_START_FAILURES = 3
WORKER_NICE = 5          # workers yield to this process, which builds the print file


class _Run:
    def __init__(self, options: BatchOptions, planned: list[_Planned], progress: Progress,
                 brand: Brand, library: Library):
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
            catalogs = library.handout(options.handout).catalogs
            self.print_file = library.print_file(
                title=f"Print file: {options.handout}",      # no list name: it may name a patient
                author=brand.name,
                lang=_bcp47(catalogs, *locales) if len(locales) == 1 else "",
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
            try:
                write_manifest(self.options.manifest_path,
                               [p.outcome.manifest_entry() for p in self.planned],
                               self.options.manifest_format, source=self.options.name)
            except OutputError as error:
                # Without a manifest a re-run cannot tell what was made: stop the batch.
                # The manifest of the last checkpoint, if any, is still whole.
                raise OutputError(error.message, source=error.source,
                                  hint=f"{error.hint}, then run the batch again: the "
                                       "handouts made so far are kept") from None
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

    def run_inline(self, state: WorkerState) -> None:
        state = warm_state(state.setup, state.library) if not state.warm else state
        while self.todo:
            self.record(*_make_row(self.task(self.todo.popleft()), state))
            while self.print_one():
                if self.todo:
                    break
            self.checkpoint()

    def run_pool(self, pool: list[_Worker], context, state: WorkerState) -> None:
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
                        pool.append(_Worker(context, state))
                if not pool and self.todo:
                    pool.append(_Worker(context, state))
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


def _bcp47(catalogs, locale: str) -> str:
    try:
        return catalogs.load(locale).bcp47
    except HandoutError:
        return ""


def run_batch(options: BatchOptions, progress: Progress | None = None,
              clock: Callable[[], float] = time.perf_counter,
              library: Library | None = None) -> BatchResult:
    """Make every row of the patient list. Raises HandoutError (InputError, BrandError)
    when the input as a whole is unusable, and OutputError when the out-dir cannot be
    written or another batch is writing to it; then nothing has been written (but the
    out-dir, its lock and key files). A manifest that cannot be written later also stops
    the batch with an OutputError.

    The batch's Library (by default a new one over options.template_dirs) does not
    watch its files: every handout of a batch is made from the files as they were when
    each was first read, even if one is edited while the batch runs."""
    library = library or Library(options.template_dirs, watch=False)
    started = clock()
    progress = progress or NoProgress()
    if options.manifest_format not in MANIFEST_FORMATS:
        raise InputError(f"{options.manifest_format!r} is not a manifest format",
                         field="--manifest", hint="use csv or json")
    patients = read_patient_list(options.source, handout=library.handout_fields(options.handout),
                                 source=options.name)
    brand = library.brand(options.brand_path)
    out_dir = options.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("is a file, not a folder", source=str(out_dir), field="--out-dir",
                         hint="give a folder for the handouts (it is made if missing)")
    make_folder(out_dir)
    with OutDirLock(out_dir):        # before anything is written into the out-dir
        return _locked(options, patients, brand, progress, started, clock, library)


def _locked(options: BatchOptions, patients: PatientList, brand: Brand, progress: Progress,
            started: float, clock: Callable[[], float], library: Library) -> BatchResult:
    # Every file the batch must write is checked before any work, so that a folder in the
    # way of print.pdf or a file in the way of handouts/ stops the batch, not row 300.
    check_target(options.manifest_path)
    check_target(options.print_path)
    make_folder(options.out_dir / HANDOUTS_DIR)
    secret = folder_secret(options.key_path)
    catalogs = library.handout(options.handout).catalogs
    setup = _WorkerSetup(options.brand_path, options.today, options.handout, options.out_dir,
                         options.name, _locales(patients, catalogs),
                         nice=WORKER_NICE if options.print_file and options.workers > 0 else 0,
                         send_for_print=options.print_file)
    context = _process_context()
    state = WorkerState(setup, library)
    if options.workers > 0 and context.get_start_method() == "fork":
        # Warm up here, once, before forking: the workers inherit this same library with
        # its fonts, catalogs and layout caches loaded, instead of each loading them
        # again (about a second of CPU each, on the cores the rows need), and this
        # process needs them anyway for the print file. A failure here is left to the
        # workers to report.
        try:
            state = warm_state(setup, library)
        except Exception:
            pass
    pool: list[_Worker] = []
    if options.workers > 0:      # workers start (and warm up) while the rows are checked
        pool = [_Worker(context, state)
                for _ in range(min(options.workers, len(patients.rows)))]
    try:
        return _run(options, patients, brand, progress, state, context, pool, started,
                    clock, secret)
    finally:
        for worker in pool:
            if worker.process.is_alive() or worker.process.exitcode is None:
                worker.stop(force=True)


def _locales(patients: PatientList, catalogs) -> tuple[str, ...]:
    """The shipped locales the rows ask for, most used first."""
    counts: dict[str, int] = {}
    for row in patients.rows:
        try:
            locale = catalogs.negotiate((row.fields.get("locale") or "").strip())
        except HandoutError:
            continue
        counts[locale] = counts.get(locale, 0) + 1
    return tuple(sorted(counts, key=lambda locale: -counts[locale]))


def _run(options: BatchOptions, patients: PatientList, brand: Brand, progress: Progress,
         state: WorkerState, context, pool: list[_Worker], started: float,
         clock: Callable[[], float], secret: bytes) -> BatchResult:
    out_dir = options.out_dir
    planned = plan(options, patients, brand, state.library, secret)
    remove_superseded(options, planned)
    remove_temporaries(out_dir)
    remove_temporaries(out_dir / HANDOUTS_DIR)
    remove_file(options.print_path)          # rebuilt below; never left stale
    run = _Run(options, planned, progress, brand, state.library)
    progress.start(len(planned), sum(1 for p in planned if p.outcome.status != PENDING))
    for item in planned:                     # rows that failed their checks, and skipped ones
        if item.outcome.status != PENDING:
            progress.row(item.outcome)
    run.checkpoint(force=True)
    result = BatchResult(outcomes=[p.outcome for p in planned], seconds=0.0,
                         manifest_path=options.manifest_path)
    try:
        if options.workers <= 0:
            run.run_inline(state)
        else:
            idle = pool[len(run.todo):]
            for worker in idle:          # more workers than rows to make
                pool.remove(worker)
                worker.stop(force=True)
            run.run_pool(pool, context, state)
        if run.print_file is not None and run.print_cursor < len(run.order) and \
                any(p.outcome.status in (MADE, SKIPPED) for p in planned):
            progress.note(f"finishing {PRINT_FILE}")
        while run.print_one():
            pass
    except KeyboardInterrupt:
        result.interrupted = True
        progress.close()
        run.checkpoint(force=True)
        result.seconds = clock() - started
        return result
    except OutputError:
        progress.close()         # the error line must not land on the progress bar's
        raise
    progress.close()
    result.print_error = run.print_error
    if run.print_file is not None and run.print_file.handouts:
        try:
            with atomic_file(options.print_path) as stream:
                run.print_file.finish(stream)
            result.print_path = options.print_path
            result.print_handouts = run.print_file.handouts
            result.print_pages = run.print_file.pages
        except OutputError as error:
            result.print_error = (f"{error.source}: {error.message} ({error.hint}, then run "
                                  "the batch again: the handouts made are kept)")
    remove_superseded(options, planned)
    run.checkpoint(force=True)
    result.leftover = leftover_handouts(options, planned)
    result.seconds = clock() - started
    return result


__all__ = ["BatchOptions", "BatchResult", "RowOutcome", "run_batch", "plan", "print_order",
           "render_key", "HANDOUTS_DIR", "PRINT_FILE", "KEY_FILE", "LOCK_FILE", "MADE",
           "SKIPPED", "FAILED", "PENDING", "WARM_UP"]
