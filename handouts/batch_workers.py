"""Batch stage, the workers: processes that make rows and write each row's PDF.

Each worker loads the brand, fonts and catalogs once (or inherits them from the parent
that forked it), renders one warm-up handout per language, then makes the rows it is sent
through its pipe: it lays the handout out, writes it atomically to out/handouts/ and
sends back the status, the page count, the SHA-256 and (for the print file) the laid-out
pages. A row whose file cannot be written fails alone, with the reason at its line.

A worker never outlives the batch that started it, even one killed with SIGKILL: on
Linux the kernel kills it with its parent (PR_SET_PDEATHSIG); elsewhere, and as a second
guard, it exits when its pipe reaches end-of-file or its parent process has changed.
"""
from __future__ import annotations

from types import MappingProxyType
import ctypes
import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import HandoutError, InputError, LocaleError, OutputError
from .output import write_atomic
from .patient_lists import Row, job_from_row

log = logging.getLogger("handouts.batch")

MADE, SKIPPED, FAILED, PENDING = "made", "skipped", "failed", "pending"
PR_SET_PDEATHSIG = 1         # from <linux/prctl.h>


def _placed(error: HandoutError, source: str, line: int, locale: str = "") -> HandoutError:
    """A render error placed at the row. Errors about a project file (a catalog, a
    template) keep their own place inside the message."""
    if error.source is None:
        return error.located(source, line)
    if isinstance(error, LocaleError):
        return InputError(f"{locale!r} cannot be used now: {error}", source=source, line=line,
                          field="locale")
    return InputError(f"this handout cannot be made now: {error}", source=source, line=line)


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
#: so that templates, fonts and layout caches are warm before the first real row: these
#: generic values, and the examples of the handout's own fields (warm_up_values). The
#: discharge date is the sample patient's (cli.SAMPLE_PATIENT), which the examples in a
#: fields.toml are written for.
WARM_UP = MappingProxyType({"record_id": "WARM-UP", "patient_name": "Warm Up", "discharge_date": "2026-11-20",
           "clinician": "Warm Up", "note": "Warm up."})
WARM_UP_LOCALES = 3


def warm_up_values(handout_fields, locale: str) -> dict:
    """The warm-up patient's row for a handout (HandoutFields) in one language."""
    return {**WARM_UP, **handout_fields.example_values(), "locale": locale}


@dataclass(frozen=True)
class WorkerState:
    """What a worker makes rows with: the batch's setup, its Library (the same object in
    a worker forked from the batch's process), and the brand once warm."""
    setup: _WorkerSetup
    library: object             # library.Library
    brand: object = None
    warm: bool = False


def warm_state(setup: _WorkerSetup, library) -> WorkerState:
    """Load once per process what is the same for every row (brand, fonts, catalogs),
    and render a warm-up handout in the first few languages, so templates, fonts and
    layout caches are warm before the first real row."""
    from .records import job_from_fields
    from .templating import load_template
    brand = library.brand(setup.brand_path)
    handout = library.handout(setup.handout)
    for number, locale in enumerate(setup.locales):
        try:
            # Every language's catalog, formats and template are loaded here, before any
            # worker is forked: a batch's library does not watch its files, so each row
            # is then made from these same versions whichever worker makes it.
            bundle = handout.catalogs.load(locale)
            library.formatting_locale(bundle, brand.country)
            load_template(library.environment(bundle), setup.handout)
            if number < WARM_UP_LOCALES:
                library.render_counted(job_from_fields(
                    warm_up_values(handout.fields, locale), handout=handout.fields,
                    brand=brand, today=setup.today))
        except HandoutError:
            pass                     # the rows in that language fail with the reason
    return WorkerState(setup, library, brand, warm=True)


def _make_row(task: tuple, state: WorkerState) -> tuple:
    """(index, line, fields, file) -> (index, status, pages, sha256, error, for_print)."""
    index, line, fields, file = task
    setup, library = state.setup, state.library
    locale = ""
    try:
        job = job_from_row(Row(line, fields), handout=library.handout_fields(setup.handout),
                           brand=state.brand, today=setup.today, source=setup.source)
        locale = job.locale
        if setup.send_for_print:
            pdf, pages, for_print = library.render_for_print(job)
        else:
            (pdf, pages, _), for_print = library.render_document(job), None
    except HandoutError as error:
        return index, FAILED, None, "", str(_placed(error, setup.source, line, locale)), None
    except Exception as error:  # a bug: name it without data that might be a patient's
        log.debug("line %s: internal error %s", line, type(error).__name__)
        return index, FAILED, None, "", (
            f"{setup.source}:{line}: internal error ({type(error).__name__}) while making "
            "this handout (please report it; the other rows were made)"), None
    try:
        write_atomic(setup.out_dir / file, pdf, name=file)
    except OutputError as error:
        # `patients.csv:17: handouts/MRN-1.pdf: cannot be written: the disk is full (...)`
        return index, FAILED, None, "", (
            f"{setup.source}:{line}: {error.source}: {error.message} "
            f"({error.hint}, then run the batch again)"), None
    return (index, MADE, pages, hashlib.sha256(pdf).hexdigest(), "",
            for_print)


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux), then make sure
    the parent did not die already, before the request was made."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass                     # no prctl: the pipe's end-of-file still stops us
    if os.getppid() != parent_pid:
        os._exit(1)


def _worker_main(connection, state: WorkerState, parent_pid: int | None = None) -> None:
    if parent_pid is not None:
        die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent handles Ctrl-C
    if state.setup.nice:
        try:
            os.nice(state.setup.nice)
        except OSError:
            pass
    try:
        if not state.warm:
            state = warm_state(state.setup, state.library)
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
        made = _make_row(task, state)
        if parent_pid is not None and os.getppid() != parent_pid:
            return                   # orphaned (where PDEATHSIG is missing): stop
        try:
            connection.send(made)
        except OSError:              # the parent has gone
            return


def _process_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Worker:
    def __init__(self, context, state: WorkerState):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, state, os.getpid()),
                                       daemon=True, name="handouts-worker")
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
