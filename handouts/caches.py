"""Caches shared by renders: bounded, least recently used dropped first, safe under threads.

A render reads many things that are the same for most handouts (parsed blocks, checked
catalogs, recorded drawings, font subsets). Each cache here holds at most `maxsize`
entries, or entries weighing at most `budget` (bytes, say), and drops the least recently
used first: none stops caching once full. Every read and write holds the cache's lock;
`get_or_make` makes a missing value outside it (making may be slow, and may run twice
for the same key when two threads miss at once, so `make` must be a pure function of
the key), then keeps the first value stored, so every caller gets the same object.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
import weakref
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Callable, Hashable


class ForkSafeLock:
    """A lock that a forked child gets afresh. Batch workers are forked; a lock another
    thread of the parent held at that moment would stay held in the child for ever (no
    thread there will release it), and the worker would hang at its first render."""

    def __init__(self, reentrant: bool = False):
        self._factory = threading.RLock if reentrant else threading.Lock
        self._lock = self._factory()
        _FORK_SAFE.add(self)

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def renew(self) -> None:
        self._lock = self._factory()


_FORK_SAFE: weakref.WeakSet = weakref.WeakSet()
os.register_at_fork(after_in_child=lambda: [lock.renew() for lock in list(_FORK_SAFE)])


def pure_memo(maxsize: int):
    """functools.lru_cache for a pure function of plain values (str, int, float, bool)
    over data shipped inside a dependency (Unicode's, CLDR's): it cannot go stale and
    holds no project file's data, so it may live at module level. Everything else a
    render keeps lives in its Library; tests/test_global_state.py holds every module to
    this."""
    def memo(function):
        cached = lru_cache(maxsize=maxsize)(function)
        cached.pure_memo = True
        return cached
    return memo


def by_content(cache: "LRUCache", key: tuple, paths, make: Callable,
               fingerprints: "Fingerprints"):
    """make(), kept in `cache` under `key` and the content fingerprints of `paths`. A
    value is kept only when the files are the same after it was made as before, so one
    made while a file was being saved is never kept under the old content's fingerprint
    (an undo would otherwise bring the half-new value back)."""
    for _ in range(3):
        before = fingerprints(paths)
        found = cache.get(key + (before,))
        if found is not None:
            return found
        value = make()
        if fingerprints(paths) == before:
            return cache.put(key + (before,), value)
    return value        # the files keep changing: used once, not kept


class LRUCache:
    """A thread-safe mapping bounded by count or by weight.

    >>> cache = LRUCache(maxsize=2)
    >>> [cache.get_or_make(k, str.upper) for k in ("a", "b", "a", "c")]
    ['A', 'B', 'A', 'C']
    >>> sorted(cache.keys())          # "b" was the least recently used
    ['a', 'c']
    """

    def __init__(self, maxsize: int = 1024, *, budget: int | None = None,
                 weigh: Callable[[object], int] | None = None):
        if maxsize < 1:
            raise ValueError("a cache holds at least one entry")
        self.maxsize = maxsize
        self.budget = budget
        self._weigh = weigh or (lambda value: 1)
        self._entries: OrderedDict = OrderedDict()
        self._weight = 0
        self._lock = ForkSafeLock(reentrant=True)

    def get(self, key: Hashable, default=None):
        with self._lock:
            try:
                self._entries.move_to_end(key)
            except KeyError:
                return default
            return self._entries[key][0]

    def put(self, key: Hashable, value) -> object:
        """Store a value unless the key has one; returns the value kept."""
        with self._lock:
            held = self._entries.get(key)
            if held is not None:
                self._entries.move_to_end(key)
                return held[0]
            weight = self._weigh(value)
            self._entries[key] = (value, weight)
            self._weight += weight
            while len(self._entries) > 1 and (
                    len(self._entries) > self.maxsize or
                    (self.budget is not None and self._weight > self.budget)):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped
            return value

    def get_or_make(self, key: Hashable, make: Callable):
        missing = _MISSING
        value = self.get(key, missing)
        if value is missing:
            value = self.put(key, make(key))
        return value

    def keys(self) -> list:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


_MISSING = object()


class Fingerprints:
    """Content fingerprints of files, cheap to ask for on every render: a file's SHA-256
    is computed again only when its size, modification or change time or inode changed, so a
    long-running process sees an edited file at its next render, and a file saved with
    the same content keeps its fingerprint (and what was cached for it).

    A file changed within the last `RACY` seconds is hashed every time: an edit that
    keeps the size inside one tick of the file system's clock would not change the
    signature (git's "racy clean" problem)."""

    RACY = 2.0

    def __init__(self):
        self._known: dict = {}
        self._lock = ForkSafeLock()

    def __call__(self, paths) -> tuple:
        return tuple(self.one(path) for path in paths)

    def one(self, path) -> str:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return "-"
        except OSError as error:
            return f"unreadable:{error.errno}"
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        settled = time.time() - stat.st_mtime > self.RACY
        with self._lock:
            known = self._known.get(path)
        if settled and known is not None and known[0] == signature:
            return known[1]
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError as error:
            return f"unreadable:{error.errno}"
        if settled:
            with self._lock:
                self._known[path] = (signature, digest)
        return digest
