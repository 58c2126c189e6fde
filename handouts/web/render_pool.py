"""Web stage, rendering processes: worker processes that render for one server process,
so renders run on every core while the server's event loop answers HTTP, and each
request goes to whichever worker is free.

Why not only uvicorn's --workers: those share connections between processes, not
requests; eight kept-alive clients can land six on one process and two on the other,
which then idles (measured: 35 handouts/s at 8 clients against 56 at 32). And one
process renders on one core at a time (the GIL), whatever its threads.

Each worker is forked (spawned where fork is missing) with a cold HandoutService of its
own, from the server's settings, warms it, then renders values -> PDF bytes exactly as
HandoutService.render does in-process: the same code on the same files, read again by
content when edited, so the bytes are the command line's. A refusal comes back as the
core raised it. A worker that dies is replaced and its request answered "busy" (503).
Workers die with the server: the kernel kills them with it (PDEATHSIG), and they stop at
end-of-file on their pipe.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import signal
import threading

from ..batch_workers import die_with_parent
from ..errors import HandoutError

log = logging.getLogger("handouts.web")

#: Seconds a stopping worker is given to finish before it is killed.
STOP_SECONDS = 5


class WorkerGone(Exception):
    """The render process died while making a handout (it has been replaced)."""


def _worker_main(connection, settings_text: str, parent_pid: int) -> None:
    from .config import WebSettings
    from .service import HandoutService
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the server handles Ctrl-C
    settings = WebSettings.from_json(settings_text)
    service = HandoutService(settings)               # its own cold Library
    service.warm_up()
    gc.freeze()         # what warm-up loaded lives as long as the worker (see batch_workers)
    while True:
        try:
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


class _Worker:
    def __init__(self, context, settings_text: str):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, daemon=True,
                                       name="handouts-render",
                                       args=(child, settings_text, os.getpid()))
        self.process.start()
        child.close()

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(STOP_SECONDS)
        self.connection.close()


class RenderProcesses:
    """`count` render workers; `render` (blocking: call it from a worker thread) hands
    one request to a free worker and waits for its PDF."""

    def __init__(self, settings, count: int):
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._settings_text = settings.to_json()
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self.count = count
        for _ in range(count):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self._settings_text)
        with self._lock:
            self._workers.append(worker)
        return worker

    def render(self, values: dict, today: str, handout: str) -> bytes:
        worker = self._idle.get()
        try:
            worker.connection.send((values, today, handout))
            kind, payload = worker.connection.recv()
        except (EOFError, OSError):
            log.error("a render process stopped (exit code %s); starting another",
                      worker.process.exitcode)
            with self._lock:
                self._workers.remove(worker)
            worker.process.kill()
            worker.connection.close()
            self._idle.put(self._start())
            raise WorkerGone() from None
        self._idle.put(worker)
        if kind == "pdf":
            return payload
        if kind == "refused":
            raise payload
        raise RuntimeError(f"the render process failed ({payload})")

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
