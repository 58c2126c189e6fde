"""No module-level mutable state in handouts/: what a render keeps lives in its Library.

Every module is imported and each of its module-level values is looked at: a dict, list,
set, cache, lock or memo of a function there would be state shared by every render of
the process (and by every thread), whatever library it was given. Allowed are constants
(immutable values: tuples, frozensets, read-only mappings, frozen dataclasses), classes,
functions, and `caches.pure_memo` memos of pure functions whose parameters are all plain
values (the memo can then never go stale). The few places where the process itself is
the state (ReportLab's font registry, the fork-safe lock list) are named below with why.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
import types
import weakref
from collections import OrderedDict, deque
from dataclasses import fields, is_dataclass

import handouts

#: Module-level values that are the process's by nature, each with why it must be one.
PROCESS_STATE = {
    # ReportLab's font registry is a module of its own; this lock serialises our writes.
    ("handouts.pdf", "_REGISTERING"),
    # The locks to renew in a forked child: fork copies the whole process.
    ("handouts.caches", "_FORK_SAFE"),
    # Setting the umask (where /proc cannot be read) changes it for the whole process.
    ("handouts.output", "_UMASK_LOCK"),
}

MUTABLE = (dict, list, set, bytearray, OrderedDict, deque, weakref.WeakKeyDictionary,
           weakref.WeakValueDictionary, weakref.WeakSet)
PLAIN = {"str", "int", "float", "bool", "int | float"}


def modules():
    yield handouts
    for info in pkgutil.walk_packages(handouts.__path__, "handouts."):
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def is_mutable(value) -> bool:
    from handouts.caches import ForkSafeLock, LRUCache, Fingerprints
    if isinstance(value, MUTABLE + (LRUCache, ForkSafeLock, Fingerprints)):
        return True
    # An object of one of our own classes (a Library, a FontLibrary, ...) is state,
    # unless it is a frozen dataclass of immutable values (checked below).
    cls = type(value)
    if cls.__module__.startswith("handouts") and not isinstance(value, type) and not (
            is_dataclass(value) and value.__dataclass_params__.frozen):
        return True
    if isinstance(value, (type(threading.Lock()), type(threading.RLock()))):
        return True
    if is_dataclass(value) and not isinstance(value, type):
        return not value.__dataclass_params__.frozen or any(
            is_mutable(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, (tuple, frozenset)):
        return any(is_mutable(item) for item in value)
    if isinstance(value, types.MappingProxyType):
        return any(is_mutable(item) for item in value.values())
    return False


def is_memo(value) -> bool:
    return hasattr(value, "cache_info") and hasattr(value, "cache_clear")


def module_state():
    for module in modules():
        for name, value in vars(module).items():
            if name.startswith("__") or isinstance(value, types.ModuleType):
                continue
            defines = isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)) \
                or is_memo(value)
            if defines and getattr(value, "__module__", None) != module.__name__:
                continue        # imported: checked where it is defined, if it is ours
            yield module.__name__, name, value


def test_no_module_holds_mutable_state():
    found = [f"{module}.{name} ({type(value).__name__})"
             for module, name, value in module_state()
             if is_mutable(value) and (module, name) not in PROCESS_STATE]
    assert not found, "module-level mutable state (move it into the Library): " + \
        ", ".join(found)


def test_no_class_holds_mutable_state():
    """A class attribute is shared by every instance: the same rule as a module's."""
    found = []
    for module, name, value in module_state():
        if isinstance(value, type) and value.__module__ == module:
            found += [f"{module}.{name}.{attribute}" for attribute, held in vars(value).items()
                      if not attribute.startswith("__") and is_mutable(held)]
    assert not found, "class-level mutable state: " + ", ".join(found)


def test_every_module_level_memo_is_a_pure_memo_of_plain_values():
    found = []
    for module, name, value in module_state():
        if not is_memo(value):
            continue
        signature = inspect.signature(value.__wrapped__)
        plain = all(str(p.annotation).replace("'", "") in PLAIN
                    for p in signature.parameters.values())
        if not getattr(value, "pure_memo", False) or not plain:
            found.append(f"{module}.{name}")
    assert not found, "memos at module level that are not pure memos of plain values: " + \
        ", ".join(found)


def test_the_check_finds_state_where_there_is_some():
    """The checks above must be able to fail: a module with a cache, a dict and an
    lru_cache is caught."""
    from functools import lru_cache
    from handouts.caches import LRUCache
    planted = types.ModuleType("handouts._planted")
    planted.seen = {}
    planted.kept = LRUCache(maxsize=2)
    planted.memo = lru_cache(maxsize=8)(lambda path: path)
    from handouts.library import Library
    assert is_mutable(planted.seen) and is_mutable(planted.kept) and is_mutable(Library())
    assert is_memo(planted.memo) and not getattr(planted.memo, "pure_memo", False)
    assert not is_mutable((1, "a", frozenset({2}))) and not is_mutable(
        types.MappingProxyType({"a": (1,)}))
    assert is_mutable(types.MappingProxyType({"a": []}))


def test_the_process_state_named_above_still_exists():
    """An entry of PROCESS_STATE that no longer exists must go from the list."""
    present = {(module, name) for module, name, _ in module_state()}
    assert PROCESS_STATE <= present
