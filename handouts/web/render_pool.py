"""Web stage, rendering processes: worker processes that render for one server process,
so renders run on every core while the server's event loop answers HTTP, and each
request goes to whichever worker is free.

Why not only uvicorn's --workers: those share connections between processes, not
requests; eight kept-alive clients can land six on one process and two on the other,
which then idles (measured: 35 handouts/s at 8 clients against 56 at 32). And one
process renders on one core at a time (the GIL), whatever its threads.

Workers come from a fork server (multiprocessing's "forkserver", started once): a
small single-threaded process that forks each worker, so a worker never holds a copy of
the server's sockets or of locks another thread held, and its parent is that long-lived
process (the kernel's parent-death signal follows the thread that forked, which an idle
worker thread of the server would not be). Each worker builds its own HandoutService
from the server's settings, warms it, then renders values -> PDF bytes as
HandoutService.render does in-process: the same code on the same files, read again by
content when edited, so the bytes are the command line's. A refusal comes back as the
core raised it.

A worker found dead before it took a request is replaced and the request goes to
another; one that dies while rendering is replaced and that request fails (500: the
same values would likely kill the next one too). Workers ignore Ctrl-C and SIGTERM (the
server stops them when it has finished its requests) and stop when their pipe closes or
their parent has gone.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time

from ..batch_workers import die_with_parent
from ..errors import HandoutError

log = logging.getLogger("handouts.web")

#: Seconds a stopping worker is given to finish before it is killed.
STOP_SECONDS = 5
#: Seconds a request waits for a free worker before it is answered "busy".
WAIT_SECONDS = 30
#: Seconds one render may take before its worker is taken for hung and replaced.
RENDER_SECONDS = 120
#: How often (seconds) an idle worker checks that its parent is still there.
PARENT_CHECK_SECONDS = 2


class WorkerGone(Exception):
    """No worker could take the request (none free in time, or none could start)."""


class RenderFailed(Exception):
    """The worker died or hung while making this handout (it has been replaced)."""


def _worker_main(connection, settings_text: str) -> None:
    from .config import WebSettings
    from .service import HandoutService
    parent = os.getppid()
    die_with_parent(parent)
    for stop in (signal.SIGINT, signal.SIGTERM):        # the server decides when we stop
        signal.signal(stop, signal.SIG_IGN)
    service = HandoutService(WebSettings.from_json(settings_text))  # its own cold Library
    service.warm_up()
    gc.freeze()         # what warm-up loaded lives as long as the worker (see batch_workers)
    while True:
        try:
            while not connection.poll(PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return                   # orphaned (where PDEATHSIG is missing)
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        values, today, handout = request
        try:
            reply = ("pdf", service.render(values, today=today, handout=handout))
        except HandoutError as error:
            reply = ("refused", error)
        except Exception as error:       # a defect: its type only (no patient values)
            reply = ("failed", type(error).__name__)
        try:
            connection.send(reply)
        except OSError:
            return                       # the server has gone
        except Exception as error:       # a reply that cannot be pickled: say so
            connection.send(("failed", type(error).__name__))


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Imported once in the fork server, so each worker starts with them loaded.
    context.set_forkserver_preload(["handouts.web.service"])
    return context


class _Worker:
    def __init__(self, context, settings_text: str):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, daemon=True,
                                       name="handouts-render", args=(child, settings_text))
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(STOP_SECONDS)
        self.connection.close()


class RenderProcesses:
    """`count` render workers; `render` (blocking: call it from a worker thread) hands
    one request to a free worker and waits for its PDF."""

    def __init__(self, settings, count: int):
        self._context = _context()
        self._settings_text = settings.to_json()
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._missing = 0               # workers that could not be started yet
        self._closed = False
        self.count = count
        for _ in range(count):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self._settings_text)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill a dead or hung worker and start another (or count it missing)."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        worker.kill()
        log.error("a render process stopped (exit code %s); starting another",
                  worker.process.exitcode)
        if self._closed:
            return
        try:
            self._idle.put(self._start())
        except OSError as error:        # no memory or processes left: try again later
            log.error("a render process could not be started (%s)", type(error).__name__)
            with self._lock:
                self._missing += 1

    def _refill(self) -> None:
        with self._lock:
            missing, self._missing = self._missing, 0
        for _ in range(missing):
            try:
                self._idle.put(self._start())
            except OSError:
                with self._lock:
                    self._missing += 1

    def render(self, values: dict, today: str, handout: str) -> bytes:
        """The PDF; HandoutError as the core raised it; WorkerGone when no worker takes
        the request; RenderFailed when the worker died making it."""
        if self._missing:
            self._refill()
        for _ in range(2):              # a worker found dead: once more on another
            try:
                worker = self._idle.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                raise WorkerGone() from None
            try:
                worker.connection.send((values, today, handout))
            except (OSError, ValueError):
                self._replace(worker)
                continue
            kept = False
            try:
                if not worker.connection.poll(RENDER_SECONDS):
                    raise RenderFailed("a render took too long")
                kind, payload = worker.connection.recv()
                kept = True
            except (EOFError, OSError) as error:
                raise RenderFailed(type(error).__name__) from None
            finally:
                if kept:
                    self._idle.put(worker)
                else:
                    self._replace(worker)
            if kind == "pdf":
                return payload
            if kind == "refused":
                raise payload
            raise RuntimeError(f"the render process failed ({payload})")
        raise WorkerGone()

    def close(self) -> None:
        """Ask every worker to stop, then wait for all of them together."""
        self._closed = True
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if worker.process.is_alive():
                worker.kill()
            else:
                worker.connection.close()
